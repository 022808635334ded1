"""``kz-webhooks``: deliver conference events to customers' HTTP endpoints.

Consumes the durable RabbitMQ queue ``KZ_WEBHOOKS_QUEUE`` (single active
consumer: run several for failover, each event is delivered by one)
and calls every matching webhook, signed, in order per conference, with
retries. Needs RabbitMQ (``KZ_AMQP_URL=amqp://...``) and the document store.
"""
from gevent import monkey

monkey.patch_all()

import logging  # noqa: E402
import socket  # noqa: E402

from kzcore.daemon import close_in_order, start_queue_service, wait_for_stop  # noqa: E402

log = logging.getLogger("webhooks")
STATS_EVERY = 60.0


def build(config, exchange):
    from kzcore.bus.factory import make_publisher
    from kzcore.store.factory import make_store
    from webhooks.compose import Settings, build_service, make_source

    store = make_store(config)
    publisher = make_publisher(config, connection_name="kz-webhooks-notify")
    node = config.node_name or f"webhooks@{socket.gethostname()}"
    service = build_service(Settings.from_config(config), store=store,
                            source=make_source(config, exchange=exchange),
                            publisher=publisher, node=node)
    return service, publisher, store, node


def serve_observability(config, service, store, node):
    """/health, /ready, /metrics on KZ_WEBHOOKS_HEALTH_PORT (-1: none)."""
    from kzcore.health import serve_configured
    from webhooks.observability import health_app
    return serve_configured(lambda: health_app(service, store, node),
                            config.webhooks_health_host, config.webhooks_health_port)


def main(argv=None):
    started = start_queue_service("kz-webhooks", __doc__, argv, log, "the delivery service",
                                  exchange=True)
    if started is None:
        return 2
    args, config = started
    exchange = args.exchange or config.amqp_exchange
    service, publisher, store, node = build(config, exchange)
    service.start()
    health = serve_observability(config, service, store, node)
    log.info("kz-webhooks started", extra={"queue": config.webhooks_queue,
                                           "exchange": exchange})
    wait_for_stop(service.stats, STATS_EVERY, log, "webhooks stats")
    close_in_order(health, service.stop, publisher.close, store.close)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
