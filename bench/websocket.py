"""Websocket fan-out benchmark: N websocket subscribers on one conference vs a plain AMQP consumer.

A publisher sends seed-002-shaped participant events (with account_id) to
RabbitMQ at a fixed rate on ``conference.event.{conference_id}.{call_id}``. The
gateway (``python -m blackhole.cli``, its own process, one AMQP consumer) fans
them out to N websocket clients, all subscribed to
``conference.event.{conference_id}.*``; a plain pika consumer bound to the same
key receives the same events. Every event carries its send time, so both sides
measure delivery latency; lost = published - received per subscriber.

    python bench/websocket.py                       # 200 subscribers, 1,000 events/s, 20 s
    python bench/websocket.py --subscribers 50 --rate 500 --duration 10 --no-record

Stops by itself; prints the figures and appends them (with the exact command)
to bench/RESULTS.md unless --no-record.
"""
import argparse
import base64
import collections
import json
import multiprocessing
import os
import re
import selectors
import shlex
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

SECRET = "bench-websocket-secret"
# Both receivers find the send time without parsing the whole event: the payload
# starts with these two keys (json.dumps keeps dict order).
STAMP = re.compile(rb'"bench_seq": ?(\d+), ?"bench_sent_at": ?([0-9.]+)')


class Histogram:
    """Latencies in 0.1 ms buckets: cheap to fill, mergeable across processes."""

    def __init__(self, buckets=None):
        self.buckets = collections.Counter(buckets or {})

    def add(self, seconds):
        self.buckets[max(0, int(seconds * 10000))] += 1

    @classmethod
    def merged(cls, bucket_dicts):
        total = cls()
        for buckets in bucket_dicts:
            total.buckets.update(buckets)
        return total

    def percentile(self, pct):
        count = sum(self.buckets.values())
        if not count:
            return float("nan")
        rank, seen = count * pct / 100.0, 0
        for bucket in sorted(self.buckets):
            seen += self.buckets[bucket]
            if seen >= rank:
                return bucket / 10.0
        return max(self.buckets) / 10.0


# --- publisher and plain AMQP consumer (pika) -------------------------------------

def seed_event(account_id, conference_id, call_id, seq):
    return {"bench_seq": seq, "bench_sent_at": time.time(),
            "custom_channel_vars": {"account_id": account_id, "authorizing_type": "device",
                                    "presence_id": "1000@bench.example", "username": "sip1"},
            "channel_presence_id": "1000@bench.example", "caller_id_number": "sip1",
            "caller_id_name": "sip1", "mute_detect": False, "video": False,
            "energy_level": 20, "current_energy": 0, "talking": seq % 2 == 0, "speak": True,
            "hear": True, "floor": False, "participant_id": 20 + seq % 50,
            "instance_id": "d5765180-53d5-4104-860e-b352f3f8e6b1",
            "conference_id": conference_id, "focus": "freeswitch@bench", "call_id": call_id,
            "event": "start-talking" if seq % 2 == 0 else "stop-talking",
            "node": "ecallmgr@bench", "msg_id": uuid.uuid4().hex[:16],
            "event_name": "participant_event", "event_category": "conference",
            "app_version": "4.0.0", "app_name": "ecallmgr", "routing_key": "participant_event",
            "account_id": account_id}


def run_publisher(url, account_id, conference_id, rate, duration):
    """Publish ``rate`` events/s for ``duration`` s in 5 ms ticks: ``(count, seconds)``."""
    import pika
    connection = pika.BlockingConnection(pika.URLParameters(url))
    channel = connection.channel()
    channel.exchange_declare("conference", exchange_type="topic", durable=True)
    properties = pika.BasicProperties(content_type="application/json")
    start, seq = time.monotonic(), 0
    while time.monotonic() - start < duration:
        due = int((time.monotonic() - start) * rate)
        while seq < due:
            call_id = f"call{seq % 50}"
            body = json.dumps(seed_event(account_id, conference_id, call_id, seq),
                              separators=(",", ":"))
            # the underlying channel: queue without a flush per message (one per tick)
            channel._impl.basic_publish("conference", f"conference.event.{conference_id}.{call_id}",
                                        body, properties)
            seq += 1
        connection.process_data_events(time_limit=0.005)
    elapsed = time.monotonic() - start
    connection.process_data_events(time_limit=0.5)
    connection.close()
    return seq, elapsed


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
            histogram.add(time.time() - float(match.group(2)))
            received[0] += 1
    channel.basic_consume(queue, on_message, auto_ack=True)
    ready.put(True)
    while not stop.is_set():
        connection.process_data_events(time_limit=0.1)
    connection.close()
    results.put({"kind": "amqp", "received": received[0], "histogram": dict(histogram.buckets)})


