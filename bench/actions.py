"""Live-control benchmark: participant mute/unmute through the API (gunicorn,
gevent workers, ``crossbar.wsgi``) next to the same mod_conference commands
sent as raw ESL round trips to the same simulator; then GET of a conference with
200 participants and the list of 100 live conferences spread over 2 nodes.

Two ``fssim`` processes play the FreeSWITCH nodes. Callers join through
``originate ... loopback/conf_<room>/default silent`` over ESL, as on the real
switch. Every API answer must be 202 (actions) / 200 (reads); every ESL reply
``+OK`` — anything else counts as an error.

    python bench/actions.py                       # 50 clients, 30 s, 2 workers
    python bench/actions.py --duration 5 --read-duration 3 --no-record
    python bench/actions.py --no-reads            # the mute/unmute phases only

Each action phase also reports the CPU seconds used meanwhile by the server
(gunicorn and its workers), the simulators, the load generator and the rest of
the machine (from /proc): the server's CPU per action is the stable figure on a
shared machine. A member action's profile: bench/actions_profile.py.

Appends the figures (with the exact command) to bench/RESULTS.md unless --no-record.
The parts: actions_switch.py (the fssim nodes and their callers), actions_api.py
(gunicorn and the HTTP clients), actions_raw.py (the raw ESL baselines),
actions_report.py (timings and the RESULTS.md section).
"""
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from actions_api import run_api_actions, run_floor, run_reads, start_server  # noqa: E402
from actions_raw import run_raw_esl, run_raw_reads  # noqa: E402
from actions_report import report  # noqa: E402
from actions_switch import populate, start_sims  # noqa: E402
from api_crud_api import wait_and_login  # noqa: E402
from api_crud_report import append_results  # noqa: E402
from load_kit import child_pids, machine_busy, own_cpu, process_cpu  # noqa: E402
from crossbar.bootstrap import bootstrap  # noqa: E402
from kzcore.config import load_config  # noqa: E402
from kzcore.naming import fs_conference_name, new_id  # noqa: E402
from kzcore.store.factory import make_store  # noqa: E402

SECRET = "bench-actions-secret"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=30.0, help="mute/unmute phases, s")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn gevent workers")
    parser.add_argument("--worker-class", default="gevent", choices=("gevent", "gevent_pywsgi"),
                        help="gunicorn worker class")
    parser.add_argument("--members", type=int, default=50, help="callers muted/unmuted")
    parser.add_argument("--big", type=int, default=200, help="participants of the big room")
    parser.add_argument("--rooms", type=int, default=100, help="live conferences in the list")
    parser.add_argument("--read-duration", type=float, default=10.0)
    parser.add_argument("--read-concurrency", type=int, default=10)
    parser.add_argument("--port", type=int, default=18741)
    parser.add_argument("--no-record", action="store_true")
    parser.add_argument("--no-reads", action="store_true", help="skip the read phases")
    parser.add_argument("--no-floor", action="store_true",
                        help="skip the HTTP floor phase (bench/http_floor_app.py)")
    return parser.parse_args(argv)


def bench_env(workdir, sims):
    """The server's environment: both nodes, a fresh embedded store file in ``workdir``."""
    nodes = ",".join(f"{name}=127.0.0.1:{port}:ClueCon" for name, port, _ in sims)
    env = dict(os.environ, KZ_TOKEN_SECRET=SECRET, KZ_LOG_LEVEL="WARNING", KZ_ESL_NODES=nodes,
               KZ_STORE="embedded", KZ_STORE_PATH=os.path.join(workdir, "store.sqlite3"),
               KZ_RECORDINGS_DIR=os.path.join(workdir, "rec"), KZ_ESL_TIMEOUT="10")
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    return env


def prepare(args, sims, env):
    """A bench account and its rooms: (creds, (mute_room, member_ids, big_room))."""
    store = make_store(load_config(env=env))
    creds = bootstrap(store, account_name=f"bench {new_id()[:6]}", realm="bench.local",
                      username="bench", password="bench")
    rooms = populate(args, sims, store, creds["account_id"])
    store.close()
    return creds, rooms


def cpu_now(server, sims):
    """CPU seconds so far: server (gunicorn + workers), simulators, this generator, machine."""
    return {"server": sum(process_cpu(pid) for pid in [server.pid] + child_pids(server.pid)),
            "sims": sum(process_cpu(proc.pid) for _, _, proc in sims),
            "generator": own_cpu(), "machine": machine_busy()}


def with_cpu(server, sims, run):
    """``run()``'s result and the CPU seconds each part used meanwhile."""
    before = cpu_now(server, sims)
    result = run()
    after = cpu_now(server, sims)
    used = {key: after[key] - before[key] for key in before}
    used["other"] = max(0.0, used["machine"] - used["server"] - used["sims"] - used["generator"])
    return result, used


def measure(args, sims, token, account_id, rooms, server, env):
    """Actions (API, raw ESL, each with its CPU), then reads (GET one, list; each raw too)."""
    mute_room, member_ids, big_room = rooms
    api, api_cpu = with_cpu(server, sims, lambda: run_api_actions(
        args, token, account_id, mute_room, member_ids))
    raw, raw_cpu = with_cpu(server, sims, lambda: run_raw_esl(
        args, sims, fs_conference_name(account_id, mute_room), member_ids))
    cpu = {"api": api_cpu, "raw": raw_cpu}
    if not args.no_floor:
        cpu["floor"] = run_floor(args, env, account_id, mute_room, member_ids)
    if args.no_reads:
        return (api, raw), cpu
    base = f"/v2/accounts/{account_id}/conferences"

    def big_ok(data):
        assert data["_read_only"]["members"] == args.big, data["_read_only"]["members"]

    def list_ok(data):
        live = sum(1 for item in data if item["members"] > 0)
        assert live == args.rooms + 2, live
    big = run_reads(args, token, f"{base}/{big_room}", big_ok)
    listing = run_reads(args, token, f"{base}?paginate=false", list_ok)
    big_room_name = fs_conference_name(account_id, big_room)
    raw_big = run_raw_reads(args, sims, [(0, f"conference {big_room_name} json_list"),
                                         (1, f"conference {big_room_name} json_list")])
    raw_list = run_raw_reads(args, sims, [(0, "conference json_list"),
                                          (1, "conference json_list")])
    return (api, raw, big, listing, raw_big, raw_list), cpu


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    workdir = tempfile.mkdtemp(prefix="bench-actions-")
    sims = start_sims(workdir)
    env = bench_env(workdir, sims)
    server = None
    try:
        creds, rooms = prepare(args, sims, env)
        server, command = start_server(args, env)
        token = wait_and_login(args.port, creds["api_key"], server)
        load_before = os.getloadavg()
        results, cpu = measure(args, sims, token, creds["account_id"], rooms, server, env)
        text = report(args, results, command, cpu, load_before)
        print(text)
        failures = [t.first_error for t, _ in results if t.first_error]
        if failures:
            print("first errors:", failures, file=sys.stderr)
        if not args.no_record:
            append_results(os.path.join(ROOT, "bench", "RESULTS.md"), text)
        return 1 if failures else 0
    finally:
        for proc in [server] + [proc for _, _, proc in sims]:
            if proc is not None:
                proc.terminate()
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()


if __name__ == "__main__":
    sys.exit(main())
