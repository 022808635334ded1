"""What every stand-alone service's ``main`` shares (kz-ecallmgr, kz-lifecycle,
kz-transcribe, kz-webhooks, kz-blackhole): the common command-line options, the
refusal to run on the in-process bus (it exists only inside kz-all), and waiting
for SIGTERM/SIGINT while logging the service's figures now and then."""
import argparse
import logging
import signal

import gevent
import gevent.event

from kzcore.bus.base import CONFERENCE_EXCHANGE


def service_parser(prog, doc, exchange=False):
    """``--config`` and ``--log-level`` (and ``--exchange`` for event consumers)."""
    parser = argparse.ArgumentParser(prog=prog, description=doc,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", help="TOML configuration file (else KZ_CONFIG)")
    if exchange:
        parser.add_argument("--exchange", default=None,
                            help="topic exchange carrying the conference events (default: "
                                 f"KZ_AMQP_EXCHANGE, else {CONFERENCE_EXCHANGE})")
    parser.add_argument("--log-level", help="override log_level")
    return parser


def needs_rabbitmq(config, log, prog, role):
    """False (after saying why) when ``KZ_AMQP_URL`` is the in-process bus: a separate
    process would share no events with anybody; kz-all runs ``role`` itself."""
    if not config.amqp_url.startswith("memory://"):
        return True
    log.error(f"{prog} needs RabbitMQ: set KZ_AMQP_URL to amqp://...; with the in-process "
              f"bus, kz-all runs {role} itself")
    return False


def quiet_pika():
    logging.getLogger("pika").setLevel(logging.WARNING)   # connection chatter at INFO


def wait_for_stop(stats=None, every=60.0, log=None, message="stats"):
    """Block until SIGTERM or SIGINT; with ``stats``, log ``stats()`` every ``every`` s."""
    stopping = gevent.event.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        gevent.signal_handler(signum, stopping.set)
    while not stopping.wait(every if stats else None):
        log.info(message, extra=stats())


def start_queue_service(prog, doc, argv, log, role, *, exchange=False):
    """The start of a service that consumes RabbitMQ: options, configuration, JSON
    logs; ``(args, config)``, or None (after saying why) on the in-process bus."""
    from kzcore.config import load_config
    from kzcore.logs import setup_logging
    args = service_parser(prog, doc, exchange=exchange).parse_args(argv)
    config = load_config(args.config, log_level=args.log_level)
    setup_logging(config.log_level, config.log_format)
    quiet_pika()
    if not needs_rabbitmq(config, log, prog, role):
        return None
    return args, config


def close_in_order(health, *closers):
    """Stop the health server (if any), then each ``closer()`` in turn."""
    if health is not None:
        health.stop(timeout=1)
    for close in closers:
        close()