# --- websocket clients: raw sockets on one selectors loop per process ------------------

def ws_frame(text):
    """A masked client text frame."""
    payload, mask = text.encode(), os.urandom(4)
    masked = (int.from_bytes(payload, "big") ^ int.from_bytes(
        (mask * (len(payload) // 4 + 1))[:len(payload)], "big")).to_bytes(len(payload), "big")
    length = len(payload)
    head = bytes([0x81, 0x80 | length]) if length < 126 else bytes([0x81, 0xFE]) + length.to_bytes(
        2, "big")
    return head + mask + masked


PONG = bytes([0x8A, 0x80]) + b"\0\0\0\0"


def ws_connect(port, subscribe):
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                  "Sec-WebSocket-Version: 13\r\n\r\n").encode())
    response = b""
    while b"\r\n\r\n" not in response:
        response += sock.recv(4096)
    head, _, rest = response.partition(b"\r\n\r\n")
    if b" 101 " not in head.split(b"\r\n")[0]:
        raise RuntimeError(f"handshake refused: {head[:80]!r}")
    sock.sendall(ws_frame(subscribe))
    return sock, bytearray(rest)


class SocketStats:
    def __init__(self):
        self.received = self.dropped = self.replies = 0
        self.closed = False
        self.last_pong = time.time()
        self.seen = -1      # scan(): matches ending at or before this offset were counted


DROPPED = re.compile(rb'"name":"events_dropped".{0,120}?"dropped":(\d+)')
REPLY = re.compile(rb'"action":"reply","request_id":[^,]*,"status":"(\w+)"')
CARRY = 256     # bytes kept for the next scan: longer than any match below


def scan(buffer, stats, histogram, now):
    """Count what arrived without walking frames: server frames are unmasked, so
    the JSON is verbatim in the stream and C-speed regex scans find every event.
    A match counts once: when it ends after what the previous scan saw and before
    the end of the data (a match touching the end may still grow)."""
    seen, size = stats.seen, len(buffer)
    for match in STAMP.finditer(buffer):
        if seen < match.end() < size:
            stats.received += 1
            histogram.add(now - float(match.group(2)))
    for match in DROPPED.finditer(buffer):
        if seen < match.end() < size:
            stats.dropped += int(match.group(1))
    for match in REPLY.finditer(buffer):
        if seen < match.end() < size:
            stats.replies += 1
            if match.group(1) != b"success":
                raise RuntimeError(f"subscribe refused: {bytes(buffer[match.start():][:300])!r}")
    del buffer[:max(0, size - CARRY)]
    stats.seen = len(buffer) - 1


def websocket_worker(port, count, subscribe, ready, stop, results):
    selector, histogram, states = selectors.DefaultSelector(), Histogram(), {}
    try:
        for _ in range(count):
            sock, buffer = ws_connect(port, subscribe)
            sock.setblocking(False)
            states[sock] = (buffer, SocketStats())
            selector.register(sock, selectors.EVENT_READ)
        while sum(state[1].replies for state in states.values()) < count:
            pump(selector, states, histogram, 1.0)
        ready.put(True)
    except Exception as exc:
        print(f"websocket worker failed: {exc!r}", file=sys.stderr)
        ready.put(False)
        return
    while not stop.is_set():
        pump(selector, states, histogram, 0.1)
    results.put({"kind": "websocket", "histogram": dict(histogram.buckets),
                 "received": sum(s[1].received for s in states.values()),
                 "dropped": sum(s[1].dropped for s in states.values()),
                 "closed": sum(s[1].closed for s in states.values())})


def pump(selector, states, histogram, timeout):
    for key, _ in selector.select(timeout):
        buffer, stats = states[key.fileobj]
        try:
            chunk = key.fileobj.recv(262144)
        except (BlockingIOError, InterruptedError):
            continue
        except OSError:
            chunk = b""
        if not chunk:
            stats.closed = True
            selector.unregister(key.fileobj)
            continue
        buffer += chunk
        now = time.time()
        scan(buffer, stats, histogram, now)
        if now - stats.last_pong > 10:    # unsolicited pongs keep the gateway's idle timer happy
            stats.last_pong = now
            key.fileobj.sendall(PONG)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=200)
    parser.add_argument("--rate", type=int, default=1000, help="events per second published")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of publishing")
    parser.add_argument("--workers", type=int, default=2, help="client processes for the sockets")
    parser.add_argument("--queue-size", type=int, default=1000,
                        help="gateway per-session event queue (oldest dropped beyond)")
    parser.add_argument("--amqp-url", default=os.environ.get(
        "AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"))
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    return parser.parse_args(argv)


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
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
        return json.loads(response.read())


def cpu_seconds(pid):
    """User + system CPU time of a process (Linux /proc), contention-independent."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_wait_seconds(pid):
    """Time the process was runnable but waiting for a CPU (/proc/PID/schedstat)."""
    try:
        with open(f"/proc/{pid}/schedstat") as handle:
            return int(handle.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return float("nan")


def token_for(account_id):
    sys.path.insert(0, ROOT)
    from kzcore.tokens import TokenSigner
    return TokenSigner(SECRET, lifetime=3600).issue({"account_id": account_id})


def spread(total, parts):
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def run(args):
    account_id, conference_id = uuid.uuid4().hex, uuid.uuid4().hex
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="bench-ws-")
    gateway = start_gateway(args, port, workdir)
    results, ready, stop = multiprocessing.Queue(), multiprocessing.Queue(), multiprocessing.Event()
    binding = f"conference.event.{conference_id}.*"
    subscribe = {"action": "subscribe", "auth_token": token_for(account_id), "request_id": "b",
                 "data": {"account_id": account_id, "binding": binding}}
    children = [multiprocessing.Process(target=amqp_consumer, args=(
        args.amqp_url, binding, ready, stop, results))]
    for count in spread(args.subscribers, args.workers):
        children.append(multiprocessing.Process(target=websocket_worker, args=(
            port, count, json.dumps(subscribe), ready, stop, results)))
    try:
        for child in children:
            child.start()
        for _ in children:
            if not ready.get(timeout=60):
                raise SystemExit("a client process failed to subscribe")
        cpu_before, wait_before = cpu_seconds(gateway.pid), cpu_wait_seconds(gateway.pid)
        published, publish_seconds = run_publisher(args.amqp_url, account_id, conference_id,
                                                   args.rate, args.duration)
        time.sleep(3.0)                              # let the tail arrive
        gateway_stats = health(port)
        gateway_stats.update(cpu_seconds=cpu_seconds(gateway.pid) - cpu_before,
                             cpu_wait_seconds=cpu_wait_seconds(gateway.pid) - wait_before,
                             publish_seconds=publish_seconds, load=os.getloadavg()[0])
        stop.set()
        reports = [results.get(timeout=30) for _ in children]
    finally:
        stop.set()
        for child in children:
            child.join(timeout=5)
            if child.is_alive():
                child.kill()
        gateway.terminate()
        gateway.wait(timeout=10)
    return summarize(args, published, reports, gateway_stats)


def summarize(args, published, reports, gateway_stats):
    amqp = next(r for r in reports if r["kind"] == "amqp")
    sockets = [r for r in reports if r["kind"] == "websocket"]
    ws_hist = Histogram.merged(r["histogram"] for r in sockets)
    amqp_hist = Histogram.merged([amqp["histogram"]])
    expected = published * args.subscribers
    received = sum(r["received"] for r in sockets)
    figures = {
        "published": published, "subscribers": args.subscribers,
        "ws_p50_ms": ws_hist.percentile(50), "ws_p99_ms": ws_hist.percentile(99),
        "ws_received": received, "ws_lost": expected - received,
        "ws_lost_pct": 100.0 * (expected - received) / expected if expected else 0.0,
        "ws_told_dropped": sum(r["dropped"] for r in sockets),
        "ws_sockets_closed": sum(r["closed"] for r in sockets),
        "amqp_p50_ms": amqp_hist.percentile(50), "amqp_p99_ms": amqp_hist.percentile(99),
        "amqp_lost": published - amqp["received"],
        "gateway_events_received": gateway_stats.get("events_received"),
        "gateway_events_dropped": gateway_stats.get("events_dropped"),
        "gateway_fanout_overflow": gateway_stats.get("events_overflowed"),
        "gateway_frames_queued": gateway_stats.get("frames_queued"),
        "gateway_cpu_seconds": gateway_stats["cpu_seconds"],
        "gateway_cpu_wait_seconds": gateway_stats["cpu_wait_seconds"],
        "publish_rate": published / gateway_stats["publish_seconds"],
        "load_average": gateway_stats["load"],
    }
    figures["gateway_us_per_frame"] = (1e6 * figures["gateway_cpu_seconds"]
                                       / max(figures["gateway_frames_queued"] or 0, 1))
    figures["ratio_p50"] = figures["ws_p50_ms"] / max(figures["amqp_p50_ms"], 1e-3)
    figures["ratio_p99"] = figures["ws_p99_ms"] / max(figures["amqp_p99_ms"], 1e-3)
    return figures


def report(args, figures):
    f = figures
    expected_ws = f["published"] * f["subscribers"]
    lines = [
        "| receiver | events expected | delivered | not delivered (lost, or > 3 s late) "
        "| p50 ms | p99 ms |",
        "|---|---|---|---|---|---|",
        f"| plain AMQP consumer (pika, own queue) | {f['published']} | "
        f"{f['published'] - f['amqp_lost']} | {f['amqp_lost']} | {f['amqp_p50_ms']:.1f} | "
        f"{f['amqp_p99_ms']:.1f} |",
        f"| {f['subscribers']} websockets through blackhole | {expected_ws} | {f['ws_received']} "
        f"| {f['ws_lost']} ({f['ws_lost_pct']:.2f} %) | {f['ws_p50_ms']:.1f} | "
        f"{f['ws_p99_ms']:.1f} |",
        "",
        f"- Latency ratio websocket/AMQP: p50 x{f['ratio_p50']:.1f}, p99 x{f['ratio_p99']:.1f}.",
        f"- Gateway: consumed {f['gateway_events_received']} events once (one AMQP queue for "
        f"all sockets), queued {f['gateway_frames_queued']} frames, dropped "
        f"{f['gateway_events_dropped']} oldest frames from slow sockets' queues (clients "
        f"received {f['ws_told_dropped']} of those counts in events_dropped notices before the "
        f"end), {f['gateway_fanout_overflow']} fan-out overflows, "
        f"{f['ws_sockets_closed']} sockets closed.",
        f"- Gateway CPU: {f['gateway_cpu_seconds']:.1f} CPU-s, "
        f"{f['gateway_us_per_frame']:.1f} us per queued frame (intake, fan-out and writes); "
        f"it also waited {f['gateway_cpu_wait_seconds']:.1f} s for a CPU (runnable, not "
        "running: the machine's other load).",
        f"- Conditions: publisher achieved {f['publish_rate']:.0f} events/s (target "
        f"{args.rate}); load average {f['load_average']:.1f} on the 2 cores (other work "
        "running), clients and gateway on the same machine.",
    ]
    return "\n".join(lines)


def record(args, text, command):
    path = os.path.join(ROOT, "bench", "RESULTS.md")
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    setup = (f"{args.subscribers} websocket subscribers on one conference "
             f"(`conference.event.{{conference_id}}.*`) while {args.rate} seed-002-shaped events/s "
             f"(~1.1 KB, with account_id) are published to RabbitMQ for {args.duration:g} s on "
             "`conference.event.{conference_id}.{call_id}`; gateway = `python -m blackhole.cli` "
             f"(one AMQP consumer, per-socket queue {args.queue_size}); clients = raw sockets in "
             f"{args.workers} processes; baseline = one plain pika consumer bound to the same key. "
             "Latency = receive time minus the publisher's timestamp inside the event.")
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(f"\n## websocket fan-out, blackhole ({stamp})\n\n"
                     f"Command: `{command}`\n\n{setup}\n\n{text}\n")


def main(argv=None):
    args = parse_args(argv)
    command = "python bench/websocket.py " + " ".join(map(shlex.quote, sys.argv[1:] if argv is None
                                                          else argv))
    figures = run(args)
    text = report(args, figures)
    print(text)
    print(json.dumps(figures, indent=1))
    if not args.no_record:
        record(args, text, command.strip())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
