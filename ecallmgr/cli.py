"""``kz-ecallmgr``: FreeSWITCH conference events -> RabbitMQ, as a daemon."""
from gevent import monkey

monkey.patch_all()

import gc  # noqa: E402  (gevent must patch before anything else is imported)
import logging  # noqa: E402

from ecallmgr.daemon import create_daemon, default_node_name  # noqa: E402
from ecallmgr.observability import health_app  # noqa: E402
from kzcore.bus.factory import make_publisher  # noqa: E402
from kzcore.config import load_config  # noqa: E402
from kzcore.daemon import needs_rabbitmq, quiet_pika, service_parser, wait_for_stop  # noqa: E402
from kzcore.health import serve_configured  # noqa: E402
from kzcore.logs import setup_logging  # noqa: E402

log = logging.getLogger("ecallmgr")
STATS_EVERY = 60.0
PUBLISH_BUFFER = 100000


def parse_args(argv):
    parser = service_parser("kz-ecallmgr", __doc__)
    parser.add_argument("--amqp-url", help="override amqp_url")
    parser.add_argument("--esl-nodes", help="override esl_nodes: [name=]host[:port[:password]],...")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    config = load_config(args.config, amqp_url=args.amqp_url, esl_nodes=args.esl_nodes,
                         log_level=args.log_level)
    setup_logging(config.log_level, config.log_format)
    quiet_pika()
    if not needs_rabbitmq(config, log, "kz-ecallmgr", "ecallmgr"):
        return 2
    # room for bursts and broker outages: ~1 KiB per event, so at most ~100 MiB
    node = config.node_name or default_node_name()
    publisher = make_publisher(config, connection_name=f"kz-ecallmgr {node}",
                               buffer_size=PUBLISH_BUFFER, exchange=config.amqp_exchange)
    daemon = create_daemon(config, publisher=publisher, ha=config.ecallmgr_ha).start()
    health = serve_configured(lambda: health_app(daemon), config.ecallmgr_health_host,
                              config.ecallmgr_health_port)
    # Everything built so far (modules, pika, gevent) lives as long as the process:
    # moved out of the collector's reach, a full collection only walks what events
    # allocate, instead of pausing the event stream for tens of milliseconds.
    gc.freeze()
    wait_for_stop(daemon.stats, STATS_EVERY, log, "ecallmgr stats")
    daemon.stop()
    publisher.close()
    if health is not None:
        health.stop(timeout=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
