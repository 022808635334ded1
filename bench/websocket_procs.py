"""websocket, the processes of one run: the gateway (``blackhole.cli``), the
subscribers' client process, the publisher, and stopping them all.

Expects the repository on sys.path (bench/websocket.py sets it).
"""
import json
import os
import select
import socket
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECRET = "bench-websocket-secret"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def token_for(account_id):
    from kzcore.tokens import TokenSigner
    return TokenSigner(SECRET, lifetime=3600).issue({"account_id": account_id})


def seed_account(workdir, account_id):
    """The account the tokens name, in the gateway's store: a token of an
    account that does not exist is refused (kzcore.principals)."""
    from kzcore.naming import ACCOUNTS_DB
    from kzcore.store.embedded import EmbeddedStore
    store = EmbeddedStore(os.path.join(workdir, "store.sqlite3"))
    store.save(ACCOUNTS_DB, {"_id": account_id, "pvt_type": "account", "pvt_tree": []})
    store.close()


def start_gateway(args, port, workdir):
    env = dict(os.environ, PYTHONPATH=ROOT, KZ_AMQP_URL=args.amqp_url, KZ_TOKEN_SECRET=SECRET,
               KZ_STORE="embedded", KZ_STORE_PATH=os.path.join(workdir, "store.sqlite3"),
               KZ_LOG_LEVEL="WARNING", KZ_BLACKHOLE_HOST="127.0.0.1")
    command = [sys.executable, "-m", "blackhole.cli", "--port", str(port),
               "--queue-size", str(args.queue_size)]
    if getattr(args, "write_interval", None) is not None:
        command += ["--write-interval", str(args.write_interval)]
    if getattr(args, "profile", None):     # stats written when the gateway stops (SIGTERM)
        command[1:2] = ["-m", "cProfile", "-o", f"{args.profile}.{args.current_rate}", "-m"]
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            health(port)
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the gateway did not come up")


def health(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as response:
        return json.loads(response.read())


def start_clients(kind, port, count, subscribe):
    """The subscribers' process; returns once all are subscribed."""
    if kind == "node":
        command = ["node", "--experimental-websocket", "--no-warnings",
                   os.path.join(ROOT, "bench", "ws_clients.js"), f"ws://127.0.0.1:{port}/",
                   str(count), subscribe]
    else:
        command = [sys.executable, os.path.join(ROOT, "bench", "ws_pyclients.py"), str(port),
                   str(count), subscribe]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = read_line(process, 90)
    if not line or not json.loads(line).get("ready"):
        process.kill()
        raise SystemExit(f"the {kind} clients failed to subscribe: {line!r}")
    return process


def stop_clients(process):
    process.stdin.write("stop\n")
    process.stdin.flush()
    line = read_line(process, 30)
    process.wait(timeout=10)
    return json.loads(line)


def read_line(process, timeout):
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    return process.stdout.readline() if ready else ""


def run_publisher(args, account_id, conference_id, rate):
    """The publisher's process; it reports the CPU time it spent publishing."""
    command = [sys.executable, os.path.join(ROOT, "bench", "ws_publish.py"), args.amqp_url,
               account_id, conference_id, str(rate), str(args.duration)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    output = process.stdout.read()
    if process.wait(timeout=30):
        raise SystemExit(f"the publisher failed ({process.returncode})")
    return json.loads(output.strip().splitlines()[-1])


def cleanup(gateway, consumer, clients, stop):
    stop.set()
    if clients is not None and clients.poll() is None:
        clients.kill()
        clients.wait(timeout=10)
    if consumer is not None:
        consumer.join(timeout=5)
        if consumer.is_alive():
            consumer.kill()
    gateway.terminate()
    try:
        gateway.wait(timeout=10)
    except subprocess.TimeoutExpired:
        gateway.kill()
        gateway.wait(timeout=5)
