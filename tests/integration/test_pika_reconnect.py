"""Reconnect behaviour of PikaPublisher / PikaConsumer (kzcore.bus.pika_supervisor)
against the real RabbitMQ: repeated broker-side closes, the owners' log records,
and the publisher's back-off that a new publish cuts short."""
import logging
import time

import gevent
import pytest

from kzcore.bus.pika_consumer import PikaConsumer
from kzcore.bus.pika_publisher import PikaPublisher
from tests.support.rabbit import close_broker_connection, unique_name
from tests.support.waiting import wait_for


def lost_records(caplog, logger):
    return [r for r in caplog.records
            if r.name == logger and r.getMessage().endswith("connection lost")]


@pytest.fixture
def exchange(temp_exchange):
    return temp_exchange


def test_publisher_survives_repeated_broker_closes_in_order(amqp_url, rabbit_tap, exchange,
                                                            caplog):
    name = unique_name("kz-test-pub")
    tap = rabbit_tap("ev.*", exchange=exchange)
    publisher = PikaPublisher(amqp_url, exchange=exchange, connection_name=name)
    try:
        assert publisher.wait_connected(5)

        def stream():
            for n in range(6000):
                publisher.publish(f"ev.{n % 3}", {"n": n})
                if n % 20 == 19:
                    gevent.sleep(0.002)
        with caplog.at_level(logging.WARNING, logger="kzcore.bus.pika_publisher"):
            streaming = gevent.spawn(stream)
            for closes in range(1, 4):
                gevent.sleep(0.1)
                wait_for(lambda: publisher.wait_connected(0))
                assert close_broker_connection(name) == 1
                wait_for(lambda: publisher.stats()["reconnects"] >= closes)
            streaming.get(timeout=30)
            assert publisher.flush(15)
        messages = tap.read(20000, timeout=2)
        seen, order = set(), []
        for _key, payload, _props in messages:
            if payload["n"] not in seen:
                seen.add(payload["n"])
                order.append(payload["n"])
        assert order == list(range(6000))
        stats = publisher.stats()
        assert stats["reconnects"] >= 3 and stats["dropped"] == 0 and stats["connected"]
        assert len(messages) - 6000 <= stats["resent"]
        lost = lost_records(caplog, "kzcore.bus.pika_publisher")
        assert len(lost) >= 3
        assert all(r.getMessage() == "amqp publisher connection lost" and
                   isinstance(r.buffered, int) and r.error for r in lost)
    finally:
        publisher.close(timeout=1)


def test_consumer_survives_repeated_broker_closes(amqp_url, exchange, caplog):
    name = unique_name("kz-test-con")
    received = []
    consumer = PikaConsumer(amqp_url, exchange=exchange, connection_name=name)
    consumer.start(["a.*"], lambda key, payload: received.append(payload["n"]))
    publisher = PikaPublisher(amqp_url, exchange=exchange)
    try:
        with caplog.at_level(logging.WARNING, logger="kzcore.bus.pika_consumer"):
            for n in range(3):
                assert consumer.wait_ready(5)
                publisher.publish("a.x", {"n": n})
                wait_for(lambda: len(received) == n + 1)
                assert close_broker_connection(name) == 1
                wait_for(lambda: consumer.reconnects == n + 1)
        assert consumer.wait_ready(5)
        publisher.publish("a.x", {"n": 3})
        wait_for(lambda: len(received) == 4)
        assert received == [0, 1, 2, 3] and consumer.failed == 0
        lost = lost_records(caplog, "kzcore.bus.pika_consumer")
        assert [r.getMessage() for r in lost] == ["amqp consumer connection lost"] * 3
    finally:
        consumer.close()
        publisher.close(timeout=1)


def test_publish_cuts_the_publisher_back_off_short(amqp_proxy, rabbit_tap, exchange):
    tap = rabbit_tap("ev.*", exchange=exchange)
    publisher = PikaPublisher(amqp_proxy.url, exchange=exchange)
    try:
        assert publisher.wait_connected(5)
        amqp_proxy.cut()
        # lost, then refused 4 times: waits 0.2, 0.4, 0.8, 1.6, and now the capped 2.0
        wait_for(lambda: publisher.stats()["reconnects"] >= 5)
        amqp_proxy.start()
        started = time.monotonic()
        publisher.publish("ev.1", {"n": 1})
        assert publisher.flush(5)
        assert time.monotonic() - started < 1.0     # not the rest of a 2 s back-off
        assert [m[1]["n"] for m in tap.read(10, timeout=1)] == [1]
    finally:
        publisher.close(timeout=1)


def test_messages_lost_in_transit_are_re_sent_in_order(amqp_proxy, rabbit_tap, exchange):
    """Cutting the link mid-stream loses what was written but not yet relayed or
    confirmed: only the re-send of unconfirmed messages keeps the stream whole."""
    tap = rabbit_tap("ev.*", exchange=exchange)
    publisher = PikaPublisher(amqp_proxy.url, exchange=exchange, buffer_size=50000)
    try:
        assert publisher.wait_connected(5)

        def stream():
            for n in range(10000):
                publisher.publish("ev.1", {"n": n, "pad": "x" * 200})
                if n % 20 == 19:
                    gevent.sleep(0.001)
        streaming = gevent.spawn(stream)
        gevent.sleep(0.3)
        amqp_proxy.cut()
        gevent.sleep(0.3)
        amqp_proxy.start()
        streaming.get(timeout=30)
        assert publisher.flush(20)
        seen, order = set(), []
        for _key, payload, _props in tap.read(10 ** 6, timeout=2):
            if payload["n"] not in seen:
                seen.add(payload["n"])
                order.append(payload["n"])
        assert order == list(range(10000))
        stats = publisher.stats()
        assert stats["resent"] > 0 and stats["dropped"] == 0 and stats["reconnects"] >= 1
    finally:
        publisher.close(timeout=1)
