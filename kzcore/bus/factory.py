"""Choose the event bus from ``config.amqp_url``: ``memory://`` -> the shared
in-process MemoryBus (the embedded run passes one instance to every part),
``amqp://``/``amqps://`` -> RabbitMQ through pika, on the topic exchange
``config.amqp_exchange`` (``KZ_AMQP_EXCHANGE``, default ``conference``)."""
from kzcore.bus.memory import MemoryBus


def _is_memory(url):
    return url.startswith("memory://")


def _require_bus(memory_bus):
    if memory_bus is None:
        raise ValueError("amqp_url is memory:// but no MemoryBus was passed in; "
                         "the embedded run must share one instance")
    if not isinstance(memory_bus, MemoryBus):
        raise TypeError(f"memory_bus must be a MemoryBus, not {type(memory_bus).__name__}")
    return memory_bus


def make_publisher(config, memory_bus=None, **options):
    """A Publisher for ``config.amqp_url``; ``options`` go to PikaPublisher."""
    url = config.amqp_url
    if _is_memory(url):
        return _require_bus(memory_bus)
    if url.startswith(("amqp://", "amqps://")):
        from kzcore.bus.pika_publisher import PikaPublisher
        return PikaPublisher(url, **{"exchange": config.amqp_exchange, **options})
    raise ValueError(f"unsupported amqp_url scheme: {url!r}")


def make_consumer(config, memory_bus=None, **options):
    """A fresh, unstarted Consumer for ``config.amqp_url``; call ``start``."""
    url = config.amqp_url
    if _is_memory(url):
        return _require_bus(memory_bus).consumer()
    if url.startswith(("amqp://", "amqps://")):
        from kzcore.bus.pika_consumer import PikaConsumer
        return PikaConsumer(url, **{"exchange": config.amqp_exchange, **options})
    raise ValueError(f"unsupported amqp_url scheme: {url!r}")
