"""``kz-blackhole``: the websocket gateway as its own process (default port 5555)."""
from gevent import monkey

monkey.patch_all()

import logging  # noqa: E402
import os  # noqa: E402

from kzcore.config import load_config  # noqa: E402
from kzcore.daemon import quiet_pika, service_parser, wait_for_stop  # noqa: E402
from kzcore.logs import setup_logging  # noqa: E402
from kzcore.tokens import TokenSigner  # noqa: E402

from blackhole.server import create_gateway  # noqa: E402
from blackhole.session import SessionOptions  # noqa: E402

log = logging.getLogger("blackhole.cli")


def parse_args(argv):
    parser = service_parser("kz-blackhole", __doc__)
    parser.add_argument("--host", help="listen address (KZ_BLACKHOLE_HOST)")
    parser.add_argument("--port", type=int, help="listen port (KZ_BLACKHOLE_PORT)")
    parser.add_argument("--queue-size", type=int, default=1000,
                        help="events buffered per websocket before the oldest are dropped")
    parser.add_argument("--ping-interval", type=float, default=20.0, help="seconds between pings")
    parser.add_argument("--idle-timeout", type=float, default=60.0,
                        help="close a socket silent (no pong, no message) this long")
    parser.add_argument("--write-interval", type=float, default=0.005,
                        help="seconds between two rounds of socket writes under load (fewer, "
                             "larger writes vs latency)")
    return parser.parse_args(argv)


def token_secret(config):
    """``KZ_TOKEN_SECRET``, else the secret crossbar generated beside the embedded
    store (file ``token_secret``; same rule as crossbar's). The gateway never
    invents one: tokens it could verify would be tokens nobody can issue."""
    if config.token_secret:
        return config.token_secret
    directory = (os.path.dirname(os.path.abspath(config.store_path))
                 if config.store_path != ":memory:" else os.path.abspath("var"))
    path = os.path.join(directory, "token_secret")
    try:
        with open(path, encoding="ascii") as handle:
            secret = handle.read().strip()
    except OSError:
        secret = ""
    if not secret:
        raise SystemExit(f"kz-blackhole: set KZ_TOKEN_SECRET (crossbar's), or start crossbar "
                         f"first so that {path} exists")
    return secret


def build(config, options):
    from kzcore.bus.factory import make_consumer
    from kzcore.store.factory import make_store
    signer = TokenSigner(token_secret(config), config.token_lifetime)
    return create_gateway(config, consumer=make_consumer(config), signer=signer,
                          store=make_store(config), session_options=options)


def main(argv=None):
    args = parse_args(argv)
    config = load_config(args.config, blackhole_host=args.host, blackhole_port=args.port,
                         log_level=args.log_level)
    setup_logging(config.log_level, config.log_format)
    quiet_pika()
    if config.amqp_url.startswith("memory://"):
        raise SystemExit("kz-blackhole: KZ_AMQP_URL is memory:// (in-process bus), so a separate "
                         "gateway would see no events; set KZ_AMQP_URL=amqp://... or run kz-all, "
                         "which shares its bus with an embedded gateway")
    options = SessionOptions(max_events=args.queue_size, ping_interval=args.ping_interval,
                             idle_timeout=args.idle_timeout, write_interval=args.write_interval)
    gateway = build(config, options)
    host, port = gateway.start()
    log.info("kz-blackhole ready", extra={"url": f"ws://{host}:{port}/"})
    wait_for_stop()
    gateway.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
