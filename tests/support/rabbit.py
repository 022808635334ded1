"""RabbitMQ fixtures: the real broker on 127.0.0.1:5672 (or KZ_AMQP_URL).

``amqp_url`` fails clearly when the broker is unreachable (tests.support.needs).
The broker is shared with whatever else runs on the machine, so tests never use
the product's ``conference`` exchange: ``temp_exchange`` names one of the test's
own, and ``rabbit_tap(patterns, exchange)`` binds a fresh exclusive queue to
patterns on it and reads what arrives, in order.
``close_broker_connection(name)`` closes a named client connection from the
broker side (``rabbitmqctl close_connection``), as a broker restart would;
``queue_types(*names)`` reads the queues' types the same way.
"""
import json
import os
import subprocess
import time
import urllib.parse
import uuid

import pika
import pytest

from tests.support.lb import RoundRobinProxy
from tests.support.needs import service_missing

DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"


def unique_name(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="session")
def amqp_url():
    url = os.environ.get("KZ_AMQP_URL", DEFAULT_AMQP_URL)
    params = pika.URLParameters(url)
    params.socket_timeout = 3
    params.connection_attempts = 1
    try:
        pika.BlockingConnection(params).close()
    except Exception as exc:  # any failure here means: no broker to test against
        service_missing(f"RabbitMQ at {url}", repr(exc),
                        "Start RabbitMQ (guest/guest on 127.0.0.1:5672) or set KZ_AMQP_URL")
    return url


@pytest.fixture
def temp_exchange(amqp_url):
    """A fresh exchange name for one test; the (durable) exchange is deleted afterwards,
    so that test runs do not pile exchanges up on the shared broker."""
    name = unique_name("kz-test-x")
    yield name
    try:
        connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
        try:
            connection.channel().exchange_delete(name)
        finally:
            connection.close()
    except Exception:  # best effort: a broker down at the end is the test's own story
        pass


class RabbitTap:
    """A fresh exclusive queue bound to ``patterns`` on ``exchange``."""

    def __init__(self, url, patterns, exchange):
        self.connection = pika.BlockingConnection(pika.URLParameters(url))
        self.channel = self.connection.channel()
        self.channel.exchange_declare(exchange, exchange_type="topic", durable=True)
        # exclusive (dies with the connection), not auto-delete: read() cancels its consumer
        self.queue = self.channel.queue_declare("", exclusive=True).method.queue
        for pattern in ([patterns] if isinstance(patterns, str) else patterns):
            self.channel.queue_bind(self.queue, exchange, routing_key=pattern)
        self._consumer_tag = None
        self._buffer = []

    def read(self, count, timeout=5.0):
        """Up to ``count`` messages as (routing_key, payload, properties); stops
        early after ``timeout`` seconds without a message."""
        if self._consumer_tag is None:
            self._consumer_tag = self.channel.basic_consume(self.queue, self._on_message,
                                                            auto_ack=True)
        quiet_since = time.monotonic()
        while len(self._buffer) < count and time.monotonic() - quiet_since < timeout:
            before = len(self._buffer)
            self.connection.process_data_events(time_limit=0.05)
            if len(self._buffer) > before:
                quiet_since = time.monotonic()
        taken, self._buffer = self._buffer[:count], self._buffer[count:]
        return taken

    def _on_message(self, _channel, method, properties, body):
        self._buffer.append((method.routing_key, json.loads(body), properties))

    def read_quiet(self, quiet=0.5):
        """Everything that arrives until ``quiet`` seconds pass without a message."""
        return self.read(10 ** 9, timeout=quiet)

    def close(self):
        if self.connection.is_open:
            self.connection.close()


@pytest.fixture
def rabbit_tap(amqp_url):
    """Factory: ``rabbit_tap(pattern_or_patterns, exchange)``; the exchange is the
    test's own (``temp_exchange``), never the product's shared ``conference``."""
    taps = []

    def make(patterns, exchange):
        tap = RabbitTap(amqp_url, patterns, exchange)
        taps.append(tap)
        return tap

    yield make
    for tap in taps:
        tap.close()


def broker_connection_pids(client_name):
    """Broker pids of the connections whose client ``connection_name`` is given
    (the table output prints pids in the form ``close_connection`` accepts)."""
    out = subprocess.run(
        ["rabbitmqctl", "-q", "--no-table-headers", "list_connections", "pid",
         "client_properties"], capture_output=True, text=True, timeout=30, check=True)
    return [line.split("\t", 1)[0] for line in out.stdout.splitlines()
            if f'"{client_name}"' in line]


def queue_types(*names):
    """``{name: type}`` (``classic``, ``quorum``) of those of ``names`` the broker
    lists (``rabbitmqctl list_queues``, vhost ``/``)."""
    out = subprocess.run(["rabbitmqctl", "-q", "--no-table-headers", "list_queues", "name",
                          "type"], capture_output=True, text=True, timeout=30, check=True)
    rows = (line.split("\t") for line in out.stdout.splitlines() if "\t" in line)
    return {name: kind for name, kind in rows if name in names}


def delete_queues(url, *names):
    """Delete the named queues (tests' own, on the shared broker)."""
    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        for name in names:
            connection.channel().queue_delete(name)
    finally:
        connection.close()


def close_broker_connection(client_name, reason="closed by test"):
    """Close, from the broker side, every connection named ``client_name``;
    returns how many were closed."""
    pids = broker_connection_pids(client_name)
    for pid in pids:
        subprocess.run(["rabbitmqctl", "-q", "close_connection", pid, reason],
                       capture_output=True, text=True, timeout=30, check=True)
    return len(pids)


class TcpProxy(RoundRobinProxy):
    """A real TCP relay in front of the broker that tests can cut and restore,
    to make RabbitMQ unreachable for one client without touching the shared broker."""

    def __init__(self, target_url):
        params = pika.URLParameters(target_url)
        super().__init__([(params.host, params.port)], connect_timeout=5.0)
        self._credentials = (params.credentials.username, params.credentials.password)
        self._vhost = urllib.parse.quote(params.virtual_host, safe="")

    @property
    def url(self):
        user, password = self._credentials
        return f"amqp://{user}:{password}@127.0.0.1:{self.port}/{self._vhost}"


@pytest.fixture
def amqp_proxy(amqp_url):
    """A TcpProxy to the test broker; ``.url`` for clients, ``.cut()``/``.start()``."""
    proxy = TcpProxy(amqp_url).start()
    yield proxy
    proxy.cut()
