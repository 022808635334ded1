"""``kz-ecallmgr``: FreeSWITCH conference events -> RabbitMQ, as a daemon."""
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402  (gevent must patch before anything else is imported)
import gc  # noqa: E402
import logging  # noqa: E402
import signal  # noqa: E402

import gevent  # noqa: E402
import gevent.event  # noqa: E402

from ecallmgr.daemon import create_daemon, default_node_name  # noqa: E402
from ecallmgr.observability import health_app  # noqa: E402
from kzcore.bus.factory import make_publisher  # noqa: E402
from kzcore.config import load_config  # noqa: E402
from kzcore.health import serve_health  # noqa: E402
from kzcore.logs import setup_logging  # noqa: E402

log = logging.getLogger("ecallmgr")
STATS_EVERY = 60.0
PUBLISH_BUFFER = 100000


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="kz-ecallmgr", description=__doc__)
    parser.add_argument("--config", help="TOML configuration file (default: $KZ_CONFIG)")
    parser.add_argument("--amqp-url", help="override amqp_url")
    parser.add_argument("--esl-nodes", help="override esl_nodes: [name=]host[:port[:password]],...")
    parser.add_argument("--log-level", help="override log_level")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    config = load_config(args.config, amqp_url=args.amqp_url, esl_nodes=args.esl_nodes,
                         log_level=args.log_level)
    setup_logging(config.log_level, config.log_format)
    logging.getLogger("pika").setLevel(logging.WARNING)
    if config.amqp_url.startswith("memory://"):
        log.error("kz-ecallmgr publishes to RabbitMQ: set amqp_url (KZ_AMQP_URL) to amqp://...; "
                  "the in-process bus only exists inside kz-all")
        return 2
    # room for bursts and broker outages: ~1 KiB per event, so at most ~100 MiB
    node = config.node_name or default_node_name()
    publisher = make_publisher(config, connection_name=f"kz-ecallmgr {node}",
                               buffer_size=PUBLISH_BUFFER, exchange=config.amqp_exchange)
    daemon = create_daemon(config, publisher=publisher, ha=config.ecallmgr_ha).start()
    health = None
    if config.ecallmgr_health_port >= 0:
        health = serve_health(health_app(daemon), config.ecallmgr_health_host,
                              config.ecallmgr_health_port)
    # Everything built so far (modules, pika, gevent) lives as long as the process:
    # moved out of the collector's reach, a full collection only walks what events
    # allocate, instead of pausing the event stream for tens of milliseconds.
    gc.freeze()
    stopping = gevent.event.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        gevent.signal_handler(signum, stopping.set)
    while not stopping.wait(STATS_EVERY):
        log.info("ecallmgr stats", extra=daemon.stats())
    daemon.stop()
    publisher.close()
    if health is not None:
        health.stop(timeout=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
