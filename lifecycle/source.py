"""Where the lifecycle service takes events from, and when it may act.

``LeasedQueue`` (RabbitMQ): one pika connection, owned by one greenlet, first
takes the lease, an exclusive queue ``kz.lifecycle.lease.{queue}`` (the broker
lets one connection hold it and frees it the moment that connection closes);
standby instances try again every ``poll`` seconds. Only the holder consumes the
durable event queue ``{queue}`` (bound to every conference event; events wait in
it while no instance runs; unacknowledged ones return to it when the holder
dies). ``on_active()`` runs when the lease is won, ``on_inactive()`` when the
connection (and so the lease) is lost: both from the owner greenlet, so they
must only enqueue. ``connected`` (the connection up, the queue declared) and
``held`` (the lease) are what ``/ready`` reads (``lifecycle.observability``).

The event queue is of ``queue_type`` (``KZ_LIFECYCLE_QUEUE_TYPE``: ``classic``,
or ``quorum``, replicated across a cluster; ``kzcore.bus.queue_types``). The
lease queue is exclusive, which a quorum queue cannot be: it stays classic, and
holds nothing (its node lost, the lease is free and taken again elsewhere).

``MemorySource``: the in-process bus of the one-process run; always active.
"""
import logging
import time

import gevent
import pika
import pika.exceptions

from kzcore.bus.base import CONFERENCE_EXCHANGE
from kzcore.bus.pika_supervisor import join_or_kill, supervise
from kzcore.bus.deferred_acks import DeferredAcks
from kzcore.bus.pika_tuning import connection_parameters
from kzcore.bus.queue_types import declare_durable, typed_arguments

log = logging.getLogger(__name__)

BINDINGS = ("conference.event.#",)
RESOURCE_LOCKED = 405
READ_SLICE = 0.05
TYPE_SETTING = "KZ_LIFECYCLE_QUEUE_TYPE"


def lease_queue(queue):
    return f"kz.lifecycle.lease.{queue}"


class LeasedQueue:
    def __init__(self, url, *, queue, exchange=CONFERENCE_EXCHANGE, bindings=BINDINGS,
                 prefetch=500, poll=1.0, heartbeat=5, connect_timeout=5.0,
                 queue_type="classic", connection_name="kz-lifecycle"):
        self._params = connection_parameters(url, connect_timeout, connection_name)
        self._params.heartbeat = heartbeat
        self.queue, self.exchange, self.bindings = queue, exchange, tuple(bindings)
        self.prefetch, self.poll = prefetch, poll
        self.arguments = typed_arguments(queue_type, TYPE_SETTING, x_single_active_consumer=True)
        self.held = False
        self.connected = False          # the connection is up and the queue declared
        self.received = 0
        self._acks = DeferredAcks()
        self._callbacks = None
        self._closing = False
        self._greenlet = None

    def start(self, callback, on_active, on_inactive):
        self._callbacks = (callback, on_active, on_inactive)
        self._greenlet = gevent.spawn(self._run)
        return self

    def stop(self):
        self._closing = True
        join_or_kill(self._greenlet, 2.0)

    def _run(self):
        supervise("lifecycle queue", log=log, closing=lambda: self._closing,
                  connect=lambda: pika.BlockingConnection(self._params),
                  setup=self._open, serve=self._serve, cleanup=self._lost)

    def _open(self, connection):
        self._acks.new_channel()
        channel = connection.channel()
        channel.basic_qos(prefetch_count=self.prefetch)
        channel.exchange_declare(self.exchange, exchange_type="topic", durable=True)
        declare_durable(channel, self.queue, self.arguments, setting=TYPE_SETTING, log=log)
        for binding in self.bindings:
            channel.queue_bind(self.queue, self.exchange, routing_key=binding)
        self.connected = True
        return channel

    def _serve(self, connection, channel):
        next_try = 0.0
        while not self._closing:
            if not self.held and time.monotonic() >= next_try:
                self._try_lease(connection, channel)
                next_try = time.monotonic() + self.poll
            connection.process_data_events(time_limit=READ_SLICE)
            self._acks.flush(connection, channel)

    def _try_lease(self, connection, channel):
        probe = connection.channel()
        try:
            probe.queue_declare(lease_queue(self.queue), exclusive=True)
        except pika.exceptions.ChannelClosedByBroker as exc:
            if exc.reply_code == RESOURCE_LOCKED:
                return                     # another instance holds it
            raise
        probe.close()                      # the lease belongs to the connection
        self.held = True
        log.warning("lifecycle lease won", extra={"queue": self.queue})
        self._callbacks[1]()
        channel.basic_consume(self.queue, self._on_message)

    def _on_message(self, _channel, method, _properties, body):
        self.received += 1
        self._acks.deliver_json(method, body, self._callbacks[0], "kz-lifecycle")

    def _lost(self):
        self.connected = False
        if self.held:
            self.held = False
            self._callbacks[2]()


class MemorySource:
    def __init__(self, bus, *, exchange=CONFERENCE_EXCHANGE, bindings=BINDINGS):
        self.bus, self.exchange, self.bindings = bus, exchange, tuple(bindings)
        self._consumer = None
        self.received = 0

    @property
    def connected(self):
        return self._consumer is not None

    @property
    def held(self):
        return self._consumer is not None

    def start(self, callback, on_active, on_inactive):
        def deliver(key, payload):
            self.received += 1
            callback(key, payload)
        self._consumer = self.bus.consumer().start(self.bindings, deliver, self.exchange)
        on_active()
        return self

    def stop(self):
        if self._consumer is not None:
            self._consumer.close()
            self._consumer = None
