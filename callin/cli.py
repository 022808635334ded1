"""``kz-callin``: the call-in service (outbound ESL server for FreeSWITCH's socket app)."""
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402

from kzcore.config import load_config  # noqa: E402
from kzcore.logs import setup_logging  # noqa: E402
from kzcore.store.factory import make_store  # noqa: E402

from callin.directory import ConferenceDirectory  # noqa: E402
from callin.flow import CallinOptions  # noqa: E402
from callin.guard import PeerPolicy  # noqa: E402
from callin.server import CallinServer  # noqa: E402
from callin.throttle import PinThrottle  # noqa: E402

log = logging.getLogger(__name__)


def build_server(config, store):
    options = CallinOptions(names_dir=os.path.join(config.recordings_dir, "callin-names"),
                            command_timeout=config.esl_timeout, sounds_dir=config.fs_sounds_dir,
                            secret=config.callin_secret,
                            header_timeout=config.callin_header_timeout)
    directory = ConferenceDirectory(store)
    if not config.callin_secret:
        log.warning("call-in runs without KZ_CALLIN_SECRET: only the peer address is checked")
    return CallinServer(directory, config.callin_host, config.callin_port, options,
                        max_calls=config.callin_max_connections,
                        peers=PeerPolicy(config.callin_allowed_peers),
                        throttle=PinThrottle(free=config.callin_pin_failures,
                                             window=config.callin_pin_window),
                        focus=focus_router(config))


def focus_router(config):
    """With several nodes, what bridges callers to their conference's focus node
    (callin.focus, callin.bridge); None with one node."""
    nodes = config.nodes
    if len(nodes) < 2:
        return None
    from callin.focus import FocusRouter, sip_addresses
    from callin.focus_token import FocusTokens, signing_key
    from kzcore.esl.pool import EslPool
    addresses = sip_addresses(config.focus_sip_addresses, nodes)   # a bad setting stops here
    pool = EslPool(nodes, timeout=config.esl_timeout, events=("BACKGROUND_JOB",)).start()
    tokens = FocusTokens(signing_key(config.focus_secret, config.callin_secret),
                         config.focus_token_ttl)
    if not (config.focus_secret or config.callin_secret):
        log.warning("call-in: focus tokens signed with a key of this process only (set "
                    "KZ_FOCUS_SECRET when several call-in processes serve the nodes)")
    return FocusRouter(pool, config.focus_rule, addresses, tokens, config.focus_sip_profile,
                       config.esl_timeout)


def serve_observability(config, server, store):
    """/health, /ready, /metrics on KZ_CALLIN_HEALTH_PORT (-1: none)."""
    if config.callin_health_port < 0:
        return None
    from callin.observability import health_app
    from kzcore.health import serve_health
    return serve_health(health_app(server, store, config.node_name),
                        config.callin_health_host, config.callin_health_port)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="kz-callin", description=__doc__)
    parser.add_argument("--config", help="TOML configuration file (else KZ_CONFIG)")
    args = parser.parse_args(argv)
    config = load_config(args.config)
    setup_logging(config.log_level, config.log_format)
    store = make_store(config)
    server = build_server(config, store)
    try:
        server.directory.rebuild()
    except Exception:  # noqa: BLE001 - the index also rebuilds on the first miss
        log.exception("initial number index failed")
    server.start()
    health = serve_observability(config, server, store)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        if health is not None:
            health.stop(timeout=1)
        server.stop()
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
