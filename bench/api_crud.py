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
"""
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from load_kit import (OPS, RawClient, Stats, child_pids, cpu_snapshot,  # noqa: E402
                      cpu_used, percentile)
from crossbar.bootstrap import bootstrap  # noqa: E402
from kzcore.config import load_config  # noqa: E402
from kzcore.naming import account_db, new_id  # noqa: E402
from kzcore.store.factory import make_store  # noqa: E402

SECRET = "bench-api-crud-secret"
PAGE_SIZE = 20


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


# --- through the API -----------------------------------------------------------

def unique_number():
    return str(int(new_id()[:12], 16) % 10 ** 12).zfill(12)


def conference_fields(prefix, with_number):
    fields = {"name": f"{prefix} {new_id()[:8]}"}
    if with_number:
        fields["conference_numbers"] = [unique_number()]
    return fields


def api_client(port, token, account_id, stats, deadline, with_number=False):
    client = RawClient(port, token)
    base = f"/v2/accounts/{account_id}/conferences"

    def call(op, method, path, body=b""):
        started = time.perf_counter()
        try:
            status, payload = client.request(method, path, body)
        except OSError as exc:
            client.close()
            stats.record(op, started, False, repr(exc))
            return None
        ok = 200 <= status < 300
        stats.record(op, started, ok, f"{status} {payload[:200]!r}")
        return payload if ok else None

    while time.monotonic() < deadline:
        body = json.dumps({"data": conference_fields("bench", with_number)}).encode()
        created = call("create", "PUT", base, body)
        if created:
            call("get", "GET", f"{base}/{json.loads(created)['data']['id']}")
        call("list", "GET", f"{base}?page_size={PAGE_SIZE}")
    client.close()


def gunicorn_command(args):
    return [sys.executable, "-m", "gunicorn", "-k", args.worker_class, "-w", str(args.workers),
            "-b", f"127.0.0.1:{args.port}", "--worker-connections", "1000",
            "--keep-alive", "30", "--log-level", "warning", "crossbar.wsgi:application"]


def run_api(args, env, creds):
    command = gunicorn_command(args)
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdin=subprocess.DEVNULL)
    try:
        token = wait_and_login(args.port, creds["api_key"], server)
        pids = [server.pid] + child_pids(server.pid)
        stats = Stats()
        deadline = time.monotonic() + args.duration
        started, before = time.monotonic(), cpu_snapshot(pids)
        gevent.joinall([gevent.spawn(api_client, args.port, token, creds["account_id"], stats,
                                     deadline, args.numbers) for _ in range(args.concurrency)])
        elapsed = time.monotonic() - started
        return stats, elapsed, command, cpu_used(before, cpu_snapshot(pids), elapsed)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


def wait_and_login(port, api_key, server, timeout=30.0):
    deadline = time.monotonic() + timeout
    body = json.dumps({"data": {"api_key": api_key}}).encode()
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        client = RawClient(port, "")
        try:
            status, payload = client.request("PUT", "/v2/api_auth", body)
            if status == 201:
                return json.loads(payload)["auth_token"]
        except OSError:
            pass
        finally:
            client.close()
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer in time")


# --- directly on the store -------------------------------------------------------

def conference_template(store):
    """The document the API stores for ``{"name": ...}`` (schema defaults filled)."""
    from kzcore.schemas.loader import load_schemas
    from kzcore.schemas.registry import SchemaRegistry
    load_schemas(store)
    return SchemaRegistry(store).validate("conferences", {"name": "template"})


def direct_client(store, service, account_id, template, stats, deadline, with_number):
    """The store calls the API makes for create (with the numbers-in-use query
    when the conference has numbers), get and list (page_size 20)."""
    from crossbar import documents
    from crossbar.conferences import numbers
    db = account_db(account_id)
    while time.monotonic() < deadline:
        started, op = time.perf_counter(), "create"
        try:
            doc = {**template, **conference_fields("direct", with_number), "_id": new_id(),
                   **documents.new_private(account_id, "conference")}
            if with_number:
                store.find(db, numbers.selector_using(numbers.all_numbers(doc)))
            saved = store.save(db, doc)
            stats.record(op, started, True)
            started, op = time.perf_counter(), "get"
            store.get(db, saved["_id"])
            stats.record(op, started, True)
            started, op = time.perf_counter(), "list"
            service.page_of_docs(account_id, {"page_size": str(PAGE_SIZE)})
            stats.record(op, started, True)
        except Exception as exc:  # a bench counts every failure
            stats.record(op, started, False, repr(exc))
        gevent.sleep(0)


def direct_worker(spec):
    """One direct process: ``spec`` = concurrency, duration, account_id, numbers.
    Says "ready" once set up, starts on the "go" line, prints its Stats as JSON."""
    from crossbar.conferences.service import ConferencesService
    store = make_store(load_config())
    service = ConferencesService(store, None)
    template = conference_template(store)
    print("ready", flush=True)
    sys.stdin.readline()  # "go": every process is set up
    deadline = time.monotonic() + spec["duration"]
    stats = Stats()
    gevent.joinall([gevent.spawn(direct_client, store, service, spec["account_id"], template,
                                 stats, deadline, spec["numbers"])
                    for _ in range(spec["concurrency"])])
    store.close()
    json.dump(stats.to_json(), sys.stdout)


def start_direct_workers(args, env, account_id):
    procs = args.direct_procs or args.workers
    workers = []
    for index in range(procs):
        share = args.concurrency // procs + (1 if index < args.concurrency % procs else 0)
        spec = json.dumps({"concurrency": share, "numbers": args.numbers,
                           "duration": args.duration, "account_id": account_id})
        workers.append(subprocess.Popen([sys.executable, os.path.abspath(__file__),
                                         "--direct-worker", spec], env=env, cwd=ROOT,
                                        stdout=subprocess.PIPE, stdin=subprocess.PIPE))
    for worker in workers:
        if worker.stdout.readline().strip() != b"ready":
            raise SystemExit("a direct worker failed to start")
    return workers


def run_direct(args, env, account_id):
    workers = start_direct_workers(args, env, account_id)
    pids = [w.pid for w in workers]
    started, before = time.monotonic(), cpu_snapshot(pids)
    for worker in workers:
        worker.stdin.write(b"go\n")
        worker.stdin.flush()
    after, elapsed, stats, outputs = None, None, Stats(), []
    for worker in workers:
        outputs.append(worker.stdout.read())
        if after is None:  # the first one finished: all ran for the same time
            after, elapsed = cpu_snapshot(pids), time.monotonic() - started
    for worker, output in zip(workers, outputs):
        worker.wait()
        stats.merge(json.loads(output))
    return stats, elapsed, cpu_used(before, after, elapsed)


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


def cpu_line(label, used, side, rate):
    """Cores used, and the side's CPU per operation (robust to a busy machine)."""
    return (f"- CPU during the {label} run (cores of {os.cpu_count()}): {side} "
            f"{used['server']:.2f} ({used['server'] * 1000 / max(rate, 1e-9):.2f} ms CPU per "
            f"operation), load generator {used['generator']:.2f}, other processes on the "
            f"machine {used['other']:.2f}")


