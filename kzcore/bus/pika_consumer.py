"""RabbitMQ consumer: one greenlet owns a pika BlockingConnection and one
exclusive auto-delete queue bound to the current bindings.

Binding changes requested from other greenlets are handed to the owner, which
applies them between reads; after a reconnect the queue is re-declared and every
current binding re-applied. Events published while disconnected are lost for
this consumer (its queue dies with the connection), as with Kazoo's consumers.
"""
import collections
import json
import logging

import gevent
import gevent.event
import pika

from kzcore.bus.base import CONFERENCE_EXCHANGE, Consumer
from kzcore.bus.pika_supervisor import join_or_kill, supervise
from kzcore.bus.pika_tuning import connection_parameters, install_write_coalescing

log = logging.getLogger(__name__)

READ_SLICE = 0.05   # seconds the owner reads before looking at binding changes


class PikaConsumer(Consumer):
    def __init__(self, url, *, exchange=CONFERENCE_EXCHANGE, prefetch=1000,
                 connect_timeout=5.0, connection_name="kz-consumer"):
        install_write_coalescing()
        self._params = connection_parameters(url, connect_timeout, connection_name)
        self._exchange = exchange
        self._prefetch = prefetch
        self._bindings = set()
        self._changes = collections.deque()    # (action, binding, done event)
        self._callback = None
        self._greenlet = None
        self._closing = False
        self._ready = gevent.event.Event()
        self.delivered = 0
        self.failed = 0
        self.reconnects = 0

    def start(self, bindings, callback, exchange=None):
        if self._greenlet is not None:
            raise RuntimeError("consumer already started")
        self._exchange = exchange or self._exchange
        self._bindings = set(bindings)
        self._callback = callback
        self._greenlet = gevent.spawn(self._run)
        return self

    @property
    def bindings(self):
        return frozenset(self._bindings)

    def wait_ready(self, timeout=5.0):
        """True once the queue is declared, bound and consuming."""
        return self._ready.wait(timeout)

    def add_binding(self, binding, timeout=5.0):
        """Bind; when connected, returns once the broker has applied it."""
        self._bindings.add(binding)
        return self._request("bind", binding, timeout)

    def remove_binding(self, binding, timeout=5.0):
        self._bindings.discard(binding)
        return self._request("unbind", binding, timeout)

    def close(self):
        self._closing = True
        join_or_kill(self._greenlet, 2 * READ_SLICE + 1)

    def _request(self, action, binding, timeout):
        if not self._ready.is_set():
            return False    # applied with every binding on (re)connect
        done = gevent.event.Event()
        self._changes.append((action, binding, done))
        return done.wait(timeout)

    # -- owner greenlet ----------------------------------------------------
    def _run(self):
        supervise("amqp consumer", log=log, closing=lambda: self._closing,
                  connect=lambda: pika.BlockingConnection(self._params),
                  setup=self._open_queue, serve=self._serve, cleanup=self._ready.clear,
                  on_retry=self._count_reconnect)

    def _count_reconnect(self):
        self.reconnects += 1

    def _open_queue(self, connection):
        """Declare the queue, apply every current binding, consume: then ready."""
        channel = connection.channel()
        channel.basic_qos(prefetch_count=self._prefetch)
        channel.exchange_declare(self._exchange, exchange_type="topic", durable=True)
        self._queue = channel.queue_declare("", exclusive=True, auto_delete=True).method.queue
        while self._changes:    # every current binding is applied below
            self._changes.popleft()[2].set()
        for binding in tuple(self._bindings):
            channel.queue_bind(self._queue, self._exchange, routing_key=binding)
        channel.basic_consume(self._queue, self._on_message)
        self._ready.set()
        log.info("amqp consumer ready", extra={"bindings": sorted(self._bindings)})
        return channel

    def _serve(self, connection, channel):
        while not self._closing:
            connection.process_data_events(time_limit=READ_SLICE)
            while self._changes:
                action, binding, done = self._changes.popleft()
                if action == "bind":
                    channel.queue_bind(self._queue, self._exchange, routing_key=binding)
                else:
                    channel.queue_unbind(self._queue, self._exchange, routing_key=binding)
                done.set()

    def _on_message(self, channel, method, properties, body):
        try:
            self._callback(method.routing_key, json.loads(body))
            self.delivered += 1
        except Exception:  # a bad callback or payload must never stop consumption
            self.failed += 1
            log.exception("amqp consumer callback failed",
                          extra={"routing_key": method.routing_key})
        # Ack on the underlying channel: BlockingChannel.basic_ack flushes, which
        # under gevent yields a whole hub round per message (blackhole fan-out:
        # ~20 msg/s with 200 busy sockets); pika writes the ack on its next poll.
        channel._impl.basic_ack(method.delivery_tag)

