"""The event bus of the websocket gateway's tests, on either side: the in-process
MemoryBus, or RabbitMQ (``RabbitBus``) on an exchange of the test's own.
``bus`` is the memory one unless parametrized indirectly with ``"rabbitmq"``."""
import pytest

from kzcore.bus.memory import MemoryBus
from kzcore.bus.pika_consumer import PikaConsumer
from kzcore.bus.pika_publisher import PikaPublisher
from tests.support.rabbit import unique_name


class RabbitBus:
    """MemoryBus's test-facing interface (``publish``, ``consumer``, ``close``) on
    the real broker, on an exchange of the test's own: the websocket gateway's
    tests run unchanged on both buses. ``wait_ready`` returns once every consumer
    made so far is bound and consuming (a subscribe before that is not live yet)."""

    def __init__(self, url, exchange):
        self.url, self.exchange = url, exchange
        self.publisher = PikaPublisher(url, exchange=exchange,
                                       connection_name=unique_name("kz-test-bus"))
        self.consumers = []

    def consumer(self):
        made = PikaConsumer(self.url, exchange=self.exchange,
                            connection_name=unique_name("kz-test-bus-consumer"))
        self.consumers.append(made)
        return made

    def publish(self, routing_key, payload):
        self.publisher.publish(routing_key, payload)

    def wait_ready(self, timeout=10.0):
        return self.publisher.wait_connected(timeout) and all(
            consumer.wait_ready(timeout) for consumer in self.consumers)

    def close(self):
        self.publisher.close(timeout=2)
        for consumer in self.consumers:
            consumer.close()


BUS_KINDS = ("memory", "rabbitmq")


@pytest.fixture
def bus(request):
    """The event bus of a websocket gateway test: the in-process MemoryBus, or,
    parametrized indirectly with ``"rabbitmq"``, a RabbitBus on the real broker."""
    kind = getattr(request, "param", "memory")
    if kind == "memory":
        made = MemoryBus()
    else:
        made = RabbitBus(request.getfixturevalue("amqp_url"),
                         request.getfixturevalue("temp_exchange"))
    yield made
    made.close()
