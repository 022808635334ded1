"""The event bus contract: topic exchange semantics as AMQP has them.

Routing keys are dot-separated words; bindings use ``*`` (exactly one word)
and ``#`` (zero or more words). Payloads are JSON-serialisable dicts.
"""
import abc

CONFERENCE_EXCHANGE = "conference"


class Publisher(abc.ABC):
    @abc.abstractmethod
    def publish(self, routing_key, payload, exchange=CONFERENCE_EXCHANGE):
        """Queue one event for delivery; never blocks the caller on the broker.
        Delivery is in order; while the broker is down events are buffered
        (bounded; overflow is counted in ``stats()``)."""

    def stats(self):
        """Counters: published, confirmed, buffered, dropped."""
        return {}

    def flush(self, timeout=5.0):
        """Wait until everything queued so far is confirmed; True if it was."""
        return True

    def discard(self):
        """Take back every message not yet confirmed (they will not be sent, nor
        re-sent after a reconnect); returns them, oldest first, as
        ``(exchange, routing_key, body bytes)``. A bus without a buffer has none."""
        return []

    def close(self):
        pass


class Consumer(abc.ABC):
    @abc.abstractmethod
    def start(self, bindings, callback, exchange=CONFERENCE_EXCHANGE):
        """Consume events matching any of ``bindings``; ``callback(routing_key,
        payload)`` is called in the consumer's greenlet, so it must only enqueue.
        Reconnects by itself."""

    def add_binding(self, binding):
        raise NotImplementedError

    def close(self):
        pass
