"""``kz-lifecycle``: conference lifecycle rules (connect rooms, maximum duration,
empty rooms, waiting for a moderator, end-on-exit) and the record of each run.

Consumes the durable RabbitMQ queue ``KZ_LIFECYCLE_QUEUE`` while it holds the
lease of that name (run several: one acts, the others stand by), and commands
the FreeSWITCH nodes of ``KZ_ESL_NODES``. Needs RabbitMQ and the document store.
Serves /health, /ready and /metrics on ``KZ_LIFECYCLE_HEALTH_PORT`` (if set).
"""
from gevent import monkey

monkey.patch_all()

import logging  # noqa: E402
import socket  # noqa: E402

from kzcore.daemon import close_in_order, start_queue_service, wait_for_stop  # noqa: E402

log = logging.getLogger("lifecycle")


def serve_observability(config, service, store, pool, node):
    """/health, /ready, /metrics on KZ_LIFECYCLE_HEALTH_PORT (-1: none)."""
    from kzcore.health import serve_configured
    from lifecycle.observability import health_app
    return serve_configured(lambda: health_app(service, store, pool, node),
                            config.lifecycle_health_host, config.lifecycle_health_port)


def main(argv=None):
    from kzcore.store.factory import make_store
    from lifecycle.compose import build_service, command_pool, make_source

    started = start_queue_service("kz-lifecycle", __doc__, argv, log, "the lifecycle service",
                                  exchange=True)
    if started is None:
        return 2
    args, config = started
    exchange = args.exchange or config.amqp_exchange
    store = make_store(config)
    pool = command_pool(config)
    service = build_service(config, store=store, pool=pool,
                            source=make_source(config, exchange=exchange)).start()
    health = serve_observability(config, service, store, pool,
                                 config.node_name or f"lifecycle@{socket.gethostname()}")
    log.info("kz-lifecycle started", extra={"queue": config.lifecycle_queue,
                                            "exchange": exchange})
    wait_for_stop()
    close_in_order(health, service.stop, pool.close, store.close)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
