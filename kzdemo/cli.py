"""``kz-all``: the whole product in one process on embedded defaults.

Embedded document store (SQLite file under ./var), in-process event bus, and the
FreeSWITCH simulator (a development stand-in, never production) with a demo
conference whose simulated callers join, talk and leave.
"""
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402

import gevent  # noqa: E402

from kzcore.config import load_config  # noqa: E402
from kzcore.logs import setup_logging  # noqa: E402
from kzcore.naming import fs_conference_name  # noqa: E402


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="kz-all", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", help="TOML configuration file (else KZ_CONFIG)")
    parser.add_argument("--port", type=int, help="API port (KZ_LISTEN_PORT, default 8000)")
    parser.add_argument("--no-demo-callers", action="store_true",
                        help="do not simulate callers in the demo conference")
    parser.add_argument("--log-level", help="log level (KZ_LOG_LEVEL); default WARNING here")
    return parser.parse_args(argv)


def banner(stack, demo):
    api = stack.api_url
    root = api[: -len("/v2")]
    return f"""
Conference controller running (embedded store, in-process bus, FreeSWITCH simulator).

  Admin UI      {root}/ui/   (account "{demo['account_name']}", user "{demo['username']}", password "{demo['password']}")
  REST API      {api}
  Websocket     {stack.websocket_url}
  ESL (fssim)   {stack.sim.host}:{stack.sim.port} password {stack.sim.password}
  Call-in       {stack.config.callin_host}:{stack.config.callin_port} (numbers 5000/5001 member, 5009 moderator with PIN 4321)

Authenticate with the API key:
  curl -s -X PUT {api}/api_auth -d '{{"data":{{"api_key":"{demo['api_key']}"}}}}'
or with user credentials (md5 of "user:password"):
  curl -s -X PUT {api}/user_auth -d '{{"data":{{"credentials":"'$(printf '{demo['username']}:{demo['password']}' | md5sum | cut -d' ' -f1)'","account_name":"{demo['account_name']}"}}}}'
Then send the auth_token as X-Auth-Token, e.g.
  curl -s -H "X-Auth-Token: $TOKEN" {api}/accounts/{demo['account_id']}/conferences/{demo['conference_id']}
"""


def main(argv=None):
    from kzdemo.callers import DemoCallers
    from kzdemo.demo import ensure_demo
    from kzdemo.stack import Stack

    args = parse_args(argv)
    config = load_config(args.config, listen_port=args.port)
    setup_logging(args.log_level or (config.log_level if "KZ_LOG_LEVEL" in __import__("os").environ
                                     else "WARNING"), config.log_format)
    stack = Stack(config).start()
    demo = ensure_demo(stack)
    callers = None
    if not args.no_demo_callers:
        room = fs_conference_name(demo["account_id"], demo["conference_id"])
        callers = DemoCallers(stack.sim, room).start()
    print(banner(stack, demo), flush=True)
    stopping = gevent.event.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        gevent.signal_handler(sig, stopping.set)
    stopping.wait()
    if callers:
        callers.stop()
    stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
