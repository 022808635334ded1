"""actions, profiled: one member action end to end inside crossbar (token check,
schema validation, room lookup, ESL round trip, envelope) under cProfile, with
the WSGI app called in this process (no gunicorn, no HTTP client), against the
same two ``fssim`` nodes and the same room as bench/actions.py.

    python bench/actions_profile.py                 # 3000 actions, top 35 by own time
    python bench/actions_profile.py --actions 5000 --sort cumulative --top 60
    python bench/actions_profile.py --no-profile    # CPU per action without cProfile
    python bench/actions_profile.py --read 200 --actions 200   # GET of a 200-member room instead

Prints the app's CPU per action (process CPU, this process: the app and the
gevent hub, not the simulators) and, unless --no-profile, the profile. The
actions run one at a time, so the ESL round trip's wait is not CPU.
"""
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import cProfile  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import pstats  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from actions import bench_env, prepare  # noqa: E402
from actions_switch import start_sims  # noqa: E402
from load_kit import own_cpu  # noqa: E402


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=3000)
    parser.add_argument("--members", type=int, default=10)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--read", type=int, default=0, metavar="MEMBERS",
                        help="profile GET of a conference with this many members instead")
    args = parser.parse_args(argv)
    args.big, args.rooms = max(1, args.read), 0
    return args


def call(app, method, path, token, body=b""):
    """One WSGI call as gunicorn makes it; (status code, body bytes)."""
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "",
               "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
               "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1:8000",
               "HTTP_X_AUTH_TOKEN": token, "CONTENT_TYPE": "application/json",
               "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body),
               "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr, "wsgi.multithread": False,
               "wsgi.multiprocess": True, "wsgi.run_once": False, "wsgi.version": (1, 0)}
    status = []
    chunks = app(environ, lambda s, headers, exc_info=None: status.append(s))
    payload = b"".join(chunks)
    if hasattr(chunks, "close"):
        chunks.close()
    return int(status[0].split(" ", 1)[0]), payload


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    workdir = tempfile.mkdtemp(prefix="bench-actions-profile-")
    sims = start_sims(workdir)
    try:
        env = bench_env(workdir, sims)
        creds, (room, member_ids, big_room) = prepare(args, sims, env)
        os.environ.update(env)
        from crossbar.cli import make_app
        from kzcore.config import load_config
        from kzcore.logs import setup_logging
        config = load_config()
        setup_logging(config.log_level, config.log_format)
        app = make_app(config)
        status, payload = call(app, "PUT", "/v2/api_auth", "",
                               json.dumps({"data": {"api_key": creds["api_key"]}}).encode())
        assert status == 201, payload
        token = json.loads(payload)["auth_token"]
        base = f"/v2/accounts/{creds['account_id']}/conferences/{room}/participants"
        bodies = [json.dumps({"data": {"action": verb}}).encode() for verb in ("mute", "unmute")]

        def run(count):
            if args.read:
                for _ in range(count):
                    status, payload = call(app, "GET", f"/v2/accounts/{creds['account_id']}/"
                                           f"conferences/{big_room}", token)
                    if status != 200:
                        raise SystemExit(f"read answered {status}: {payload[:300]!r}")
                return
            for n in range(count):
                status, payload = call(app, "PUT", f"{base}/{member_ids[n % len(member_ids)]}",
                                       token, bodies[(n // len(member_ids)) % 2])
                if status != 202:
                    raise SystemExit(f"action answered {status}: {payload[:300]!r}")
        run(20 if args.read else 200)              # warm up: caches, connections, imports
        profiler = None if args.no_profile else cProfile.Profile(time.process_time)
        cpu, wall = own_cpu(), time.perf_counter()
        if profiler:
            profiler.enable()
        run(args.actions)
        if profiler:
            profiler.disable()
        cpu, wall = own_cpu() - cpu, time.perf_counter() - wall
        mode = "with" if profiler else "without"
        print(f"{args.actions} actions: app CPU {cpu / args.actions * 1000:.3f} ms per action "
              f"({mode} cProfile), wall {wall / args.actions * 1000:.3f} ms per action "
              "(one at a time: includes the simulator's turn)")
        if profiler:
            stats = pstats.Stats(profiler)
            if os.environ.get("KZ_BENCH_PROFILE_DUMP"):
                stats.dump_stats(os.environ["KZ_BENCH_PROFILE_DUMP"])
            stats.sort_stats(args.sort).print_stats(args.top)
    finally:
        for _, _, proc in sims:
            proc.terminate()
            proc.wait(timeout=15)


if __name__ == "__main__":
    sys.exit(main())
