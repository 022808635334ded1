"""The benchmark's websocket client (bench/ws_pyclients.py) over a real socket pair:
every event frame is counted and timed once, from the send stamp inside it to the
moment its last byte was received, however the gateway's bytes are split between
``recv`` calls; replies and drop notices are not events."""
import json
import socket
import time

import pytest

from blackhole import frames, protocol
from bench import ws_pyclients as client_module


def event_frame(sent_us, seq):
    data = json.dumps({"bench_seq": seq, "bench_sent_us": sent_us, "padding": "x" * 900},
                      separators=(",", ":"))
    return frames.text(protocol.encode_event("conference.event.r.*", "conference.event.r.c",
                                             "participant_event", data))


@pytest.fixture
def pair():
    ours, gateway = socket.socketpair()
    ours.setblocking(False)
    yield ours, gateway
    ours.close()
    gateway.close()


def read_all(client, totals):
    """Every `recv` the socket has ready, one `on_readable` each, as the epoll loop does."""
    while True:
        try:
            if not client.sock.recv(1, socket.MSG_PEEK):
                return
        except BlockingIOError:
            return
        client_module.on_readable(client, totals)


@pytest.mark.parametrize("chunk", [7, 300, 1031, 100000])
def test_every_event_is_timed_once_however_the_bytes_are_split(pair, chunk):
    ours, gateway = pair
    client, totals = client_module.Client(ours, bytearray()), client_module.Totals()
    sent_us = time.time_ns() // 1000 - 5000                 # sent 5 ms ago
    stream = (frames.text(protocol.encode_reply("b", {"status": "ok"}))
              + b"".join(event_frame(sent_us, seq) for seq in range(3))
              + frames.text(protocol.encode_events_dropped(4, 9))
              + b"".join(event_frame(sent_us, seq) for seq in range(3, 5)))
    for start in range(0, len(stream), chunk):
        gateway.sendall(stream[start:start + chunk])
        read_all(client, totals)
    assert totals.received == 5 and len(totals.latencies) == 5
    assert totals.replies == 1 and totals.dropped == 4
    assert not client.buffer                                # nothing left half-parsed
    assert all(5000 <= latency < 5000 + 2_000_000 for latency in totals.latencies)
    histogram = client_module.histogram(totals.latencies)   # 0.1 ms buckets
    assert sum(histogram.values()) == 5 and min(histogram) >= 50


def test_a_frame_cut_before_its_stamp_is_timed_when_it_is_complete(pair):
    ours, gateway = pair
    client, totals = client_module.Client(ours, bytearray()), client_module.Totals()
    frame = event_frame(time.time_ns() // 1000, 1)
    gateway.sendall(frame[:40])
    read_all(client, totals)
    assert totals.received == 0 and bytes(client.buffer) == frame[:40]
    time.sleep(0.02)
    gateway.sendall(frame[40:])
    read_all(client, totals)
    assert totals.received == 1 and totals.latencies[0] >= 20000    # timed at completion
