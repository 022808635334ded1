"""The shared server limits (kzcore.netlimits, kzcore.limited_wsgi) on their own,
over real sockets: the options that crossbar and the websocket gateway set
differently (queue or refuse beyond the cap, 408 or no answer on a header
timeout) each hold, and a refused client gets its whole 503."""
import socket
import time

import pytest

from kzcore.limited_wsgi import BUSY_REPLY, LimitedWSGIServer
from kzcore.netlimits import ConnectionGate, ServerLimits

from tests.security.limits_support import closed_by_server, read_response
from tests.support.fake_switch import read_all

HEADER_TIMEOUT = 0.3


def _app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


@pytest.fixture
def serve():
    servers = []

    def start(limits, **options):
        server = LimitedWSGIServer(("127.0.0.1", 0), _app, limits, log=None, **options)
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop(timeout=1)


def _connect(server):
    return socket.create_connection(("127.0.0.1", server.server_port), timeout=3)


def test_the_gate_caps_in_all_and_per_address_and_zero_means_no_cap():
    gate = ConnectionGate(max_connections=3, max_per_address=2)
    assert [gate.enter("a"), gate.enter("a"), gate.enter("a")] == [None, None, "per_address"]
    assert [gate.enter("b"), gate.enter("c")] == [None, "full"]
    assert (gate.open, gate.refused) == (3, 2)
    gate.leave("a")
    assert gate.enter("a") is None and gate.enter("a") == "full"
    unlimited = ConnectionGate()
    assert all(unlimited.enter("a") is None for _ in range(500)) and unlimited.open == 500


def test_beyond_the_cap_a_client_that_already_sent_its_request_reads_the_whole_503(serve):
    busy = BUSY_REPLY.replace(b"Content-Length: 0", b"Content-Length: 5") + b"busy\n"
    server = serve(ServerLimits(header_timeout=5.0, max_connections=1, refuse_when_full=True),
                   busy_reply=busy)
    held = _connect(server)
    held.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")           # holds the only slot
    refused = _connect(server)
    refused.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"p" * 32768 + b"\r\n\r\n")
    time.sleep(0.2)   # the refusal is over before the client reads: a reset would lose it
    assert read_all(refused, 2.0) == busy
    assert server.stats() == {"connections": 1, "connections_refused": 1, "header_timeouts": 0}
    for sock in (held, refused):
        sock.close()


def test_a_header_timeout_answers_408_by_default_and_nothing_when_told(serve):
    limits = ServerLimits(header_timeout=HEADER_TIMEOUT, max_connections=10)
    answering, silent = serve(limits), serve(limits, timeout_reply=b"")
    for server, expected in ((answering, 408), (silent, None)):
        partial = _connect(server)
        partial.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        quiet = _connect(server)                              # not even a request line
        assert read_response(partial, timeout=HEADER_TIMEOUT * 5)[0] == expected
        assert read_all(quiet, HEADER_TIMEOUT * 5) == b""
        assert closed_by_server(partial, 1.0)
        assert server.stats()["header_timeouts"] == 2
        for sock in (partial, quiet):
            sock.close()


def test_a_request_in_time_is_served_and_its_connection_kept_until_idle(serve):
    server = serve(ServerLimits(header_timeout=HEADER_TIMEOUT, max_connections=10))
    sock = _connect(server)
    for _ in range(2):                                        # keep-alive: two requests
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        status, _, body = read_response(sock)
        assert (status, body) == (200, b"ok")
    started = time.monotonic()
    assert closed_by_server(sock, HEADER_TIMEOUT * 5)          # then idle: closed
    assert time.monotonic() - started >= HEADER_TIMEOUT * 0.8
    assert server.stats()["connections"] == 0
    sock.close()
