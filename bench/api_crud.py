"""API CRUD benchmark: create/get/list of conferences through gunicorn (gevent
workers) next to the same operations made directly on the document store.

gunicorn runs ``crossbar.wsgi:application`` on a file-backed embedded store in a
temporary directory (SQLite WAL, shared by the workers) or on CouchDB
(``--couch-url``). Each of ``--concurrency`` client greenlets loops create ->
get -> list (page_size 20) over keep-alive connections for ``--duration``
seconds; then the same number of greenlets run store.save / store.get /
store.all_docs directly for the same time. Reports requests/s, p50/p99 per
operation and errors, and the API/direct throughput ratio.

    python bench/api_crud.py                          # 50 clients, 30 s, 2 workers
    python bench/api_crud.py --duration 5 --concurrency 10 --no-record

Stops by itself; appends the figures (with the exact command) to
bench/RESULTS.md unless --no-record. Exit status 1 if any request failed.
"""
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import shlex  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import gevent  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from crossbar.bootstrap import bootstrap  # noqa: E402
from kzcore.config import load_config  # noqa: E402
from kzcore.naming import account_db, new_id  # noqa: E402
from kzcore.store.factory import make_store  # noqa: E402

SECRET = "bench-api-crud-secret"
OPS = ("create", "get", "list")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn gevent workers")
    parser.add_argument("--port", type=int, default=18731)
    parser.add_argument("--couch-url", default="", help="bench on CouchDB instead")
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    return parser.parse_args(argv)


class Stats:
    def __init__(self):
        self.latencies = {op: [] for op in OPS}
        self.errors = {op: 0 for op in OPS}
        self.first_error = None

    def record(self, op, started, ok, detail=None):
        if ok:
            self.latencies[op].append(time.perf_counter() - started)
        else:
            self.errors[op] += 1
            self.first_error = self.first_error or f"{op}: {detail}"


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


# --- through the API -----------------------------------------------------------

def api_client(port, token, account_id, stats, deadline):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"X-Auth-Token": token, "Content-Type": "application/json"}
    base = f"/v2/accounts/{account_id}/conferences"

    def call(op, method, path, body=None):
        started = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            reply = conn.getresponse()
            payload = reply.read()
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            stats.record(op, started, False, repr(exc))
            return None
        ok = 200 <= reply.status < 300
        stats.record(op, started, ok, f"{reply.status} {payload[:200]!r}")
        return json.loads(payload) if ok else None

    while time.monotonic() < deadline:
        body = json.dumps({"data": {"name": f"bench {new_id()[:8]}"}})
        created = call("create", "PUT", base, body)
        if created:
            call("get", "GET", f"{base}/{created['data']['id']}")
        call("list", "GET", f"{base}?page_size=20")
    conn.close()


def run_api(args, env, creds):
    command = [sys.executable, "-m", "gunicorn", "-k", "gevent", "-w", str(args.workers),
               "-b", f"127.0.0.1:{args.port}", "--worker-connections", "1000",
               "--keep-alive", "30", "--log-level", "warning", "crossbar.wsgi:application"]
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdin=subprocess.DEVNULL)
    try:
        token = wait_and_login(args.port, creds["api_key"], server)
        stats = Stats()
        deadline = time.monotonic() + args.duration
        started = time.monotonic()
        gevent.joinall([gevent.spawn(api_client, args.port, token, creds["account_id"], stats,
                                     deadline) for _ in range(args.concurrency)])
        return stats, time.monotonic() - started, command
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


def wait_and_login(port, api_key, server, timeout=30.0):
    deadline = time.monotonic() + timeout
    body = json.dumps({"data": {"api_key": api_key}})
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("PUT", "/v2/api_auth", body=body)
            reply = conn.getresponse()
            payload = json.loads(reply.read())
            conn.close()
            if reply.status == 201:
                return payload["auth_token"]
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer in time")


# --- directly on the store -------------------------------------------------------

def direct_client(store, db, account_id, stats, deadline):
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            doc = store.save(db, {"name": f"direct {new_id()[:8]}", "pvt_type": "conference",
                                  "pvt_account_id": account_id})
            stats.record("create", started, True)
            started = time.perf_counter()
            store.get(db, doc["_id"])
            stats.record("get", started, True)
            started = time.perf_counter()
            store.all_docs(db, limit=21)
            stats.record("list", started, True)
        except Exception as exc:  # a bench counts every failure
            stats.record("create", started, False, repr(exc))
        gevent.sleep(0)


