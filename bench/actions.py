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
    KZ_ROOM_CACHE_TTL=0 python bench/actions.py   # the server without its room cache

Appends the figures (with the exact command) to bench/RESULTS.md unless --no-record.
"""
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import shlex  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import gevent  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from bench.api_crud import append_results, percentile, wait_and_login  # noqa: E402
from crossbar import documents  # noqa: E402
from crossbar.bootstrap import bootstrap  # noqa: E402
from crossbar.live.compose import COMMAND_EVENTS  # noqa: E402
from kzcore.config import SETTINGS, load_config  # noqa: E402
from kzcore.esl.client import EslClient  # noqa: E402
from kzcore.naming import account_db, fs_conference_name, new_id  # noqa: E402
from kzcore.store.factory import make_store  # noqa: E402

SECRET = "bench-actions-secret"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=30.0, help="mute/unmute phases, s")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn gevent workers")
    parser.add_argument("--members", type=int, default=50, help="callers muted/unmuted")
    parser.add_argument("--big", type=int, default=200, help="participants of the big room")
    parser.add_argument("--rooms", type=int, default=100, help="live conferences in the list")
    parser.add_argument("--read-duration", type=float, default=10.0)
    parser.add_argument("--read-concurrency", type=int, default=10)
    parser.add_argument("--port", type=int, default=18741)
    parser.add_argument("--no-record", action="store_true")
    return parser.parse_args(argv)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Timings:
    def __init__(self):
        self.values, self.errors, self.first_error = [], 0, None

    def add(self, started, ok, detail=None):
        if ok:
            self.values.append(time.perf_counter() - started)
        else:
            self.errors += 1
            self.first_error = self.first_error or detail

    def row(self, name, elapsed):
        return (f"| {name} | {len(self.values)} | {len(self.values) / elapsed:.0f} | "
                f"{percentile(self.values, 0.5) * 1000:.1f} | "
                f"{percentile(self.values, 0.99) * 1000:.1f} | {self.errors} |")


# --- the switch side -------------------------------------------------------------

def start_sims(workdir):
    sims = []
    for index in (1, 2):
        port = free_port()
        proc = subprocess.Popen([sys.executable, "-m", "fssim.cli", "--port", str(port),
                                 "--hostname", f"bench{index}", "--log-level", "WARNING",
                                 "--recordings-dir", workdir], cwd=ROOT,
                                stdin=subprocess.DEVNULL)
        sims.append((f"freeswitch@bench{index}", port, proc))
    for name, port, _ in sims:
        client = EslClient("127.0.0.1", port, "ClueCon", name=name, timeout=5)
        deadline = time.monotonic() + 15
        while True:
            try:
                client.connect()
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise SystemExit(f"simulator {name} did not start")
                time.sleep(0.2)
        client.close()
    return sims


def esl(port, name):
    """A command connection (no event subscription, like crossbar's own pool)."""
    return EslClient("127.0.0.1", port, "ClueCon", name=name, timeout=10,
                     events=COMMAND_EVENTS).connect()


def fill_room(client, room, count, first_number):
    for n in range(count):
        number = first_number + n
        reply = client.api(f"originate {{origination_caller_id_number={number},"
                           f"origination_caller_id_name=Caller{number}}}"
                           f"loopback/conf_{room}/default silent XML default", timeout=10)
        if not reply.startswith("+OK"):
            raise SystemExit(f"originate failed: {reply}")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        listed = json.loads(client.api(f"conference {room} json_list") or "[]")
        ids = [m["id"] for m in listed[0]["members"] if m.get("type") == "caller"] if listed else []
        if len(ids) >= count:
            return ids
        time.sleep(0.1)
    raise SystemExit(f"room {room} never reached {count} members")


def populate(args, sims, store, account_id):
    db = account_db(account_id)

    def conference(name):
        doc = {"_id": new_id(), "name": name, **documents.new_private(account_id, "conference")}
        store.save(db, doc)
        return doc["_id"]
    mute_room, big_room = conference("mute room"), conference("big room")
    rooms = [conference(f"room {n}") for n in range(args.rooms)]
    clients = [esl(port, name) for name, port, _ in sims]
    member_ids = fill_room(clients[0], fs_conference_name(account_id, mute_room), args.members, 10000)
    fill_room(clients[1], fs_conference_name(account_id, big_room), args.big, 20000)
    for index, room in enumerate(rooms):
        fill_room(clients[index % 2], fs_conference_name(account_id, room), 1, 30000 + index)
    for client in clients:
        client.close()
    return mute_room, member_ids, big_room


# --- load --------------------------------------------------------------------------

def http_loop(port, token, requests, timings, deadline, expect):
    """``requests``: a cycle of (method, path, body) sent over one keep-alive connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"X-Auth-Token": token, "Content-Type": "application/json"}
    index = 0
    while time.monotonic() < deadline:
        method, path, body = requests[index % len(requests)]
        index += 1
        started = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            reply = conn.getresponse()
            payload = reply.read()
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            timings.add(started, False, repr(exc))
            continue
        timings.add(started, reply.status == expect, f"{reply.status} {payload[:200]!r}")
    conn.close()


def run_api_actions(args, token, account_id, mute_room, member_ids):
    timings = Timings()
    base = f"/v2/accounts/{account_id}/conferences/{mute_room}/participants"
    deadline = time.monotonic() + args.duration
    started = time.monotonic()
    jobs = []
    for index in range(args.concurrency):
        member = member_ids[index % len(member_ids)]
        cycle = [("PUT", f"{base}/{member}", json.dumps({"data": {"action": verb}}))
                 for verb in ("mute", "unmute")]
        jobs.append(gevent.spawn(http_loop, args.port, token, cycle, timings, deadline, 202))
    gevent.joinall(jobs)
    return timings, time.monotonic() - started


def esl_loop(client, room, member, timings, deadline):
    verbs, index = ("mute", "unmute"), 0
    while time.monotonic() < deadline:
        command = f"conference {room} {verbs[index % 2]} {member}"
        index += 1
        started = time.perf_counter()
        try:
            reply = client.api(command)
        except Exception as exc:  # a bench counts every failure
            timings.add(started, False, repr(exc))
            continue
        timings.add(started, reply.startswith("+OK"), reply)
        gevent.sleep(0)  # let the other greenlets on this connection take their turn


def run_raw_esl(args, sims, room, member_ids):
    """The same commands, same concurrency, on as many connections as the API's workers hold."""
    name, port, _ = sims[0]
    clients = [esl(port, name) for _ in range(args.workers)]
    timings = Timings()
    deadline = time.monotonic() + args.duration
    started = time.monotonic()
    gevent.joinall([gevent.spawn(esl_loop, clients[index % len(clients)], room,
                                 member_ids[index % len(member_ids)], timings, deadline)
                    for index in range(args.concurrency)])
    elapsed = time.monotonic() - started
    for client in clients:
        client.close()
    return timings, elapsed


def esl_read_loop(client, command, timings, deadline):
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            reply = client.api(command)
        except Exception as exc:  # a bench counts every failure
            timings.add(started, False, repr(exc))
            continue
        timings.add(started, reply.startswith("["), reply[:200])


def run_raw_reads(args, sims, commands):
    """``commands``: [(sim index, api command)] asked together per read, like the API does."""
    clients = {index: [esl(sims[index][1], sims[index][0]) for _ in range(args.workers)]
               for index, _ in commands}
    timings = Timings()
    deadline = time.monotonic() + args.read_duration
    started = time.monotonic()

    def one_client(slot):
        while time.monotonic() < deadline:
            began = time.perf_counter()
            calls = [gevent.spawn(clients[index][slot % args.workers].api, command)
                     for index, command in commands]
            gevent.joinall(calls)
            ok = all(call.successful() and call.value.startswith(("[", "-ERR Conference"))
                     for call in calls)  # a node not hosting the room says "not found"
            timings.add(began, ok, [str(call.value or call.exception)[:100] for call in calls])
    gevent.joinall([gevent.spawn(one_client, n) for n in range(args.read_concurrency)])
    elapsed = time.monotonic() - started
    for group in clients.values():
        for client in group:
            client.close()
    return timings, elapsed


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


# --- report ------------------------------------------------------------------------

def report(args, results, server_command):
    (api, api_s), (raw, raw_s), (big, big_s), (listing, list_s), (raw_big, raw_big_s), \
        (raw_list, raw_list_s) = results
    api_rate, raw_rate = len(api.values) / api_s, len(raw.values) / raw_s
    command = " ".join(shlex.quote(a) for a in ["python"] + sys.argv)
    header = "| operation | count | per s | p50 ms | p99 ms | errors |\n|---|---|---|---|---|---|"
    return "\n".join([
        f"## actions ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})", "",
        f"Command: `{command}`", "",
        f"Participant mute/unmute alternating, {args.concurrency} clients on {args.members} "
        f"callers of one room, {args.duration:.0f} s per phase; two `fssim` processes as the "
        f"nodes; server: `{' '.join(server_command[2:])}` (embedded SQLite store). Raw ESL: the "
        f"same `conference <room> mute|unmute <id>` api commands, same concurrency, over "
        f"{args.workers} ESL connections (one per worker, as the API holds). Each API action "
        f"goes to the node its worker last saw the room on (room cache, "
        f"KZ_ROOM_CACHE_TTL={room_cache_ttl()} s; 0 = off); without that hint it first asks "
        "both nodes where the room is (`conference <room> list count`).", "",
        header, api.row("mute/unmute through the API", api_s),
        raw.row("mute/unmute as raw ESL round trips", raw_s), "",
        f"- **ratio API/raw ESL (actions per second): {api_rate / max(1e-9, raw_rate):.3f}** "
        f"({api_rate:.0f} vs {raw_rate:.0f} per s)",
        f"- load average when done: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
        f"(the machine is shared: other suites may run meanwhile)", "",
        f"Reads, {args.read_concurrency} clients, {args.read_duration:.0f} s each:", "",
        header, big.row(f"GET conference with {args.big} participants", big_s),
        raw_big.row(f"raw ESL: `conference <room> json_list` to both nodes ({args.big} members)",
                    raw_big_s),
        listing.row(f"GET conference list ({args.rooms + 2} live on 2 nodes)", list_s),
        raw_list.row("raw ESL: `conference json_list` to both nodes", raw_list_s), "",
        f"- ratio API/raw ESL, GET one: {rate(big, big_s) / max(1e-9, rate(raw_big, raw_big_s)):.3f}; "
        f"list: {rate(listing, list_s) / max(1e-9, rate(raw_list, raw_list_s)):.3f}. The simulator "
        "renders json_list in Python (tens of ms for 200 members), so reads are bound by it; "
        "FreeSWITCH renders it in C.", ""])


def room_cache_ttl():
    """The TTL the server runs with (inherited from this environment, as the server's)."""
    return os.environ.get("KZ_ROOM_CACHE_TTL", SETTINGS["room_cache_ttl"][1])


def rate(timings, elapsed):
    return len(timings.values) / elapsed


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    workdir = tempfile.mkdtemp(prefix="bench-actions-")
    sims = start_sims(workdir)
    nodes = ",".join(f"{name}=127.0.0.1:{port}:ClueCon" for name, port, _ in sims)
    env = dict(os.environ, KZ_TOKEN_SECRET=SECRET, KZ_LOG_LEVEL="WARNING", KZ_ESL_NODES=nodes,
               KZ_STORE="embedded", KZ_STORE_PATH=os.path.join(workdir, "store.sqlite3"),
               KZ_RECORDINGS_DIR=os.path.join(workdir, "rec"), KZ_ESL_TIMEOUT="10")
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    server = None
    try:
        store = make_store(load_config(env=env))
        creds = bootstrap(store, account_name=f"bench {new_id()[:6]}", realm="bench.local",
                          username="bench", password="bench")
        account_id = creds["account_id"]
        mute_room, member_ids, big_room = populate(args, sims, store, account_id)
        store.close()
        command = [sys.executable, "-m", "gunicorn", "-k", "gevent", "-w", str(args.workers),
                   "-b", f"127.0.0.1:{args.port}", "--worker-connections", "1000",
                   "--keep-alive", "30", "--log-level", "warning", "crossbar.wsgi:application"]
        server = subprocess.Popen(command, env=env, cwd=ROOT, stdin=subprocess.DEVNULL)
        token = wait_and_login(args.port, creds["api_key"], server)
        room = fs_conference_name(account_id, mute_room)
        api = run_api_actions(args, token, account_id, mute_room, member_ids)
        raw = run_raw_esl(args, sims, room, member_ids)
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
        text = report(args, (api, raw, big, listing, raw_big, raw_list), command)
        print(text)
        failures = [t.first_error for t, _ in (api, raw, big, listing, raw_big, raw_list)
                    if t.first_error]
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
