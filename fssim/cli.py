"""`fssim` console script: run the FreeSWITCH simulator as a standalone ESL server."""
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import gc  # noqa: E402
import logging  # noqa: E402
import signal  # noqa: E402

import gevent  # noqa: E402
from gevent.event import Event  # noqa: E402

from fssim.simulator import Simulator  # noqa: E402
from kzcore.logs import setup_logging  # noqa: E402

log = logging.getLogger("fssim")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="fssim", description="FreeSWITCH simulator (ESL + mod_conference); "
                                  "a development and test tool, not a switch.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8021)
    parser.add_argument("--password", default="ClueCon")
    parser.add_argument("--hostname", default="vm", help="FreeSWITCH-Hostname of events")
    parser.add_argument("--time-scale", type=float, default=1.0,
                        help="multiplies simulated delays (0.1 = ten times faster)")
    parser.add_argument("--recordings-dir", default=None,
                        help="write conference recordings under this directory")
    parser.add_argument("--xml-curl-url", default=None,
                        help="fetch conference profiles from this mod_xml_curl gateway")
    parser.add_argument("--httapi", action="store_true",
                        help="the switch loads mod_httapi: bare http(s):// files play "
                             "(off, as on the recorded switch and in fs_conf)")
    parser.add_argument("--shout", action="store_true",
                        help="the switch loads mod_shout: .mp3 recordings (as fs_conf; off, "
                             "as on the recorded switch)")
    parser.add_argument("--http-timeout", type=float, default=2.0,
                        help="seconds an http_cache:// fetch may take")
    parser.add_argument("--log-level", default="INFO")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    setup_logging(args.log_level)
    sim = Simulator(host=args.host, port=args.port, password=args.password,
                    hostname=args.hostname, recordings_dir=args.recordings_dir,
                    time_scale=args.time_scale, xml_curl_url=args.xml_curl_url,
                    httapi=args.httapi, http_timeout=args.http_timeout, shout=args.shout)
    host, port = sim.start()
    gc.freeze()     # start-up objects out of the collector's reach: no ~15 ms full collections
    log.info("fssim ready", extra={"host": host, "port": port, "node": sim.node_name})
    stop = Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        gevent.signal_handler(signum, stop.set)
    stop.wait()
    sim.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
