"""Slow and greedy HTTP clients against crossbar as ``kz-all`` serves it (and
under gunicorn): partial requests are dropped after the header timeout, one
address cannot hold more than its share of connections, connections beyond the
cap wait in the listen queue and are then served."""
import time

import gevent
import pytest

from tests.security.limits_support import (closed_by_server, connect, gunicorn_server, head,
                                           kz_all, read_response)

HEADER_TIMEOUT = 1.0
PARTIAL = b"GET /v2/openapi.json HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "


def _partial_requests(port, count, source=None):
    socks = []
    for _ in range(count):
        sock = connect(port, source=source)
        sock.sendall(PARTIAL)
        socks.append(sock)
    return socks


def _timed_get(port, source):
    started = time.monotonic()
    sock = connect(port, source=source, timeout=10)
    sock.sendall(head("GET", "/v2/openapi.json", [("Connection", "close")]))
    status, _, _ = read_response(sock, timeout=10)
    sock.close()
    return status, time.monotonic() - started


def _all_closed_within(socks, seconds):
    deadline = time.monotonic() + seconds
    closed = [closed_by_server(s, max(0.01, deadline - time.monotonic())) for s in socks]
    for sock in socks:
        sock.close()
    return sum(closed)


def test_two_hundred_partial_requests_are_dropped_after_the_header_timeout(tmp_path):
    server = kz_all(tmp_path, http_header_timeout=HEADER_TIMEOUT,
                    http_max_connections_per_address=0)
    try:
        socks = _partial_requests(server.port, 200)
        status, took = _timed_get(server.port, "127.0.0.2")   # everyone else is served
        assert status == 200 and took < HEADER_TIMEOUT, took
        assert _all_closed_within(socks, HEADER_TIMEOUT + 2.0) == 200
        idle = connect(server.port)                          # silent and idle keep-alive too
        assert closed_by_server(idle, HEADER_TIMEOUT + 2.0)
        idle.close()
    finally:
        server.stop()


def test_one_address_cannot_hold_more_than_its_connections(tmp_path):
    server = kz_all(tmp_path, http_header_timeout=30.0, http_max_connections_per_address=20)
    try:
        held = _partial_requests(server.port, 20)
        extra = _partial_requests(server.port, 30)
        refused = [read_response(sock, timeout=2)[0] for sock in extra]
        assert refused == [503] * 30
        status, took = _timed_get(server.port, "127.0.0.2")
        assert status == 200 and took < 1.0, took
        assert not closed_by_server(held[0], 0.2)   # the first 20 are still being waited for
        for sock in held + extra:
            sock.close()
    finally:
        server.stop()


def test_connections_beyond_the_cap_wait_and_are_then_served(tmp_path):
    server = kz_all(tmp_path, http_header_timeout=HEADER_TIMEOUT, http_max_connections=10,
                    http_max_connections_per_address=0)
    try:
        socks = [sock for n in range(10)
                 for sock in _partial_requests(server.port, 1, source=f"127.0.0.{10 + n}")]
        time.sleep(0.2)   # all ten accepted and holding the cap
        status, took = _timed_get(server.port, "127.0.0.2")
        assert status == 200
        assert HEADER_TIMEOUT * 0.5 < took < HEADER_TIMEOUT + 3.0, took   # queued, not refused
        for sock in socks:
            sock.close()
    finally:
        server.stop()


@pytest.mark.slow
def test_under_gunicorn_the_header_timeout_and_the_cap_come_from_the_settings(tmp_path):
    server = gunicorn_server(tmp_path, KZ_HTTP_HEADER_TIMEOUT="1", KZ_HTTP_MAX_CONNECTIONS="10")
    try:
        socks = [sock for n in range(10)
                 for sock in _partial_requests(server.port, 1, source=f"127.0.0.{10 + n}")]
        time.sleep(0.2)
        status, took = _timed_get(server.port, "127.0.0.2")
        assert status == 200
        assert 0.5 < took < 4.0, took            # waited for a slot, then served
        assert _all_closed_within(socks, 3.0) == 10
    finally:
        server.stop()


def test_a_request_sent_in_time_is_not_cut(tmp_path):
    """The deadline covers the headers only: a slow view is not a slow client."""
    server = kz_all(tmp_path, http_header_timeout=HEADER_TIMEOUT)
    try:
        sock = connect(server.port)
        for piece in (b"GET /v2/openapi.json HTTP/1.1\r\n", b"Host: 127.0.0.1\r\n", b"\r\n"):
            sock.sendall(piece)
            gevent.sleep(HEADER_TIMEOUT / 4)
        status, _, body = read_response(sock)
        assert status == 200 and body
        sock.close()
    finally:
        server.stop()
