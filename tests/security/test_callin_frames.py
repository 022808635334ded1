"""Issue 17 item 4: frame reads are bounded.

A 200 MB header line grew the service's memory by 195 MB and
``Content-Length: 99999999999`` raised MemoryError. Now a header line, the
headers of a frame, a body and the time a started frame may take all have
limits; a peer over any of them is dropped, and the service keeps serving."""
import socket
import time

import gevent
import pytest

from callin.wire import FrameLimits
from tests.support.callin_rig import callin_rig
from tests.support.fake_switch import FakeSwitch, connect_reply

MB = 1024 * 1024


def rss_bytes():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


@pytest.fixture
def rig(tmp_path):
    with callin_rig(tmp_path, options={"header_timeout": 1.0}) as rig:
        rig.conference("open", member={"numbers": ["7400"]})
        yield rig


def connected(rig):
    sock = socket.create_connection(("127.0.0.1", rig.port), timeout=5)
    assert sock.recv(100) == b"connect\n\n"
    return sock


def send_until_dropped(sock, chunk, total):
    """Send ``total`` bytes of ``chunk``; returns how many went out before the peer hung up."""
    sent = 0
    try:
        while sent < total:
            sock.sendall(chunk)
            sent += len(chunk)
    except OSError:
        pass
    return sent


def still_serves(rig):
    switch = FakeSwitch(rig.port, channel={"variable_kz_callin_number": "7400"})
    switch.wait(lambda: switch.apps_run("conference"))
    switch.hangup()


def test_a_200_mb_header_line_is_dropped_without_growing_memory(rig):
    sock = connected(rig)
    before = rss_bytes()
    chunk = b"A" * MB
    sent = send_until_dropped(sock, chunk, 200 * MB)
    grown = rss_bytes() - before
    assert sent < 200 * MB                          # the service hung up on us first
    assert grown < 20 * MB, f"memory grew by {grown // MB} MB"
    assert rig.stats["dropped_frames"] == 1
    sock.close()
    still_serves(rig)


@pytest.mark.parametrize("length", ["99999999999", str(FrameLimits().max_body + 1)])
def test_a_huge_content_length_is_dropped_not_allocated(rig, length):
    sock = connected(rig)
    before = rss_bytes()
    sock.sendall(f"Content-Type: api/response\nContent-Length: {length}\n\n".encode() + b"x" * 1000)
    sock.settimeout(5)
    assert sock.recv(100) == b""                    # dropped at once
    assert rss_bytes() - before < 20 * MB
    assert rig.stats["dropped_frames"] == 1
    sock.close()
    still_serves(rig)


def test_too_many_header_lines_are_dropped(rig):
    sock = connected(rig)
    lines = b"".join(b"variable_x%d: y\n" % n for n in range(FrameLimits().max_headers + 10))
    sent = send_until_dropped(sock, lines, len(lines))
    sock.settimeout(5)
    try:
        assert sock.recv(100) == b""
    except ConnectionResetError:
        pass
    assert sent <= len(lines)
    assert rig.stats["dropped_frames"] == 1
    sock.close()


def test_a_frame_that_trickles_in_is_dropped_at_the_header_timeout(rig):
    sock = connected(rig)
    started = time.monotonic()
    reply = connect_reply({"variable_kz_callin_number": "7400"})
    try:
        for byte in reply[:200]:                    # one byte every 20 ms: 4 s for 200
            sock.sendall(bytes([byte]))
            gevent.sleep(0.02)
    except OSError:
        pass
    sock.settimeout(5)
    try:
        rest = sock.recv(100)
    except ConnectionResetError:
        rest = b""
    assert rest == b""
    assert time.monotonic() - started < 3           # header_timeout is 1 s here
    sock.close()


def test_a_peer_that_says_nothing_is_dropped_at_the_header_timeout(rig):
    sock = connected(rig)
    started = time.monotonic()
    sock.settimeout(5)
    assert sock.recv(100) == b""
    assert 0.8 < time.monotonic() - started < 3
    sock.close()
