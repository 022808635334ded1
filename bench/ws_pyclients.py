"""N websocket subscribers in ONE Python process: raw sockets on a selectors loop.

    python bench/ws_pyclients.py PORT COUNT SUBSCRIBE_JSON

Same contract as bench/ws_clients.js (the Node client): prints {"ready": true}
once every socket's subscribe got a success reply, then counts events until a
line (or EOF) arrives on stdin, then prints one JSON line of totals.

It does not walk frames: server frames are unmasked, so each event's JSON is
verbatim in the byte stream. Per ``recv`` it finds where the complete frames
end (one ``rfind``), counts and times the events in them with C-speed
``count``/``findall`` and keeps the incomplete rest for the next ``recv``.
"""
import base64
import json
import os
import re
import selectors
import socket
import sys
import time

import numpy

STAMP = re.compile(rb'"bench_sent_at":([0-9.]+)')
DROPPED = re.compile(rb'"name":"events_dropped".{0,120}?"dropped":(\d+)')
REPLY = re.compile(rb'"action":"reply","request_id":[^,]*,"status":"(\w+)"')
MESSAGE_START = b'{"action":'    # every gateway message is a JSON object starting so
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
        self.last_pong = time.time()


class Totals:
    def __init__(self):
        self.received = self.dropped = self.replies = self.closed = self.reads = 0
        self.latencies = []     # numpy arrays of seconds, one per recv with events


def complete_length(buffer):
    """How many leading bytes of ``buffer`` are whole frames: up to the end of
    the last message if it is complete, else up to that message's frame header
    (server frames: 0x81 + 7-bit length, or 0x81 126 + 16-bit length)."""
    start = buffer.rfind(MESSAGE_START)
    if start < 2:
        return 0
    if start >= 4 and buffer[start - 4] == 0x81 and buffer[start - 3] == 126:
        header, length = start - 4, int.from_bytes(buffer[start - 2:start], "big")
    else:
        header, length = start - 2, buffer[start - 1] & 0x7F
    return start + length if start + length <= len(buffer) else header


def scan(client, totals, now):
    """Count and time the events in the complete frames received so far."""
    buffer = client.buffer
    end = complete_length(buffer)
    if not end:
        return
    stamps = STAMP.findall(buffer, 0, end)
    if stamps:      # numpy converts and subtracts in C: no Python work per event
        totals.latencies.append(now - numpy.array(stamps, dtype="S32").astype(numpy.float64))
        totals.received += len(stamps)
    if buffer.find(b"events_dropped", 0, end) >= 0:
        totals.dropped += sum(int(n) for n in DROPPED.findall(buffer, 0, end))
    if buffer.find(b'"action":"reply"', 0, end) >= 0:
        for status in REPLY.findall(buffer, 0, end):
            if status != b"success":
                raise RuntimeError(f"subscribe refused: {bytes(buffer[:300])!r}")
            totals.replies += 1
    del buffer[:end]


SCRATCH = memoryview(bytearray(262144))   # recv_into it: a fresh 256 KB bytes per recv
#                                          would cost an mmap/munmap pair each time


def on_readable(selector, client, totals):
    try:
        size = client.sock.recv_into(SCRATCH)
    except (BlockingIOError, InterruptedError):
        return
    except OSError:
        size = 0
    if not size:
        totals.closed += 1
        selector.unregister(client.sock)
        return
    client.buffer += SCRATCH[:size]
    totals.reads += 1
    now = time.time()
    scan(client, totals, now)
    if now - client.last_pong > 10:    # unsolicited pongs keep the gateway's idle timer happy
        client.last_pong = now
        client.sock.sendall(PONG)


def histogram(latencies):
    """0.1 ms buckets -> counts, as bench/ws_report.Histogram takes them."""
    if not latencies:
        return {}
    buckets = numpy.floor(numpy.concatenate(latencies) * 10000).astype(numpy.int64)
    values, counts = numpy.unique(numpy.maximum(buckets, 0), return_counts=True)
    return {int(value): int(n) for value, n in zip(values, counts)}


def run(port, count, subscribe):
    selector, totals = selectors.DefaultSelector(), Totals()
    try:
        for _ in range(count):
            client = Client(*ws_connect(port, subscribe))
            selector.register(client.sock, selectors.EVENT_READ, client)
        deadline = time.monotonic() + 60
        while totals.replies < count and time.monotonic() < deadline:
            for key, _ in selector.select(1.0):
                on_readable(selector, key.data, totals)
        if totals.replies < count:
            raise RuntimeError(f"only {totals.replies} of {count} subscribed")
    except Exception as exc:
        print(json.dumps({"ready": False, "error": repr(exc)}), flush=True)
        return 1
    print(json.dumps({"ready": True}), flush=True)
    selector.register(sys.stdin, selectors.EVENT_READ, None)
    while True:
        for key, _ in selector.select(1.0):
            if key.data is None:
                print(json.dumps({"kind": "websocket", "received": totals.received,
                                  "dropped": totals.dropped, "closed": totals.closed,
                                  "reads": totals.reads,
                                  "histogram": histogram(totals.latencies)}), flush=True)
                return 0
            on_readable(selector, key.data, totals)


if __name__ == "__main__":
    raise SystemExit(run(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]))
