"""PikaPublisher / PikaConsumer against the real RabbitMQ."""
import gevent
import pika
import pytest

from kzcore.bus.factory import make_consumer, make_publisher
from kzcore.bus.memory import MemoryBus
from kzcore.bus.pika_consumer import PikaConsumer
from kzcore.bus.pika_publisher import PikaPublisher
from kzcore.config import load_config
from tests.support.rabbit import close_broker_connection, unique_name
from tests.support.waiting import wait_for as _wait_for


@pytest.fixture
def exchange(temp_exchange):
    return temp_exchange


@pytest.fixture
def publishers():
    made = []
    yield made
    for publisher in made:
        publisher.close(timeout=1)


def new_publisher(publishers, url, **options):
    publisher = PikaPublisher(url, **options)
    publishers.append(publisher)
    return publisher


def publish_stream(publisher, count, prefix="ev", every=50, pause=0.0):
    """Publish ``count`` numbered events, yielding regularly like a real producer."""
    for n in range(count):
        publisher.publish(f"{prefix}.{n % 5}", {"n": n})
        if n % every == every - 1:
            gevent.sleep(pause)


def first_occurrences(messages):
    """Event numbers in first-arrival order (re-sends after a reconnect may repeat)."""
    seen, order = set(), []
    for _key, payload, _props in messages:
        if payload["n"] not in seen:
            seen.add(payload["n"])
            order.append(payload["n"])
    return order


def test_publish_in_order_with_json_and_confirms(amqp_url, rabbit_tap, exchange, publishers):
    tap = rabbit_tap("ev.*", exchange=exchange)
    publisher = new_publisher(publishers, amqp_url, exchange=exchange)
    assert publisher.wait_connected(5)
    publish_stream(publisher, 3000)
    assert publisher.flush(10)
    messages = tap.read(3000, timeout=3)
    assert [m[1]["n"] for m in messages] == list(range(3000))
    assert messages[0][0] == "ev.0" and messages[0][2].content_type == "application/json"
    stats = publisher.stats()
    assert stats["confirmed"] == 3000 and stats["buffered"] == 0 and stats["dropped"] == 0


def test_unsendable_names_are_refused_and_block_nothing(amqp_url, rabbit_tap, exchange, publishers):
    """A routing key or exchange over AMQP's 255-byte limit is refused at publish();
    it never reaches the outbox, where it would hold up every message behind it."""
    tap = rabbit_tap("ev.*", exchange=exchange)
    publisher = new_publisher(publishers, amqp_url, exchange=exchange)
    assert publisher.wait_connected(5)
    with pytest.raises(ValueError, match="routing key longer than 255 bytes"):
        publisher.publish("ev." + "k" * 253, {"n": -1})
    with pytest.raises(ValueError, match="exchange longer than 255 bytes"):
        publisher.publish("ev.1", {"n": -2}, exchange="x" * 256)
    publisher.publish("ev." + "é" * 126, {"n": 0})       # 255 bytes exactly: fine
    publisher.publish("ev.1", {"n": 1})
    assert publisher.flush(5)
    assert [m[1]["n"] for m in tap.read(2, timeout=3)] == [0, 1]
    assert publisher.stats()["published"] == 2


def test_exchange_is_durable_topic(amqp_url, exchange, publishers):
    publisher = new_publisher(publishers, amqp_url, exchange=exchange)
    assert publisher.wait_connected(5)
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = connection.channel()
    # Re-declaring with the same type and durability succeeds; a mismatch is a 406.
    channel.exchange_declare(exchange, exchange_type="topic", durable=True, passive=False)
    with pytest.raises(pika.exceptions.ChannelClosedByBroker) as refused:
        channel.exchange_declare(exchange, exchange_type="topic", durable=False)
    assert refused.value.reply_code == 406
    connection.close()


def test_broker_side_close_while_streaming_loses_nothing(amqp_url, rabbit_tap, exchange,
                                                         publishers):
    name = unique_name("kz-test-pub")
    tap = rabbit_tap("ev.*", exchange=exchange)
    publisher = new_publisher(publishers, amqp_url, exchange=exchange, connection_name=name)
    assert publisher.wait_connected(5)
    streaming = gevent.spawn(publish_stream, publisher, 4000, every=20, pause=0.002)
    gevent.sleep(0.1)
    assert close_broker_connection(name) == 1      # rabbitmqctl close_connection
    streaming.get(timeout=30)
    assert publisher.flush(15)
    messages = tap.read(10000, timeout=2)
    assert first_occurrences(messages) == list(range(4000))
    stats = publisher.stats()
    assert stats["reconnects"] >= 1 and stats["dropped"] == 0
    # At-least-once: only re-sent (unconfirmed) events may repeat.
    assert len(messages) - 4000 <= stats["resent"]


