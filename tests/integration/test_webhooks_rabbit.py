"""The delivery service on RabbitMQ (127.0.0.1:5672): a durable queue with a
single active consumer. Each test has its own exchange and queue,
deleted afterwards.

- the ``kz-webhooks`` process killed mid-stream and restarted: nothing lost
  (events published while it is down wait in the queue), order kept per
  conference, repeats only of what was in flight;
- two instances on one queue: each event delivered by one of them, and the
  standby takes over when the active one stops."""
import os
import signal
import subprocess
import sys
import time

import pika
import pytest

from kzcore.bus.pika_publisher import PikaPublisher
from kzcore.store.embedded import EmbeddedStore
from tests.support.rabbit import delete_queues, unique_name
from tests.support.webhooks import (LOCAL_NETWORKS, bus_event, create_webhook,  # noqa: F401
                                    receiver, start_service, wait_until, webhook_api)
from kzcore.bus.event_sources import DurableQueue

pytestmark = [pytest.mark.rabbitmq, pytest.mark.slow]
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def queue_name(amqp_url):
    name = unique_name("kz-test-webhooks")
    yield name
    delete_queues(amqp_url, name)


def queue_state(amqp_url, name):
    """``(messages ready, consumers)`` of the queue, or None if it does not exist."""
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        method = connection.channel().queue_declare(name, passive=True).method
        return method.message_count, method.consumer_count
    except pika.exceptions.ChannelClosedByBroker:
        return None
    finally:
        if connection.is_open:
            connection.close()


def publish_events(publisher, account_id, rooms, numbers):
    """Participant events numbered ``numbers`` in each room, interleaved; returns
    ``{room: [msg_id in publication order]}``."""
    sent = {room: [] for room in rooms}
    for n in numbers:
        for room in rooms:
            key, payload = bus_event(account_id, room, "mute-member" if n % 2 else "unmute-member",
                                     f"call-{n}", member_id=n + 1)
            publisher.publish(key, payload)
            sent[room].append(payload["msg_id"])
    assert publisher.flush(10.0)
    return sent


def check_delivery(requests, sent):
    """Every event arrived; per room, first arrivals in publication order with
    increasing sequence numbers; returns how many arrivals were repeats."""
    first = {}
    for request in requests:
        body = request.json
        first.setdefault(body["conference_id"], {}).setdefault(body["event_id"],
                                                                body["sequence"])
    for room, ids in sent.items():
        assert list(first[room]) == ids, f"room {room}: lost or reordered events"
        numbers = list(first[room].values())
        assert numbers == sorted(set(numbers)), f"room {room}: sequence not increasing"
    return len(requests) - sum(len(ids) for ids in sent.values())


def service_process(amqp_url, store_path, queue, exchange):
    env = dict(os.environ, KZ_AMQP_URL=amqp_url, KZ_STORE="embedded", KZ_STORE_PATH=store_path,
               KZ_WEBHOOKS_QUEUE=queue, KZ_WEBHOOKS_ALLOW_NETWORKS=LOCAL_NETWORKS,
               KZ_WEBHOOKS_RETRY_DELAY="0.05", KZ_WEBHOOKS_CACHE_TTL="0",
               KZ_WEBHOOKS_PREFETCH="20", KZ_LOG_LEVEL="WARNING", KZ_LOG_FORMAT="text",
               PYTHONPATH=REPO)
    return subprocess.Popen([sys.executable, "-m", "webhooks.cli", "--exchange", exchange],
                            env=env, cwd=REPO, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


def wait_consumed(amqp_url, queue, process, timeout=20.0):
    def consuming():
        assert process.poll() is None, process.stderr.read().decode()[-2000:]
        state = queue_state(amqp_url, queue)
        return state is not None and state[1] >= 1
    wait_until(consuming, timeout, interval=0.2)


def test_killed_service_process_loses_nothing(amqp_url, temp_exchange, queue_name, receiver,
                                              tmp_path):
    store_path = str(tmp_path / "store.sqlite3")
    store = EmbeddedStore(store_path)
    api = webhook_api(store, None)
    create_webhook(api, api.root, receiver.url(), hook="participant")
    receiver.respond = lambda request, index: (200, {}, 0.005)
    publisher = PikaPublisher(amqp_url, exchange=temp_exchange, connection_name="kz-test-pub")
    process = service_process(amqp_url, store_path, queue_name, temp_exchange)
    try:
        wait_consumed(amqp_url, queue_name, process)
        rooms = ["room-a", "room-b"]
        sent = publish_events(publisher, api.root.account_id, rooms, range(50))
        receiver.wait_for(30, timeout=20)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        cut = len(receiver.requests)
        assert cut < 100, "the service finished before it was killed"
        later = publish_events(publisher, api.root.account_id, rooms, range(50, 100))
        time.sleep(0.5)
        assert len(receiver.requests) == cut                  # nobody delivers meanwhile
        waiting, consumers = queue_state(amqp_url, queue_name)
        assert consumers == 0 and waiting >= 100              # kept while the service is down
        process = service_process(amqp_url, store_path, queue_name, temp_exchange)
        for room in rooms:
            sent[room] += later[room]
        wait_until(lambda: len({r.json["event_id"] for r in receiver.requests}) >= 200,
                   timeout=60, interval=0.1)
        repeats = check_delivery(list(receiver.requests), sent)
        assert repeats <= 20          # at most what the killed process held (prefetch)
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(10)
        publisher.close()
        store.close()


def test_two_instances_deliver_each_event_once_and_the_standby_takes_over(
        amqp_url, temp_exchange, queue_name, receiver):
    store = EmbeddedStore(":memory:")
    api = webhook_api(store, None)
    create_webhook(api, api.root, receiver.url(), hook="participant")
    receiver.respond = lambda request, index: (200, {}, 0.005)
    publisher = PikaPublisher(amqp_url, exchange=temp_exchange, connection_name="kz-test-pub")

    def instance():
        source = DurableQueue(amqp_url, queue=queue_name, exchange=temp_exchange, prefetch=10)
        service = start_service(store, source, None)
        assert source.wait_ready(10)
        return service

    first, second = instance(), instance()
    try:
        rooms = ["room-1", "room-2", "room-3"]
        sent = publish_events(publisher, api.root.account_id, rooms, range(40))
        receiver.wait_for(40, timeout=20)
        active, standby = (first, second) if first.dispatched else (second, first)
        assert standby.dispatched == 0                       # one active consumer at a time
        active.stop()
        wait_until(lambda: len({r.json["event_id"] for r in receiver.requests}) >= 120,
                   timeout=30, interval=0.1)
        repeats = check_delivery(list(receiver.requests), sent)
        assert repeats <= 10 and standby.dispatched > 0
        taken_over = [r.json["sequence"] for r in receiver.requests[-10:]]
        assert min(taken_over) > 100      # the standby numbers above the active one's block
        assert {r.json["event_id"] for r in receiver.requests} == \
            {msg_id for ids in sent.values() for msg_id in ids}
    finally:
        first.stop()
        second.stop()
        publisher.close()
        store.close()
