"""N websocket subscribers in ONE Python process: raw sockets on a selectors loop.

    python bench/ws_pyclients.py PORT COUNT SUBSCRIBE_JSON

Same contract as bench/ws_clients.js (the Node client): prints {"ready": true}
once every socket's subscribe got a success reply, then counts events until a
line (or EOF) arrives on stdin, then prints one JSON line of totals.

It does not parse JSON: server frames are unmasked, so each event's JSON is
verbatim in the byte stream. Per ``recv`` it walks the frame headers, finds each
event's ``bench_sent_us`` (fixed 16 digits) inside its frame with ``find`` and
turns all the stamps of that ``recv`` into latencies with one numpy expression;
an incomplete last frame waits for the next ``recv``.
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

STAMP_KEY = b'"bench_sent_us":'     # then 16 digits: microseconds since the epoch
STAMP_DIGITS = numpy.arange(16) + len(STAMP_KEY)
POWERS = 10 ** numpy.arange(15, -1, -1, dtype=numpy.int64)
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


def walk_frames(buffer, totals):
    """Offsets of the send stamps in the complete frames of ``buffer`` (server
    frames: unmasked, 7- or 16-bit lengths) and how many bytes those frames span.
    A frame without a stamp is a reply or a notice: rare, parsed by regex."""
    stamps, pos, size, find = [], 0, len(buffer), buffer.find
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
                stamps.append(at)
            else:
                on_other_message(bytes(buffer[start:end]), totals)
        pos = end
    return stamps, pos


def on_other_message(message, totals):
    for dropped in DROPPED.findall(message):
        totals.dropped += int(dropped)
    for status in REPLY.findall(message):
        if status != b"success":
            raise RuntimeError(f"subscribe refused: {message[:300]!r}")
        totals.replies += 1


def scan(client, totals, now):
    """Count and time the events in the complete frames received so far: numpy
    reads the stamps' digits in one go (no Python arithmetic per event)."""
    buffer = client.buffer
    stamps, consumed = walk_frames(buffer, totals)
    if stamps:
        digits = numpy.frombuffer(buffer, numpy.uint8, count=consumed)
        sent_us = (digits[numpy.array(stamps)[:, None] + STAMP_DIGITS] - 48).astype(
            numpy.int64) @ POWERS
        del digits      # release the view: the bytearray cannot shrink while exported
        totals.latencies.append(now - sent_us / 1e6)
        totals.received += len(stamps)
    del buffer[:consumed]


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