def test_unreachable_broker_buffers_then_delivers_in_order(amqp_proxy, rabbit_tap, exchange,
                                                           publishers):
    tap = rabbit_tap("ev.*", exchange=exchange)
    publisher = new_publisher(publishers, amqp_proxy.url, exchange=exchange)
    assert publisher.wait_connected(5)
    publish_stream(publisher, 100)
    assert publisher.flush(5)
    amqp_proxy.cut()
    for n in range(100, 600):
        publisher.publish("ev.1", {"n": n})
    gevent.sleep(0.5)
    assert publisher.stats()["buffered"] == 500 and not publisher.stats()["connected"]
    amqp_proxy.start()
    assert publisher.flush(10)
    assert first_occurrences(tap.read(10000, timeout=2)) == list(range(600))
    assert publisher.stats()["reconnects"] >= 1


def test_buffer_is_bounded_and_drops_the_oldest(amqp_proxy, rabbit_tap, exchange, publishers):
    tap = rabbit_tap("ev.*", exchange=exchange)
    amqp_proxy.cut()
    publisher = new_publisher(publishers, amqp_proxy.url, exchange=exchange, buffer_size=100)
    for n in range(250):
        publisher.publish("ev.1", {"n": n})
    assert publisher.stats()["dropped"] == 150
    amqp_proxy.start()
    assert publisher.flush(10)
    assert first_occurrences(tap.read(1000, timeout=2)) == list(range(150, 250))


def test_consumer_receives_and_changes_bindings(amqp_url, exchange, publishers):
    received = []
    consumer = PikaConsumer(amqp_url, exchange=exchange)
    consumer.start(["a.*"], lambda key, payload: received.append((key, payload["n"])))
    try:
        assert consumer.wait_ready(5)
        publisher = new_publisher(publishers, amqp_url, exchange=exchange)
        publisher.publish("a.x", {"n": 1})
        publisher.publish("b.x", {"n": 2})
        assert consumer.add_binding("b.*") is True
        publisher.publish("b.y", {"n": 3})
        assert consumer.remove_binding("a.*") is True
        publisher.publish("a.y", {"n": 4})
        publisher.publish("b.z", {"n": 5})
        assert publisher.flush(5)
        _wait_for(lambda: len(received) >= 3)
        gevent.sleep(0.2)
        assert received == [("a.x", 1), ("b.y", 3), ("b.z", 5)]
    finally:
        consumer.close()


def test_consumer_reconnects_and_rebinds(amqp_url, exchange, publishers):
    name = unique_name("kz-test-con")
    received = []
    consumer = PikaConsumer(amqp_url, exchange=exchange, connection_name=name)
    consumer.start(["a.*"], lambda key, payload: received.append(payload["n"]))
    try:
        assert consumer.wait_ready(5)
        consumer.add_binding("c.*")
        assert close_broker_connection(name) == 1
        _wait_for(lambda: consumer.reconnects >= 1 and consumer.wait_ready(0))
        publisher = new_publisher(publishers, amqp_url, exchange=exchange)
        publisher.publish("a.1", {"n": 1})
        publisher.publish("c.1", {"n": 2})
        assert publisher.flush(5)
        _wait_for(lambda: len(received) >= 2)
        assert received == [1, 2]
    finally:
        consumer.close()


def test_callback_errors_do_not_stop_consumption(amqp_url, exchange, publishers):
    received = []

    def callback(key, payload):
        received.append(payload["n"])
        if payload["n"] == 1:
            raise RuntimeError("bad subscriber")

    consumer = PikaConsumer(amqp_url, exchange=exchange).start(["#"], callback)
    try:
        assert consumer.wait_ready(5)
        publisher = new_publisher(publishers, amqp_url, exchange=exchange)
        for n in range(3):
            publisher.publish("k", {"n": n})
        _wait_for(lambda: len(received) >= 3)
        assert received == [0, 1, 2] and consumer.failed == 1
    finally:
        consumer.close()


def test_factory_picks_the_bus_from_the_url(amqp_url):
    bus = MemoryBus()
    memory = load_config(env={}, amqp_url="memory://")
    assert make_publisher(memory, bus) is bus
    consumer = make_consumer(memory, bus)
    assert consumer is not bus and consumer.start(["#"], lambda k, p: None)
    consumer.close()
    with pytest.raises(ValueError):
        make_publisher(memory)
    real = load_config(env={}, amqp_url=amqp_url)
    publisher = make_publisher(real, bus)
    assert isinstance(publisher, PikaPublisher)
    publisher.close(timeout=1)
    assert isinstance(make_consumer(real), PikaConsumer)
    with pytest.raises(ValueError):
        make_publisher(load_config(env={}, amqp_url="kafka://x"))
