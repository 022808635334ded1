"""End to end on real RabbitMQ: AMQP publish -> one PikaConsumer -> fan-out -> websockets.

The broker is the suite's (``amqp_url``: ``KZ_AMQP_URL``, failing when it is
unreachable); each test publishes on an exchange of its own."""
import json
import os
import uuid

import pika
import pytest

from kzcore.bus.pika_consumer import PikaConsumer
from kzcore.naming import ACCOUNTS_DB
from kzcore.store.embedded import EmbeddedStore
from kzcore.tokens import TokenSigner

from tests.integration.test_blackhole_support import (
    OTHER, PARENT, SECRET, Client, account_store, key, participant_event, start_gateway)

pytestmark = pytest.mark.rabbitmq
signer = TokenSigner(SECRET)


class Rabbit:
    """A channel to the broker that publishes on the test's own exchange."""

    def __init__(self, url, exchange):
        self.url, self.exchange = url, exchange
        self.connection = pika.BlockingConnection(pika.URLParameters(url))
        self.channel = self.connection.channel()
        self.channel.exchange_declare(exchange, exchange_type="topic", durable=True)


@pytest.fixture
def rabbit(amqp_url, temp_exchange):
    made = Rabbit(amqp_url, temp_exchange)
    yield made
    made.connection.close()


@pytest.fixture
def gateway(rabbit):
    consumer = PikaConsumer(rabbit.url, exchange=rabbit.exchange)
    gateway = start_gateway(consumer, account_store())
    assert consumer.wait_ready(10), "the gateway's AMQP consumer never became ready"
    yield gateway
    gateway.stop()


def publish(rabbit, account_id, conference_id, call_id, seq=0):
    body = json.dumps(participant_event(account_id, conference_id, call_id, seq))
    rabbit.channel.basic_publish(rabbit.exchange, key(conference_id, call_id), body,
                                 pika.BasicProperties(content_type="application/json"))


def test_events_published_on_rabbitmq_reach_only_entitled_websockets(rabbit, gateway):
    room, other_room = f"r{uuid.uuid4().hex[:12]}", f"r{uuid.uuid4().hex[:12]}"
    mine, theirs = Client(gateway), Client(gateway)
    try:
        reply = mine.subscribe(signer.issue({"account_id": PARENT}), PARENT,
                               f"conference.event.{room}.*")
        assert reply["status"] == "success"
        theirs.subscribe(signer.issue({"account_id": OTHER}), OTHER, "conference.#")
        for seq in range(5):
            publish(rabbit, PARENT, room, f"call{seq}", seq)
        publish(rabbit, OTHER, other_room, "end")
        events = [mine.recv(timeout=5) for _ in range(5)]
        assert [e["data"]["seq"] for e in events] == list(range(5))
        assert all(e["routing_key"] == key(room, f"call{e['data']['seq']}") for e in events)
        assert events[0]["subscribed_key"] == f"conference.event.{room}.*"
        # OTHER's broad binding sees its own event and none of PARENT's five
        first_for_other = theirs.events_until(lambda e: e["data"].get("account_id") == OTHER
                                              and e["routing_key"] == key(other_room, "end"),
                                              timeout=5)
        assert all(e["data"]["account_id"] == OTHER for e in first_for_other)
        stats = gateway.stats()
        assert stats["sessions"] == 2 and stats["events_received"] >= 6
    finally:
        mine.close()
        theirs.close()


def test_kz_blackhole_process_serves_rabbitmq_events_and_stops_on_sigterm(rabbit, tmp_path):
    """The console script's entry point as its own process, like docker-compose runs it."""
    import signal
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    seeded = EmbeddedStore(str(tmp_path / "store.sqlite3"))   # tokens need a live account
    seeded.save(ACCOUNTS_DB, {"_id": PARENT, "pvt_type": "account", "pvt_tree": []})
    seeded.close()
    env = dict(os.environ, KZ_AMQP_URL=rabbit.url, KZ_AMQP_EXCHANGE=rabbit.exchange,
               KZ_TOKEN_SECRET=SECRET, KZ_STORE="embedded",
               KZ_STORE_PATH=str(tmp_path / "store.sqlite3"), KZ_BLACKHOLE_PORT=str(port),
               PYTHONPATH=os.getcwd())
    process = subprocess.Popen([sys.executable, "-c", "from blackhole.cli import main; main()"],
                               env=env, stderr=subprocess.PIPE, text=True)
    try:
        client = None
        for _ in range(100):
            try:
                client = Client(type("Gateway", (), {"port": port}))
                break
            except OSError:
                time.sleep(0.1)
        assert client is not None, "kz-blackhole never listened"
        room = f"r{uuid.uuid4().hex[:12]}"
        client.subscribe(signer.issue({"account_id": PARENT}), PARENT, f"conference.event.{room}.*")
        deadline = time.monotonic() + 10
        event = None
        while event is None and time.monotonic() < deadline:   # until its consumer is bound
            publish(rabbit, PARENT, room, "call1")
            try:
                event = client.recv(timeout=0.5)
            except Exception:
                pass
        assert event and event["routing_key"] == key(room, "call1")
        client.close()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert '"blackhole stopped"' in process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
