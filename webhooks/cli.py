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

from kzcore.config import load_config  # noqa: E402
from kzcore.daemon import needs_rabbitmq, quiet_pika, service_parser, wait_for_stop  # noqa: E402
from kzcore.logs import setup_logging  # noqa: E402

log = logging.getLogger("webhooks")
STATS_EVERY = 60.0


def parse_args(argv):
    return service_parser("kz-webhooks", __doc__, exchange=True).parse_args(argv)


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
    args = parse_args(argv)
    config = load_config(args.config, log_level=args.log_level)
    setup_logging(config.log_level, config.log_format)
    quiet_pika()
    if not needs_rabbitmq(config, log, "kz-webhooks", "the delivery service"):
        return 2
    exchange = args.exchange or config.amqp_exchange
    service, publisher, store, node = build(config, exchange)
    service.start()
    health = serve_observability(config, service, store, node)
    log.info("kz-webhooks started", extra={"queue": config.webhooks_queue,
                                           "exchange": exchange})
    wait_for_stop(service.stats, STATS_EVERY, log, "webhooks stats")
    if health is not None:
        health.stop(timeout=1)
    service.stop()
    publisher.close()
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
