"""api_crud, the direct side: the store calls the API makes (save of the same
validated document, get, the list page query), run in worker processes that
each start on a "go" line so all run for the same time.

Workers are ``bench/api_crud.py --direct-worker <spec>`` (the script patches
gevent first). Expects the repository and bench/ on sys.path.
"""
import json
import os
import subprocess
import sys
import time

import gevent
from api_crud_api import PAGE_SIZE, conference_fields
from load_kit import Stats, cpu_snapshot, cpu_used

from kzcore.config import load_config
from kzcore.naming import account_db, new_id
from kzcore.store.factory import make_store

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
SCRIPT = os.path.join(BENCH, "api_crud.py")


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
        workers.append(subprocess.Popen([sys.executable, SCRIPT,
                                         "--direct-worker", spec], env=env, cwd=ROOT,
                                        stdout=subprocess.PIPE, stdin=subprocess.PIPE))
    for worker in workers:
        if worker.stdout.readline().strip() != b"ready":
            raise SystemExit("a direct worker failed to start")
    return workers


def run_direct(args, env, account_id):
    """Returns (merged stats, elapsed until the first worker finished, CPU used)."""
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
