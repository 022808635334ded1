"""In-process event bus with AMQP topic semantics, for the embedded run and tests.

One ``MemoryBus`` is shared by every publisher and consumer of a process. Each
consumer has its own queue and delivery greenlet, so a slow or failing callback
never blocks ``publish`` nor other consumers. Payloads travel as JSON text, like
on RabbitMQ: every consumer gets its own copy and a non-serialisable payload
fails at ``publish``.
"""
import json
import logging

import gevent
from gevent.queue import JoinableQueue, Full

from kzcore.bus.base import CONFERENCE_EXCHANGE, Consumer, Publisher
from kzcore.bus.topics import matches

log = logging.getLogger(__name__)

DEFAULT_QUEUE_SIZE = 100000


class MemoryConsumer(Consumer):
    """One subscription on a MemoryBus: bindings, a queue and a delivery greenlet."""

    def __init__(self, bus, queue_size=DEFAULT_QUEUE_SIZE):
        self._bus = bus
        self._queue = JoinableQueue(maxsize=queue_size)
        self._bindings = set()
        self._exchange = CONFERENCE_EXCHANGE
        self._callback = None
        self._greenlet = None
        self.delivered = 0
        self.dropped = 0
        self.failed = 0

    def start(self, bindings, callback, exchange=CONFERENCE_EXCHANGE):
        if self._greenlet is not None:
            raise RuntimeError("consumer already started")
        self._bindings = set(bindings)
        self._exchange = exchange
        self._callback = callback
        self._greenlet = gevent.spawn(self._deliver_loop)
        self._bus._attach(self)
        return self

    @property
    def bindings(self):
        return frozenset(self._bindings)

    def add_binding(self, binding):
        self._bindings.add(binding)

    def remove_binding(self, binding):
        self._bindings.discard(binding)

    def wants(self, exchange, routing_key):
        return exchange == self._exchange and any(
            matches(binding, routing_key) for binding in tuple(self._bindings))

    def offer(self, routing_key, body):
        """Enqueue without blocking; a full queue drops the event and counts it."""
        try:
            self._queue.put_nowait((routing_key, body))
        except Full:
            self.dropped += 1
            log.warning("memory bus consumer queue full, event dropped",
                        extra={"routing_key": routing_key, "dropped": self.dropped})

    def drain(self, timeout=5.0):
        """Wait until every event queued so far went through the callback."""
        return self._queue.join(timeout=timeout)

    def close(self):
        self._bus._detach(self)
        if self._greenlet is not None:
            self._greenlet.kill(block=False)
            self._greenlet = None

    def _deliver_loop(self):
        while True:
            routing_key, body = self._queue.get()
            try:
                self._callback(routing_key, json.loads(body))
                self.delivered += 1
            except Exception:  # a bad callback must never stop delivery
                self.failed += 1
                log.exception("memory bus callback failed", extra={"routing_key": routing_key})
            finally:
                self._queue.task_done()


class MemoryBus(Publisher, Consumer):
    """Publisher and consumer factory in one. ``start`` returns a new
    subscription handle (a MemoryConsumer); ``add_binding``/``remove_binding``
    on the bus itself act on the subscription started last, ``close`` on the
    bus closes the subscriptions it started. Consumers made with ``consumer()``
    belong to their caller, so a publisher closing the shared bus never cuts
    off another part's consumer."""

    def __init__(self, queue_size=DEFAULT_QUEUE_SIZE):
        self._queue_size = queue_size
        self._consumers = []
        self._published = 0
        self._last = None
        self._started = []

    def publish(self, routing_key, payload, exchange=CONFERENCE_EXCHANGE):
        body = json.dumps(payload)
        self._published += 1
        for consumer in tuple(self._consumers):
            if consumer.wants(exchange, routing_key):
                consumer.offer(routing_key, body)

    def consumer(self):
        """A fresh, unstarted consumer on this bus (what ``make_consumer`` returns)."""
        return MemoryConsumer(self, self._queue_size)

    def start(self, bindings, callback, exchange=CONFERENCE_EXCHANGE):
        self._last = self.consumer().start(bindings, callback, exchange)
        self._started.append(self._last)
        return self._last

    def add_binding(self, binding):
        self._require_last().add_binding(binding)

    def remove_binding(self, binding):
        self._require_last().remove_binding(binding)

    def stats(self):
        dropped = sum(consumer.dropped for consumer in self._consumers)
        return {"published": self._published, "confirmed": self._published,
                "buffered": 0, "dropped": dropped, "reconnects": 0,
                "consumers": len(self._consumers)}

    def flush(self, timeout=5.0):
        """Wait until every consumer has processed what was published so far."""
        deadline = gevent.Timeout(timeout, False)
        with deadline:
            for consumer in tuple(self._consumers):
                consumer.drain(timeout=None)
            return True
        return False

    def close(self):
        for consumer in self._started:
            consumer.close()
        self._started.clear()

    def _attach(self, consumer):
        self._consumers.append(consumer)

    def _detach(self, consumer):
        if consumer in self._consumers:
            self._consumers.remove(consumer)
        if consumer in self._started:
            self._started.remove(consumer)
        if self._last is consumer:
            self._last = None

    def _require_last(self):
        if self._last is None:
            raise RuntimeError("no subscription started on this bus")
        return self._last
