"""Websocket fan-out benchmark: N websocket subscribers on one conference vs a plain AMQP consumer.

Per rate (default 100, 250, 500, 1,000 events/s, 15 s each) it starts, in
separate processes so that each one's CPU time is its own:

- the gateway, ``python -m blackhole.cli`` (one AMQP consumer for all sockets);
- the N subscribers in ONE client process: raw sockets on a selectors loop
  (bench/ws_pyclients.py, the default) or Node's built-in WebSocket
  (bench/ws_clients.js, ``--clients node``). Measured: about the same CPU per
  frame at 250 events/s, but at 1,000 events/s Node's one thread saturates
  (5.4 vs 3.3 us per frame; p50 0.76 s and drops). Each client subscribes with the
  Kazoo protocol to ``conference.event.{conference_id}.*`` with a TokenSigner
  token of the conference's account;
- a plain pika consumer bound to the same key (the baseline);
- the publisher, bench/ws_publish.py: seed-002-shaped participant events through
  ``kzcore.bus.pika_publisher.PikaPublisher`` (what ecallmgr uses) at a fixed rate.

Every event carries its send time, so both sides measure delivery latency;
lost = published - received per subscriber (after a 3 s tail). CPU seconds
come from /proc for every process, RabbitMQ and the machine as a whole.

    python bench/websocket.py                                  # 200 subscribers, 4 rates
    python bench/websocket.py --rates 1000 --duration 10 --clients node --no-record

Stops by itself; prints the figures and appends them (with the exact command)
to bench/RESULTS.md unless --no-record.
"""
import argparse
import json
import multiprocessing
import os
import re
import select
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from bench.ws_report import Histogram, record, report, summarize  # noqa: E402

SECRET = "bench-websocket-secret"
# Every receiver finds the send time with a regex instead of parsing the event.
STAMP = re.compile(rb'"bench_sent_us":(\d+)')


# --- plain AMQP consumer (pika, its own process) ------------------------------------

def amqp_consumer(url, binding, ready, stop, results):
    import pika
    connection = pika.BlockingConnection(pika.URLParameters(url))
    channel = connection.channel()
    channel.exchange_declare("conference", exchange_type="topic", durable=True)
    queue = channel.queue_declare("", exclusive=True, auto_delete=True).method.queue
    channel.queue_bind(queue, "conference", routing_key=binding)
    histogram, received = Histogram(), [0]

    def on_message(_channel, _method, _properties, body):
        match = STAMP.search(body)
        if match:
            histogram.add(time.time() - int(match.group(1)) / 1e6)
            received[0] += 1
    channel.basic_consume(queue, on_message, auto_ack=True)
    ready.put(True)
    while not stop.is_set():
        connection.process_data_events(time_limit=0.1)
    connection.close()
    results.put({"kind": "amqp", "received": received[0], "histogram": dict(histogram.buckets)})



# --- processes ----------------------------------------------------------------------

def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=200)
    parser.add_argument("--rates", default="100,250,500,1000",
                        help="comma-separated events per second, one run each")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds of publishing")
    parser.add_argument("--clients", choices=("python", "node"), default="python",
                        help="client process: Node's WebSocket or raw Python sockets")
    parser.add_argument("--queue-size", type=int, default=1000,
                        help="gateway per-session event queue (oldest dropped beyond)")
    parser.add_argument("--amqp-url", default=os.environ.get(
        "AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"))
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    args = parser.parse_args(argv)
    args.rates = [int(rate) for rate in args.rates.split(",")]
    return args


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gateway(args, port, workdir):
    env = dict(os.environ, PYTHONPATH=ROOT, KZ_AMQP_URL=args.amqp_url, KZ_TOKEN_SECRET=SECRET,
               KZ_STORE="embedded", KZ_STORE_PATH=os.path.join(workdir, "store.sqlite3"),
               KZ_LOG_LEVEL="WARNING", KZ_BLACKHOLE_HOST="127.0.0.1")
    command = [sys.executable, "-m", "blackhole.cli", "--port", str(port),
               "--queue-size", str(args.queue_size)]
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


# --- CPU accounting (Linux /proc) ---------------------------------------------------

def cpu_seconds(pid):
    """User + system CPU time of a process."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds():
    """CPU seconds all cores spent not idle (nor waiting on I/O)."""
    with open("/proc/stat") as handle:
        fields = [int(value) for value in handle.readline().split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def rabbitmq_pids():
    pids = []
    for name in os.listdir("/proc"):
        try:
            with open(f"/proc/{name}/comm") as handle:
                if handle.read().strip() == "beam.smp":
                    pids.append(int(name))
        except (OSError, ValueError):
            continue
    return pids


def cpu_snapshot(pids):
    snapshot = {role: sum(cpu_seconds(pid) for pid in ids) for role, ids in pids.items()}
    snapshot["machine"] = machine_busy_seconds()
    snapshot["wall"] = time.monotonic()
    return snapshot


def token_for(account_id):
    from kzcore.tokens import TokenSigner
    return TokenSigner(SECRET, lifetime=3600).issue({"account_id": account_id})


# --- one rate -------------------------------------------------------------------------

def run_rate(args, rate):
    account_id, conference_id = uuid.uuid4().hex, uuid.uuid4().hex
    port, workdir = free_port(), tempfile.mkdtemp(prefix="bench-ws-")
    binding = f"conference.event.{conference_id}.*"
    subscribe = json.dumps({"action": "subscribe", "auth_token": token_for(account_id),
                            "request_id": "b",
                            "data": {"account_id": account_id, "binding": binding}})
    results, ready, stop = multiprocessing.Queue(), multiprocessing.Queue(), multiprocessing.Event()
    gateway = start_gateway(args, port, workdir)
    consumer, clients = None, None
    try:
        consumer = multiprocessing.Process(target=amqp_consumer, args=(
            args.amqp_url, binding, ready, stop, results))
        consumer.start()
        ready.get(timeout=30)
        clients = start_clients(args.clients, port, args.subscribers, subscribe)
        pids = {"gateway": [gateway.pid], "clients": [clients.pid],
                "amqp_consumer": [consumer.pid], "rabbitmq": rabbitmq_pids()}
        before = cpu_snapshot(pids)
        published = run_publisher(args, account_id, conference_id, rate)
        time.sleep(3.0)                              # let the tail arrive
        after = cpu_snapshot(pids)
        gateway_stats = dict(health(port), load=os.getloadavg())
        websocket = stop_clients(clients)
        stop.set()
        amqp = results.get(timeout=30)
    finally:
        cleanup(gateway, consumer, clients, stop)
        shutil.rmtree(workdir, ignore_errors=True)
    cpu = {role: after[role] - before[role] for role in after}  # incl. "wall" seconds
    cpu["publisher"] = published["cpu_seconds"]
    return summarize(args, rate, published, websocket, amqp, gateway_stats, cpu)


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


def main(argv=None):
    args = parse_args(argv)
    command = "python bench/websocket.py " + " ".join(map(shlex.quote, sys.argv[1:] if argv is None
                                                          else argv))
    rows = []
    for rate in args.rates:
        rows.append(run_rate(args, rate))
        print(json.dumps(rows[-1]), flush=True)
    text = report(args, rows)
    print(text)
    if not args.no_record:
        record(args, text, command.strip())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
