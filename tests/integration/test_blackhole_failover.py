"""Two ``kz-blackhole`` processes on RabbitMQ behind a round-robin proxy
(tests/support/lb.py). The instance holding two clients is killed (SIGKILL)
while events stream; both reconnect through the proxy, which sends them to the
other instance, and keep receiving: one with its resume token, one by sending
its subscription again (what Kazoo's clients and the admin UI's live.js do)."""
import json
import signal
import subprocess
import sys
import uuid

import gevent
import pytest
import websocket

from kzcore.bus.pika_publisher import PikaPublisher
from kzcore.naming import ACCOUNTS_DB
from kzcore.store.embedded import EmbeddedStore
from kzcore.tokens import TokenSigner
from tests.integration.test_blackhole_support import (PARENT, SECRET, Client, key,
                                                      participant_event)
from tests.support.couch import _die_with_parent, free_port
from tests.support.crossbar_procs import product_env
from tests.support.lb import RoundRobinProxy
from tests.support.paths import REPO
from tests.support.scrape import scrape, value, wait_for

pytestmark = [pytest.mark.rabbitmq, pytest.mark.slow, pytest.mark.timeout(120)]


class Gateway:
    def __init__(self, tmp_path, n, **settings):
        self.port = free_port()
        self.log = open(tmp_path / f"blackhole-{n}.log", "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "blackhole.cli"], cwd=str(REPO), stdout=subprocess.DEVNULL,
            stderr=self.log, preexec_fn=_die_with_parent,
            env=product_env(blackhole_host="127.0.0.1", blackhole_port=self.port,
                            token_secret=SECRET, log_level="WARNING", **settings))

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def ready(self):
        import requests
        try:
            return requests.get(self.url + "/ready", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    def stop(self, signum=signal.SIGTERM):
        if self.process.poll() is None:
            self.process.send_signal(signum)
            self.process.wait(timeout=10)
        self.log.close()


@pytest.fixture
def gateways(tmp_path, amqp_url, temp_exchange):
    store = EmbeddedStore(str(tmp_path / "store.sqlite3"))   # tokens need a live account
    store.save(ACCOUNTS_DB, {"_id": PARENT, "pvt_type": "account", "pvt_tree": []})
    store.close()
    made = [Gateway(tmp_path, n, amqp_url=amqp_url, amqp_exchange=temp_exchange,
                    store="embedded", store_path=tmp_path / "store.sqlite3") for n in range(2)]
    proxy = RoundRobinProxy([("127.0.0.1", g.port) for g in made]).start()
    try:
        wait_for(lambda: all(g.ready() for g in made), timeout=30)
        yield made, proxy
    finally:
        proxy.cut()
        for gateway in made:
            gateway.stop()


class Publisher:
    """Numbered events into one room, every ``interval`` seconds, until stopped."""

    def __init__(self, amqp_url, exchange, room, interval=0.02):
        self.bus = PikaPublisher(amqp_url, exchange=exchange, connection_name="kz-test-pub")
        self.room, self.interval, self.sent = room, interval, 0
        self._greenlet = gevent.spawn(self._run)

    def _run(self):
        while True:
            self.sent += 1
            self.bus.publish(key(self.room, "call1"),
                             participant_event(PARENT, self.room, "call1", seq=self.sent))
            gevent.sleep(self.interval)

    def stop(self):
        self._greenlet.kill()
        self.bus.close()


def connect(proxy, gateways):
    """A client through the proxy, and the index of the instance it reached."""
    before = list(proxy.served)
    client = Client(type("Proxy", (), {"port": proxy.port}))
    index = next(i for i, (a, b) in enumerate(zip(before, proxy.served)) if b > a)
    return client, index


def seqs_until_closed(client):
    """Event numbers received until the connection drops."""
    seen = []
    while True:
        try:
            message = client.recv(5.0)
        except (websocket.WebSocketException, OSError, json.JSONDecodeError):
            return seen
        if message.get("action") == "event":
            seen.append(message["data"]["seq"])


def test_clients_of_a_killed_instance_resume_on_the_other_and_keep_receiving(
        gateways, amqp_url, temp_exchange):
    (one, two), proxy = gateways
    room = f"r{uuid.uuid4().hex[:12]}"
    binding = f"conference.event.{room}.*"
    auth = TokenSigner(SECRET).issue({"account_id": PARENT})
    resumer, first = connect(proxy, (one, two))
    spare, _ = connect(proxy, (one, two))            # round robin: the next goes elsewhere
    resender, again = connect(proxy, (one, two))
    assert first == again
    victim, survivor = (one, two) if first == 0 else (two, one)
    resume_token = resumer.subscribe(auth, PARENT, binding)["data"]["resume_token"]
    assert resender.subscribe(auth, PARENT, binding)["status"] == "success"
    publisher = Publisher(amqp_url, temp_exchange, room)
    try:
        for client in (resumer, resender):
            assert client.events_until(lambda e: e["data"]["seq"] >= 5, timeout=10)
        victim.process.send_signal(signal.SIGKILL)    # mid-stream
        last = {name: max(seqs_until_closed(client) or [0])
                for name, client in (("resumer", resumer), ("resender", resender))}
        resumer, landed = connect(proxy, (one, two))
        resender, landed_too = connect(proxy, (one, two))
        assert {landed, landed_too} == {(one, two).index(survivor)}   # the dead one skipped
        reply = resumer.request({"action": "resume", "auth_token": auth, "request_id": "r",
                                 "data": {"resume_token": resume_token}})
        assert reply["status"] == "success" and reply["data"]["subscribed"] == [binding]
        assert resender.subscribe(auth, PARENT, binding)["status"] == "success"
        for name, client in (("resumer", resumer), ("resender", resender)):
            events = client.events_until(lambda e: e["data"]["seq"] >= last[name] + 20,
                                         timeout=15)
            seqs = [e["data"]["seq"] for e in events]
            assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs), name
            assert seqs[-1] > last[name]
        samples = scrape(survivor.url)
        assert value(samples, "kz_blackhole_resumes_total") == 1
        assert value(samples, "kz_blackhole_websocket_clients") >= 2
    finally:
        publisher.stop()
        for client in (resumer, resender, spare):
            client.close()
    assert victim.process.wait(timeout=5) == -signal.SIGKILL
