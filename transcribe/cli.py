"""``kz-transcribe``: the transcription worker (see ``transcribe/__init__.py``).

Consumes the durable RabbitMQ queue ``KZ_TRANSCRIBE_QUEUE`` (run several for
failover); needs the document store and the recordings (``KZ_RECORDINGS_DIR`` shared
with crossbar, or ``KZ_RECORDINGS_STORAGE=store``). Under ``kz-all`` (the in-process
bus) the worker runs inside that process. Serves /health, /ready and /metrics on
``KZ_TRANSCRIBE_HEALTH_PORT`` (if set).
"""
from gevent import monkey

monkey.patch_all()

import logging  # noqa: E402
import socket  # noqa: E402

from kzcore.daemon import close_in_order, start_queue_service, wait_for_stop  # noqa: E402

log = logging.getLogger("transcribe")


def serve_observability(config, service, store, node):
    """/health, /ready, /metrics on KZ_TRANSCRIBE_HEALTH_PORT (-1: none)."""
    from kzcore.health import serve_configured
    from transcribe.observability import health_app
    return serve_configured(lambda: health_app(service, store, node),
                            config.transcribe_health_host, config.transcribe_health_port)


def main(argv=None):
    started = start_queue_service("kz-transcribe", __doc__, argv, log, "the worker")
    if started is None:
        return 2
    _args, config = started
    from kzcore.bus.factory import make_publisher
    from kzcore.store.factory import make_store
    from transcribe.compose import build_service, make_source
    store = make_store(config)
    publisher = make_publisher(config, connection_name="kz-transcribe-events")
    node = config.node_name or f"transcribe@{socket.gethostname()}"
    service = build_service(config, store=store, publisher=publisher,
                            source=make_source(config), node=node)
    service.start()
    health = serve_observability(config, service, store, node)
    log.info("kz-transcribe started", extra={"queue": config.transcribe_queue,
                                             "engine": config.transcribe_engine})
    wait_for_stop()
    close_in_order(health, service.stop, publisher.close, store.close)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
