"""Issue 17, item 6 over the gateway's socket: reserved opcodes, slow handshakes, too many connections."""
import struct
import time

import pytest
import websocket

from kzcore.bus.memory import MemoryBus

from tests.integration.test_blackhole_support import PARENT, Client
from tests.security.ws_support import (
    masked_frame, raw_connection, start_gateway, token, wait_closed)

HEADER_TIMEOUT = 0.4


@pytest.fixture
def bus():
    bus = MemoryBus()
    yield bus
    bus.close()


@pytest.fixture
def make_gateway(bus):
    gateways = []

    def make(**settings):
        gateways.append(start_gateway(bus, **settings))
        return gateways[-1]

    yield make
    for gateway in gateways:
        gateway.stop()


def test_a_reserved_opcode_closes_the_connection_with_1002(make_gateway):
    client = Client(make_gateway())
    try:
        assert client.subscribe(token(PARENT), PARENT, "conference.#")["status"] == "success"
        client.ws.sock.sendall(masked_frame(0x3, b'{"action":"ping"}'))
        frame = client.ws.recv_frame()
        assert frame.opcode == websocket.ABNF.OPCODE_CLOSE
        assert struct.unpack("!H", frame.data[:2])[0] == 1002
        assert frame.data[2:] == b"reserved opcode 0x3"
        assert wait_closed(client.ws.sock, 2.0) is not None
    finally:
        client.close()


def test_a_partial_handshake_is_dropped_after_the_header_timeout(make_gateway):
    gateway = make_gateway(blackhole_header_timeout=HEADER_TIMEOUT)
    silent, half_line = raw_connection(gateway), raw_connection(gateway)
    partial, trickle = raw_connection(gateway), raw_connection(gateway)
    half_line.sendall(b"GET /?a=")
    partial.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n")
    trickle.sendall(b"GET / HTTP/1.1\r\n")
    started = time.monotonic()
    while time.monotonic() - started < HEADER_TIMEOUT * 3:    # a byte now and then: no reprieve
        try:
            trickle.sendall(b"X")
        except OSError:
            break
        time.sleep(0.05)
    for sock in (silent, half_line, partial, trickle):
        waited = wait_closed(sock, HEADER_TIMEOUT * 5)
        assert waited is not None, "the gateway kept a half-sent handshake open"
        sock.close()
    assert time.monotonic() - started < HEADER_TIMEOUT * 5
    assert gateway.stats()["header_timeouts"] == 4
    # A completed handshake is no longer subject to the deadline.
    client = Client(gateway)
    try:
        time.sleep(HEADER_TIMEOUT * 2)
        reply = client.request({"action": "ping", "request_id": "still-here"})
        assert reply["data"] == {"response": "pong"}
    finally:
        client.close()


def connect_or_status(gateway):
    """A connected Client, or the HTTP status that refused the handshake."""
    try:
        return Client(gateway, timeout=2.0)
    except websocket.WebSocketBadStatusException as refused:
        return refused.status_code


def test_connections_beyond_the_cap_are_refused_at_once(make_gateway):
    gateway = make_gateway(blackhole_max_connections=3)
    held = [Client(gateway) for _ in range(3)]
    try:
        for _ in range(3):
            started = time.monotonic()
            assert connect_or_status(gateway) == 503
            assert time.monotonic() - started < 0.5
        assert gateway.stats()["connections_refused"] == 3
        held.pop().close()
        deadline, admitted = time.monotonic() + 3.0, 503
        while admitted == 503 and time.monotonic() < deadline:   # the slot frees once it closed
            admitted = connect_or_status(gateway)
            time.sleep(0.02)
        assert isinstance(admitted, Client)
        held.append(admitted)
        assert admitted.request({"action": "ping", "request_id": "p"})["status"] == "success"
    finally:
        for client in held:
            client.close()
