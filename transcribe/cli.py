"""``kz-transcribe``: the transcription worker (see ``transcribe/__init__.py``).

Consumes the durable RabbitMQ queue ``KZ_TRANSCRIBE_QUEUE`` (run several for
failover); needs the document store and the recordings (``KZ_RECORDINGS_DIR`` shared
with crossbar, or ``KZ_RECORDINGS_STORAGE=store``). Under ``kz-all`` (the in-process
bus) the worker runs inside that process.
"""
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import logging  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402

import gevent.event  # noqa: E402

from kzcore.config import load_config  # noqa: E402
from kzcore.logs import setup_logging  # noqa: E402

log = logging.getLogger("transcribe")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="kz-transcribe", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", help="TOML configuration file (else KZ_CONFIG)")
    parser.add_argument("--log-level", help="override log_level")
    args = parser.parse_args(argv)
    config = load_config(args.config, log_level=args.log_level)
    setup_logging(config.log_level, config.log_format)
    if config.amqp_url.startswith("memory://"):
        log.error("kz-transcribe consumes RabbitMQ: set KZ_AMQP_URL to amqp://...; with the "
                  "in-process bus, kz-all runs the worker itself")
        return 2
    from kzcore.bus.factory import make_publisher
    from kzcore.store.factory import make_store
    from transcribe.compose import build_service, make_source
    store = make_store(config)
    publisher = make_publisher(config, connection_name="kz-transcribe-events")
    service = build_service(config, store=store, publisher=publisher,
                            source=make_source(config),
                            node=config.node_name or f"transcribe@{socket.gethostname()}")
    service.start()
    log.info("kz-transcribe started", extra={"queue": config.transcribe_queue,
                                             "engine": config.transcribe_engine})
    stopping = gevent.event.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        gevent.signal_handler(signum, stopping.set)
    stopping.wait()
    service.stop()
    publisher.close()
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
