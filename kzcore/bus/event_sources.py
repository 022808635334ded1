"""Where a queue service (kz-webhooks' deliveries, kz-transcribe's jobs) takes
events from.

``DurableQueue`` (RabbitMQ): one named, durable queue with **single active
consumer**, bound to the ``conference`` exchange. Events wait in it while no
instance of the service runs; however many instances consume it, the broker gives the
messages to one of them at a time, in order, so each event is handled once;
when that instance dies its unacknowledged messages go to the next. A message
is acknowledged once every delivery it caused is finished (delivered or
dropped): a crash re-delivers what was in flight (at-least-once; receivers
dedupe on ``event_id``).

The queue type (``webhooks_queue_type``, ``transcribe_queue_type``; checked and declared by
``kzcore.bus.queue_types``) is a trade-off measured on RabbitMQ 3.10
(tests/integration/test_webhooks_rabbit.py):

- ``classic`` (default): a taken-over consumer gets the returned messages first,
  in their places, so per-conference order holds across a failover. The queue
  lives on one broker node, and as ecallmgr publishes events transient (like
  Kazoo), a broker restart loses what was waiting.
- ``quorum``: replicated and kept on disk across broker restarts, but a new
  active consumer is handed up to ``prefetch`` newer messages before the
  returned ones: order can break at a takeover.

``MemorySource``: the in-process bus of the embedded run. Nothing is durable
there: events published while the service is not running are not kept.

Both call ``callback(routing_key, payload, ack)`` from their own greenlet;
the callback must only enqueue.
"""
import logging

import gevent.event
import pika

from kzcore.bus.base import CONFERENCE_EXCHANGE
from kzcore.bus.pika_supervisor import join_or_kill, supervise
from kzcore.bus.deferred_acks import DeferredAcks
from kzcore.bus.pika_tuning import connection_parameters
from kzcore.bus.queue_types import declare_durable, typed_arguments

log = logging.getLogger(__name__)

BINDINGS = ("conference.event.*.*",)
READ_SLICE = 0.02


def no_ack():
    """In-process events need no acknowledgement."""


def queue_arguments(max_length, queue_type="classic", setting="queue_type"):
    arguments = typed_arguments(queue_type, setting, x_single_active_consumer=True,
                                x_max_length=max_length, x_overflow="drop-head")
    if queue_type == "classic":
        arguments["x-queue-mode"] = "lazy"      # a backlog waits on disk, not in memory
    return arguments


class DurableQueue:
    def __init__(self, url, *, queue, exchange=CONFERENCE_EXCHANGE, bindings=BINDINGS,
                 prefetch=1000, max_length=1000000, queue_type="classic",
                 type_setting="queue_type", connect_timeout=5.0, connection_name="kz-queue"):
        """``type_setting``: the setting that chose ``queue_type`` (named in errors);
        ``connection_name``: the consuming service, as the broker and the logs show it."""
        self._params = connection_parameters(url, connect_timeout, connection_name)
        self.consumer = connection_name      # who consumes (kz-webhooks, kz-transcribe): logs
        self.queue = queue
        self.exchange = exchange
        self.bindings = tuple(bindings)
        self.prefetch = prefetch
        self.max_length = max_length
        self.type_setting = type_setting
        self.arguments = queue_arguments(max_length, queue_type, type_setting)
        self._acks = DeferredAcks()
        self._callback = None
        self._closing = False
        self._greenlet = None
        self._ready = gevent.event.Event()
        self.received = 0

    def start(self, callback):
        self._callback = callback
        self._greenlet = gevent.spawn(self._run)
        return self

    def wait_ready(self, timeout=5.0):
        """True once the queue is declared, bound and consumed."""
        return self._ready.wait(timeout)

    def stop(self):
        self._closing = True
        join_or_kill(self._greenlet, 2.0)

    def _run(self):
        supervise(f"{self.consumer} queue", log=log, closing=lambda: self._closing,
                  connect=lambda: pika.BlockingConnection(self._params),
                  setup=self._open, serve=self._serve, cleanup=self._ready.clear)

    def _open(self, connection):
        self._acks.new_channel()
        channel = connection.channel()
        channel.basic_qos(prefetch_count=self.prefetch)
        channel.exchange_declare(self.exchange, exchange_type="topic", durable=True)
        declare_durable(channel, self.queue, self.arguments, setting=self.type_setting, log=log)
        for binding in self.bindings:
            channel.queue_bind(self.queue, self.exchange, routing_key=binding)
        channel.basic_consume(self.queue, self._on_message)
        self._ready.set()
        log.info("durable queue consuming", extra={"queue": self.queue, "exchange": self.exchange,
                                                   "consumer": self.consumer})
        return channel

    def _serve(self, connection, channel):
        while not self._closing:
            connection.process_data_events(time_limit=READ_SLICE)
            self._acks.flush(connection, channel)
        close_without_cancel(connection, f"{self.consumer} stopping")

    def _on_message(self, _channel, method, _properties, body):
        self.received += 1
        self._acks.deliver_json(method, body, self._callback, self.consumer)


def close_without_cancel(connection, reason="stopping"):
    """Close ``connection`` (a BlockingConnection) without the ``basic.cancel``
    pika's ``close`` sends first. A cancel makes the broker hand the queue to
    the standby consumer while our unacknowledged messages are still ours, so
    the standby would get newer messages before them; closing the connection
    returns them and hands the queue over in one step (as a crash does)."""
    if connection.is_open:
        connection._impl.close(200, reason)
        connection._flush_output(connection._closed_result.is_ready)


class MemorySource:
    def __init__(self, bus, *, exchange=CONFERENCE_EXCHANGE, bindings=BINDINGS):
        self.bus = bus
        self.exchange = exchange
        self.bindings = tuple(bindings)
        self._consumer = None

    def start(self, callback):
        self._consumer = self.bus.consumer().start(
            self.bindings, lambda key, payload: callback(key, payload, no_ack), self.exchange)
        return self

    def wait_ready(self, timeout=5.0):
        return self._consumer is not None

    def stop(self):
        if self._consumer is not None:
            self._consumer.close()
            self._consumer = None
