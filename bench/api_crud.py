"""API CRUD benchmark: create/get/list of conferences through gunicorn (gevent
workers) next to the same store operations made directly on the document store.

gunicorn runs ``crossbar.wsgi:application`` on a file-backed embedded store in a
temporary directory (SQLite WAL, shared by the workers) or on CouchDB
(``--couch-url``). Each of ``--concurrency`` client greenlets loops create ->
get -> list (page_size 20) over keep-alive connections for ``--duration``
seconds. The client is a raw-socket HTTP/1.1 keep-alive client (status line and
Content-Length only) so the generator takes as little of the shared CPU as
possible. Then the same store calls the API makes (save of the same validated
document, get, the list page query) run for the same time with the same total
concurrency, split over as many processes as gunicorn has workers, on the same
store. Reports requests/s, p50/p99 per operation, errors, the API/direct
throughput ratio, and the CPU each side used (generator, server, the rest of
the machine).

    python bench/api_crud.py                          # 50 clients, 30 s, 2 workers
    python bench/api_crud.py --duration 5 --concurrency 10 --no-record
    python bench/api_crud.py --numbers                 # every create runs the numbers check
    python bench/api_crud.py --worker-class gevent_pywsgi

Stops by itself; appends the figures (with the exact command) to
bench/RESULTS.md unless --no-record. Exit status 1 if any request failed.
The parts: api_crud_api.py (gunicorn and the HTTP clients), api_crud_direct.py
(the direct store workers), api_crud_report.py (the RESULTS.md section).
"""
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from api_crud_api import run_api  # noqa: E402
from api_crud_direct import direct_worker, run_direct  # noqa: E402
from api_crud_report import append_results, report  # noqa: E402
from crossbar.bootstrap import bootstrap  # noqa: E402
from kzcore.config import load_config  # noqa: E402
from kzcore.naming import new_id  # noqa: E402
from kzcore.store.factory import make_store  # noqa: E402

SECRET = "bench-api-crud-secret"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn gevent workers")
    parser.add_argument("--worker-class", default="gevent", choices=("gevent", "gevent_pywsgi"),
                        help="gunicorn's gevent worker class")
    parser.add_argument("--direct-procs", type=int, default=0,
                        help="processes for the direct run (default: --workers)")
    parser.add_argument("--port", type=int, default=18731)
    parser.add_argument("--couch-url", default="", help="bench on CouchDB instead")
    parser.add_argument("--numbers", action="store_true",
                        help="each conference gets a unique call-in number (so every create "
                             "runs the numbers-in-use check)")
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    parser.add_argument("--direct-worker", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def bench_env(args):
    """The environment both sides run in: a fresh embedded store file (or CouchDB)."""
    workdir = tempfile.mkdtemp(prefix="bench-api-crud-")
    store_env = {"KZ_STORE": "couchdb", "KZ_COUCH_URL": args.couch_url} if args.couch_url \
        else {"KZ_STORE": "embedded", "KZ_STORE_PATH": os.path.join(workdir, "store.sqlite3")}
    # KZ_ESL_NODES empty: documents only (no live counts from FreeSWITCH in the lists);
    # --numbers gives every conference a number of one account: no cap on them here
    env = dict(os.environ, KZ_TOKEN_SECRET=SECRET, KZ_LOG_LEVEL="WARNING", KZ_ESL_NODES="",
               KZ_MAX_NUMBERS_PER_ACCOUNT="0", **store_env)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    return env


def make_account(env):
    """A bench account with an API key: {"account_id", "api_key", ...}."""
    store = make_store(load_config(env=env))
    creds = bootstrap(store, account_name=f"bench {new_id()[:6]}", realm="bench.local",
                      username="bench", password="bench")
    store.close()
    return creds


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    if args.direct_worker:
        direct_worker(json.loads(args.direct_worker))
        return 0
    env = bench_env(args)
    creds = make_account(env)
    api_stats, api_elapsed, command, api_cpu = run_api(args, env, creds)
    direct = run_direct(args, env, creds["account_id"])
    text = report(args, (api_stats, api_elapsed, api_cpu), direct, command)
    print(text)
    errors = sum(api_stats.errors.values()) + sum(direct[0].errors.values())
    if api_stats.first_error or direct[0].first_error:
        print("first error:", api_stats.first_error or direct[0].first_error, file=sys.stderr)
    if not args.no_record:
        append_results(os.path.join(ROOT, "bench", "RESULTS.md"), text)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
