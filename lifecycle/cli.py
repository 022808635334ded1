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

from kzcore.config import load_config  # noqa: E402
from kzcore.daemon import needs_rabbitmq, quiet_pika, service_parser, wait_for_stop  # noqa: E402
from kzcore.logs import setup_logging  # noqa: E402

log = logging.getLogger("lifecycle")


def parse_args(argv):
    return service_parser("kz-lifecycle", __doc__, exchange=True).parse_args(argv)


def serve_observability(config, service, store, pool, node):
    """/health, /ready, /metrics on KZ_LIFECYCLE_HEALTH_PORT (-1: none)."""
    from kzcore.health import serve_configured
    from lifecycle.observability import health_app
    return serve_configured(lambda: health_app(service, store, pool, node),
                            config.lifecycle_health_host, config.lifecycle_health_port)


def main(argv=None):
    from kzcore.store.factory import make_store
    from lifecycle.compose import build_service, command_pool, make_source

    args = parse_args(argv)
    config = load_config(args.config, log_level=args.log_level)
    setup_logging(config.log_level, config.log_format)
    quiet_pika()
    if not needs_rabbitmq(config, log, "kz-lifecycle", "the lifecycle service"):
        return 2
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
    if health is not None:
        health.stop(timeout=1)
    service.stop()
    pool.close()
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
