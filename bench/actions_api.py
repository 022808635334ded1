"""actions, the API side: gunicorn serving ``crossbar.wsgi:application`` and the
client greenlets (participant mute/unmute, conference reads) over keep-alive
raw-socket connections (load_kit.RawClient).

Expects the repository and bench/ on sys.path (bench/actions.py sets them).
"""
import http.client
import json
import os
import subprocess
import sys
import time

import gevent
from actions_report import Timings
from load_kit import RawClient

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def start_server(args, env, app="crossbar.wsgi:application", port=None):
    """gunicorn with gevent workers; returns (process, its command line)."""
    command = [sys.executable, "-m", "gunicorn", "-k", args.worker_class, "-w", str(args.workers),
               "-b", f"127.0.0.1:{port or args.port}", "--worker-connections", "1000",
               "--keep-alive", "30", "--log-level", "warning", app]
    return subprocess.Popen(command, env=env, cwd=ROOT, stdin=subprocess.DEVNULL), command


def wait_accepting(port, server, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        client = RawClient(port, "")
        try:
            if client.request("GET", "/", b"")[0] == 202:
                return
        except OSError:
            time.sleep(0.2)
        finally:
            client.close()
    raise SystemExit("the floor server did not answer")


def run_floor(args, env, account_id, mute_room, member_ids):
    """The same requests against bench/http_floor_app.py under the same gunicorn:
    ``(timings, elapsed, server CPU seconds)``."""
    from load_kit import child_pids, process_cpu
    port = args.port + 1
    env = dict(env, PYTHONPATH=os.path.join(ROOT, "bench") + os.pathsep + env["PYTHONPATH"])
    server, _ = start_server(args, env, "http_floor_app:application", port)
    try:
        wait_accepting(port, server)
        cpu = lambda: sum(process_cpu(pid) for pid in [server.pid] + child_pids(server.pid))  # noqa: E731
        before = cpu()
        timings, elapsed = run_api_actions(args, "floor", account_id, mute_room, member_ids,
                                           port=port)
        return timings, elapsed, cpu() - before
    finally:
        server.terminate()
        server.wait(15)


def http_loop(port, token, requests, timings, deadline, expect):
    """``requests``: a cycle of (method, path, body) sent over one keep-alive
    connection (load_kit.RawClient: little client CPU on the shared cores)."""
    client = RawClient(port, token)
    index = 0
    while time.monotonic() < deadline:
        method, path, body = requests[index % len(requests)]
        index += 1
        started = time.perf_counter()
        try:
            status, payload = client.request(method, path, body or b"")
        except (OSError, ValueError) as exc:
            client.close()
            timings.add(started, False, repr(exc))
            continue
        timings.add(started, status == expect, f"{status} {payload[:200]!r}")
    client.close()


def run_api_actions(args, token, account_id, mute_room, member_ids, port=None):
    timings = Timings()
    base = f"/v2/accounts/{account_id}/conferences/{mute_room}/participants"
    deadline = time.monotonic() + args.duration
    started = time.monotonic()
    jobs = []
    for index in range(args.concurrency):
        member = member_ids[index % len(member_ids)]
        cycle = [("PUT", f"{base}/{member}", json.dumps({"data": {"action": verb}}).encode())
                 for verb in ("mute", "unmute")]
        jobs.append(gevent.spawn(http_loop, port or args.port, token, cycle, timings, deadline,
                                 202))
    gevent.joinall(jobs)
    return timings, time.monotonic() - started


def run_reads(args, token, path, check):
    timings = Timings()
    deadline = time.monotonic() + args.read_duration
    started = time.monotonic()
    gevent.joinall([gevent.spawn(http_loop, args.port, token, [("GET", path, None)], timings,
                                 deadline, 200) for _ in range(args.read_concurrency)])
    conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
    conn.request("GET", path, headers={"X-Auth-Token": token})
    check(json.loads(conn.getresponse().read())["data"])
    conn.close()
    return timings, time.monotonic() - started
