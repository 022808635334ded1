"""Helpers (no tests) for the websocket gateway security tests: a gateway with
short configured limits on the in-process bus, raw frames and latency probes."""
import os
import socket
import statistics
import struct
import time

import requests

from kzcore.config import load_config
from kzcore.tokens import TokenSigner

from blackhole.server import create_gateway
from blackhole.session import SessionOptions

from tests.integration.test_blackhole_support import (
    SECRET, account_store, key, participant_event)

signer = TokenSigner(SECRET)


def start_gateway(bus, **settings):
    """A real gateway on a free port; ``settings`` are kzcore.config settings."""
    config = load_config(env={}, blackhole_host="127.0.0.1", blackhole_port=0, **settings)
    gateway = create_gateway(config, consumer=bus.consumer(), signer=signer,
                             store=account_store(),
                             session_options=SessionOptions(ping_interval=5.0, idle_timeout=10.0))
    gateway.start()
    return gateway


def token(account_id):
    return signer.issue({"account_id": account_id})


def masked_frame(opcode, payload, fin=True):
    """A client frame (masked, short payload) built by hand."""
    mask = os.urandom(4)
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return struct.pack("!BB", (0x80 if fin else 0) | opcode, 0x80 | len(body)) + mask + body


def raw_connection(gateway, timeout=3.0):
    return socket.create_connection(("127.0.0.1", gateway.port), timeout=timeout)


def wait_closed(sock, timeout):
    """Seconds until the peer closed ``sock`` (EOF or reset), or None if it did not."""
    start = time.monotonic()
    sock.settimeout(timeout)
    try:
        while sock.recv(4096):
            pass
    except (socket.timeout, TimeoutError):
        return None
    except ConnectionResetError:
        pass
    return time.monotonic() - start


def event_latencies(bus, client, account_id, conference_id, count=20):
    """Delivery latency (publish -> received over the socket) of ``count`` events, one at a time."""
    latencies = []
    for seq in range(count):
        bus.publish(key(conference_id, f"call{seq}"),
                    participant_event(account_id, conference_id, f"call{seq}", seq))
        event = client.events_until(lambda e: e["data"]["seq"] == seq, timeout=10.0)[-1]
        latencies.append(time.time() - event["data"]["sent_at"])
    return latencies


def health_latencies(gateway, count=10):
    """Round trips of plain HTTP requests to the gateway's ``/health``."""
    latencies = []
    for _ in range(count):
        start = time.monotonic()
        requests.get(f"http://127.0.0.1:{gateway.port}/health", timeout=10.0).raise_for_status()
        latencies.append(time.monotonic() - start)
    return latencies


def median(values):
    return statistics.median(values)


def lower_quartile(values):
    """A cost added to every request moves it as much as the median; a pause of the
    loaded machine, which hits a few requests, does not."""
    return statistics.quantiles(values, n=4)[0]
