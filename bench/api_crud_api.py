"""api_crud, the API side: gunicorn serving ``crossbar.wsgi:application``, a login,
and client greenlets looping create -> get -> list over raw keep-alive HTTP/1.1.

Expects the repository and bench/ on sys.path (bench/api_crud.py sets them).
"""
import json
import os
import subprocess
import sys
import time

import gevent
from load_kit import RawClient, Stats, child_pids, cpu_snapshot, cpu_used

from kzcore.naming import new_id

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAGE_SIZE = 20


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
    """Start gunicorn, load it for ``args.duration`` s, stop it.
    Returns (stats, elapsed, gunicorn command, CPU used)."""
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