def run_direct(args, config, account_id):
    store = make_store(config)
    stats = Stats()
    deadline = time.monotonic() + args.duration
    started = time.monotonic()
    gevent.joinall([gevent.spawn(direct_client, store, account_db(account_id), account_id,
                                 stats, deadline) for _ in range(args.concurrency)])
    elapsed = time.monotonic() - started
    store.close()
    return stats, elapsed


# --- report ----------------------------------------------------------------------

def table(title, stats, elapsed):
    lines = [f"**{title}** ({elapsed:.1f} s)", "",
             "| operation | count | req/s | p50 ms | p99 ms | errors |",
             "|---|---|---|---|---|---|"]
    for op in OPS:
        values = stats.latencies[op]
        lines.append(f"| {op} | {len(values)} | {len(values) / elapsed:.0f} | "
                     f"{percentile(values, 0.5) * 1000:.1f} | {percentile(values, 0.99) * 1000:.1f}"
                     f" | {stats.errors[op]} |")
    return lines


def _rate(stats, elapsed):
    return sum(len(v) for v in stats.latencies.values()) / elapsed


def report(args, api, direct, api_command):
    (api_stats, api_elapsed), (direct_stats, direct_elapsed) = api, direct
    api_rate, direct_rate = _rate(api_stats, api_elapsed), _rate(direct_stats, direct_elapsed)
    latency_lines = [
        f"- {op}: p50 {percentile(api_stats.latencies[op], 0.5) * 1000:.1f} ms through the API "
        f"vs {percentile(direct_stats.latencies[op], 0.5) * 1000:.2f} ms direct" for op in OPS]
    backend = f"CouchDB at {args.couch_url}" if args.couch_url else "embedded SQLite (WAL) file"
    command = " ".join(shlex.quote(a) for a in ["python"] + sys.argv)
    return "\n".join([
        f"## api_crud ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})", "",
        f"Command: `{command}`", "",
        f"Conferences create -> get -> list(page_size=20) in a loop per client, concurrency "
        f"{args.concurrency}, {args.duration:.0f} s each; store: {backend}; server: "
        f"`{' '.join(api_command[2:])}`.", "",
        *table("through the API (gunicorn, gevent workers)", api_stats, api_elapsed), "",
        *table("directly on the store (same greenlet concurrency, one process)", direct_stats,
               direct_elapsed), "",
        f"- **ratio API/direct (operations per second, all three operations): "
        f"{api_rate / max(1e-9, direct_rate):.3f}** ({api_rate:.0f} req/s vs "
        f"{direct_rate:.0f} ops/s)", *latency_lines, ""])


def append_results(path, text):
    """Append a section, separated from what others appended by one blank line."""
    with open(path, "a+", encoding="utf-8") as out:
        out.seek(0)
        existing = out.read()
        gap = "" if not existing or existing.endswith("\n\n") else \
            ("\n" if existing.endswith("\n") else "\n\n")
        out.write(gap + text)


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    workdir = tempfile.mkdtemp(prefix="bench-api-crud-")
    store_env = {"KZ_STORE": "couchdb", "KZ_COUCH_URL": args.couch_url} if args.couch_url \
        else {"KZ_STORE": "embedded", "KZ_STORE_PATH": os.path.join(workdir, "store.sqlite3")}
    # KZ_ESL_NODES empty: documents only (no live counts from FreeSWITCH in the lists)
    env = dict(os.environ, KZ_TOKEN_SECRET=SECRET, KZ_LOG_LEVEL="WARNING", KZ_ESL_NODES="",
               **store_env)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    config = load_config(env=env)
    store = make_store(config)
    creds = bootstrap(store, account_name=f"bench {new_id()[:6]}", realm="bench.local",
                      username="bench", password="bench")
    store.close()
    api_stats, api_elapsed, command = run_api(args, env, creds)
    direct = run_direct(args, config, creds["account_id"])
    text = report(args, (api_stats, api_elapsed), direct, command)
    print(text)
    errors = sum(api_stats.errors.values()) + sum(direct[0].errors.values())
    if api_stats.first_error or direct[0].first_error:
        print("first error:", api_stats.first_error or direct[0].first_error, file=sys.stderr)
    if not args.no_record:
        append_results(os.path.join(ROOT, "bench", "RESULTS.md"), text)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