def cpu_ratio(api_cpu, api_rate, direct_cpu, direct_rate):
    api_cost = api_cpu["server"] / max(api_rate, 1e-9)
    return f"{direct_cpu['server'] / max(direct_rate, 1e-9) / max(api_cost, 1e-9):.3f}"


def report(args, api, direct, api_command):
    (api_stats, api_elapsed, api_cpu), (direct_stats, direct_elapsed, direct_cpu) = api, direct
    api_rate, direct_rate = _rate(api_stats, api_elapsed), _rate(direct_stats, direct_elapsed)
    latency_lines = [
        f"- {op}: p50 {percentile(api_stats.latencies[op], 0.5) * 1000:.1f} ms through the API "
        f"vs {percentile(direct_stats.latencies[op], 0.5) * 1000:.2f} ms direct" for op in OPS]
    backend = f"CouchDB at {args.couch_url}" if args.couch_url else "embedded SQLite (WAL) file"
    command = " ".join(shlex.quote(a) for a in ["python"] + sys.argv)
    procs = args.direct_procs or args.workers
    return "\n".join([
        f"## api_crud ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})", "",
        f"Command: `{command}`", "",
        f"Conferences create{' (each with a unique conference number)' if args.numbers else ''}"
        f" -> get -> list(page_size={PAGE_SIZE}) in a loop per client, "
        f"concurrency {args.concurrency}, {args.duration:.0f} s each; store: {backend}; server: "
        f"`{' '.join(api_command[2:])}`; client: raw-socket keep-alive HTTP/1.1.", "",
        *table("through the API (gunicorn, gevent workers)", api_stats, api_elapsed), "",
        *table(f"directly on the store (the same store calls, {args.concurrency} greenlets "
               f"over {procs} processes)", direct_stats, direct_elapsed), "",
        f"- **ratio API/direct (operations per second, all three operations): "
        f"{api_rate / max(1e-9, direct_rate):.3f}** ({api_rate:.0f} req/s vs "
        f"{direct_rate:.0f} ops/s)", *latency_lines,
        cpu_line("API", api_cpu, "gunicorn", api_rate),
        cpu_line("direct", direct_cpu, "store processes", direct_rate),
        f"- CPU per operation, direct/API: {cpu_ratio(api_cpu, api_rate, direct_cpu, direct_rate)}",
        ""])


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
    if args.direct_worker:
        direct_worker(json.loads(args.direct_worker))
        return 0
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
