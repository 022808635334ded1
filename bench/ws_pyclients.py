"""N websocket subscribers in ONE Python process: raw sockets on one epoll loop.

    python bench/ws_pyclients.py PORT COUNT SUBSCRIBE_JSON

Same contract as bench/ws_clients.js (the Node client): prints {"ready": true}
once every socket's subscribe got a success reply, then counts events until a
line (or EOF) arrives on stdin, then prints one JSON line of totals.

It does not parse JSON: server frames are unmasked, so each event's JSON is
verbatim in the byte stream. Per ``recv`` (into one scratch buffer, walked in
place) it walks the frame headers, finds each event's ``bench_sent_us`` (fixed
16 digits) inside its frame with ``find`` and keeps receive time minus stamp in
integer microseconds; an incomplete last frame is kept for the next ``recv``.
The histogram is made once, at the end, after the measured window. Measured at 1,000 events/s x 200: 1.9-2.0
us of CPU per event against 3.1-3.3 for the selectors loop with a numpy
expression per ``recv`` it replaces; this process shares the 2 cores with the
gateway it measures, and it reads the sockets one after another, so its cost per
``recv`` is latency. Sockets have TCP_NODELAY, as the gateway's.
"""
import array
import base64
import collections
import json
import os
import re
import select
import socket
import sys
import time


STAMP_KEY = b'"bench_sent_us":'     # then 16 digits: microseconds since the epoch
STAMP_AT = len(STAMP_KEY)
DROPPED = re.compile(rb'"name":"events_dropped".{0,120}?"dropped":(\d+)')
REPLY = re.compile(rb'"action":"reply","request_id":[^,]*,"status":"(\w+)"')
PONG = bytes([0x8A, 0x80]) + b"\0\0\0\0"


def ws_frame(text):
    """A masked client text frame (all-zero mask: the payload goes as is)."""
    payload = text.encode()
    length = len(payload)
    head = bytes([0x81, 0x80 | length]) if length < 126 else bytes([0x81, 0xFE]) + length.to_bytes(
        2, "big")
    return head + b"\0\0\0\0" + payload


def ws_connect(port, subscribe):
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                  "Sec-WebSocket-Version: 13\r\n\r\n").encode())
    response = b""
    while b"\r\n\r\n" not in response:
        chunk = sock.recv(4096)
        if not chunk:
            raise RuntimeError("connection closed during the handshake")
        response += chunk
    head, _, rest = response.partition(b"\r\n\r\n")
    if b" 101 " not in head.split(b"\r\n")[0]:
        raise RuntimeError(f"handshake refused: {head[:80]!r}")
    sock.sendall(ws_frame(subscribe))
    sock.setblocking(False)
    return sock, bytearray(rest)


class Client:
    def __init__(self, sock, buffer):
        self.sock, self.buffer = sock, buffer
        self.recv_into = sock.recv_into
        self.last_pong = time.time()


class Totals:
    def __init__(self):
        self.received = self.dropped = self.replies = self.closed = self.reads = 0
        # receive time minus send stamp, integer microseconds, one per event
        self.latencies = array.array("q")


def walk_frames(buffer, size, totals, now_us, latencies):
    """Time the events in the complete frames of ``buffer[:size]`` (server frames:
    unmasked, 7- or 16-bit lengths); returns how many bytes those frames span. Each
    event's 16-digit send stamp is found inside its own frame. A frame without a
    stamp is a reply or a notice: rare, parsed by regex."""
    pos, find, append = 0, buffer.find, latencies.append
    while pos + 2 <= size:
        start, length = pos + 2, buffer[pos + 1] & 0x7F
        if length == 126:
            if pos + 4 > size:
                break
            start, length = pos + 4, (buffer[pos + 2] << 8) | buffer[pos + 3]
        end = start + length
        if end > size:
            break
        if buffer[pos] & 0x0F == 0x1:
            at = find(STAMP_KEY, start, end)
            if at >= 0:
                at += STAMP_AT
                append(now_us - int(buffer[at:at + 16]))
            else:
                on_other_message(bytes(buffer[start:end]), totals)
        pos = end
    return pos


def on_other_message(message, totals):
    for dropped in DROPPED.findall(message):
        totals.dropped += int(dropped)
    for status in REPLY.findall(message):
        if status != b"success":
            raise RuntimeError(f"subscribe refused: {message[:300]!r}")
        totals.replies += 1


SCRATCH = bytearray(262144)     # recv_into it: a fresh 256 KB bytes per recv would cost
SCRATCH_VIEW = memoryview(SCRATCH)  # an mmap/munmap pair each time


def on_readable(client, totals):
    """One ``recv`` on ``client``: False once the socket is closed. The frames are
    walked in place in the scratch buffer; only an incomplete last frame is kept
    (copied) for the next ``recv``."""
    try:
        size = client.recv_into(SCRATCH)
    except (BlockingIOError, InterruptedError):
        return True
    except OSError:
        size = 0
    now = time.time()
    if not size:
        totals.closed += 1
        return False
    totals.reads += 1
    before = len(totals.latencies)
    if client.buffer:                       # a frame split across recvs: rare
        buffer = client.buffer
        buffer += SCRATCH_VIEW[:size]
        consumed = walk_frames(buffer, len(buffer), totals, int(now * 1e6), totals.latencies)
        del buffer[:consumed]
    else:
        consumed = walk_frames(SCRATCH, size, totals, int(now * 1e6), totals.latencies)
        if consumed < size:
            client.buffer = bytearray(SCRATCH_VIEW[consumed:size])
    totals.received += len(totals.latencies) - before
    if now - client.last_pong > 10:    # unsolicited pongs keep the gateway's idle timer happy
        client.last_pong = now
        client.sock.sendall(PONG)
    return True


def histogram(latencies):
    """0.1 ms buckets -> counts, as bench/ws_report.Histogram takes them (made after the
    measured window: its cost is not counted)."""
    return dict(collections.Counter(max(0, value // 100) for value in latencies))


def run(port, count, subscribe):
    poller, clients, totals = select.epoll(), {}, Totals()
    try:
        for _ in range(count):
            client = Client(*ws_connect(port, subscribe))
            clients[client.sock.fileno()] = client
            poller.register(client.sock.fileno(), select.EPOLLIN)
        deadline = time.monotonic() + 60
        while totals.replies < count and time.monotonic() < deadline:
            for fd, _ in poller.poll(1.0):
                if not on_readable(clients[fd], totals):
                    poller.unregister(fd)
        if totals.replies < count:
            raise RuntimeError(f"only {totals.replies} of {count} subscribed")
    except Exception as exc:
        print(json.dumps({"ready": False, "error": repr(exc)}), flush=True)
        return 1
    print(json.dumps({"ready": True}), flush=True)
    stdin = sys.stdin.fileno()
    poller.register(stdin, select.EPOLLIN)
    while True:
        for fd, _ in poller.poll(1.0):
            if fd == stdin:
                print(json.dumps({"kind": "websocket", "received": totals.received,
                                  "dropped": totals.dropped, "closed": totals.closed,
                                  "reads": totals.reads,
                                  "histogram": histogram(totals.latencies)}), flush=True)
                return 0
            if not on_readable(clients[fd], totals):
                poller.unregister(fd)


if __name__ == "__main__":
    raise SystemExit(run(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]))
