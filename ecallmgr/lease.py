"""Switch leases in RabbitMQ: one active ecallmgr per switch.

One greenlet owns one pika connection holding, for every switch this instance is
active for, an exclusive queue ``kz.ecallmgr.lease.{exchange}.{switch}``. RabbitMQ
lets only one connection declare an exclusive queue of a name (others get
405 RESOURCE_LOCKED) and deletes it the moment that connection closes: a holder
killed, or cut off from the broker, frees its switches at once (a silent network
partition: after about two heartbeats). Standby instances try every ``poll``
seconds, for each switch they are *eligible* for (connected to it and resynced;
or holding synthetic node-lost events for it past its grace period).

The same connection consumes what the exchange carries while this instance stands
by for some switch, to tell the handover what the holder published. On winning a
lease it first reads everything already routed to it (a marker sent to its own
queue comes back last), then promotes the switch: pending messages are published
and the stream resyncs. Losing the connection demotes every switch at once.
"""
import itertools
import logging
import time

import gevent
import orjson
import pika
import pika.exceptions

from ecallmgr.event_ids import parse_event_id
from kzcore.bus.pika_supervisor import join_or_kill, supervise
from kzcore.bus.pika_tuning import connection_parameters

log = logging.getLogger(__name__)

RESOURCE_LOCKED = 405
READ_SLICE = 0.02          # seconds the owner reads between two looks at the leases
MARKER_TIMEOUT = 1.0       # seconds to wait for the marker on a takeover
RELEASE_FLUSH = 0.5        # seconds a holder giving a switch up waits for its publisher
OBSERVED_KEYS = "conference.event.#"


LEASE_PREFIX = "kz.ecallmgr.lease."


def lease_queue(exchange, switch):
    return f"{LEASE_PREFIX}{exchange}.{switch}"


class _HeldLeaseFilter(logging.Filter):
    """pika warns about every channel the broker closes; a standby's try for a held
    lease is one (405 RESOURCE_LOCKED) every ``poll`` seconds: expected, not news."""

    def filter(self, record):
        message = record.getMessage()
        return not ("RESOURCE_LOCKED" in message and LEASE_PREFIX in message)


def _quiet_held_lease_warnings():
    pika_channel = logging.getLogger("pika.channel")
    if not any(isinstance(f, _HeldLeaseFilter) for f in pika_channel.filters):
        pika_channel.addFilter(_HeldLeaseFilter())


class LeaseKeeper:
    def __init__(self, url, *, exchange, switches, handover, eligible, on_promoted,
                 poll=0.2, heartbeat=1, connect_timeout=5.0,
                 connection_name="kz-ecallmgr-lease"):
        self._params = connection_parameters(url, connect_timeout, connection_name)
        self._params.heartbeat = heartbeat
        _quiet_held_lease_warnings()
        self.exchange, self.switches = exchange, list(switches)
        self.handover, self.eligible, self.on_promoted = handover, eligible, on_promoted
        self.poll = poll
        self.held = set()
        self.connected = False
        self.reconnects = 0
        self.takeover_seconds = {}        # switch -> seconds from winning to promoted
        self._closing = False
        self._greenlet = None
        self._queue = None
        self._bound = False
        self._markers = itertools.count(1)
        self._marker_seen = 0

    def start(self):
        self._greenlet = gevent.spawn(self._run)
        return self

    def close(self):
        """Close the connection: the broker frees every lease this instance held."""
        self._closing = True
        join_or_kill(self._greenlet, 2.0)

    def roles(self):
        return self.handover.roles()

    # -- owner greenlet ------------------------------------------------------
    def _run(self):
        supervise("ecallmgr lease", log=log, closing=lambda: self._closing,
                  connect=lambda: pika.BlockingConnection(self._params),
                  setup=self._setup, serve=self._serve, cleanup=self._lost,
                  on_retry=self._count_reconnect)

    def _count_reconnect(self):
        self.reconnects += 1

    def _setup(self, connection):
        channel = connection.channel()
        channel.exchange_declare(self.exchange, exchange_type="topic", durable=True)
        self._queue = channel.queue_declare("", exclusive=True, auto_delete=True).method.queue
        self._bound = False
        self._observe(channel, True)      # before any lease: all switches stand by
        channel.basic_consume(self._queue, self._on_message, auto_ack=True)
        self.connected = True
        log.info("lease connection up", extra={"exchange": self.exchange})
        return channel

    def _serve(self, connection, channel):
        next_poll = 0.0
        while not self._closing:
            if time.monotonic() >= next_poll:
                self._poll(connection, channel)
                next_poll = time.monotonic() + self.poll
            connection.process_data_events(time_limit=READ_SLICE)

    def _poll(self, connection, channel):
        for switch in self.switches:
            wanted = self.eligible(switch)
            if switch in self.held and not wanted:
                self._release(channel, switch)
            elif switch not in self.held and wanted:
                self._try_acquire(connection, channel, switch)
        self._observe(channel, any(s not in self.held for s in self.switches))

    def _observe(self, channel, wanted):
        """Bound to the exchange only while standing by for some switch."""
        if wanted and not self._bound:
            channel.queue_bind(self._queue, self.exchange, routing_key=OBSERVED_KEYS)
        elif self._bound and not wanted:
            channel.queue_unbind(self._queue, self.exchange, routing_key=OBSERVED_KEYS)
        self._bound = wanted

    def _try_acquire(self, connection, channel, switch):
        probe = connection.channel()
        try:
            probe.queue_declare(lease_queue(self.exchange, switch), exclusive=True)
        except pika.exceptions.ChannelClosedByBroker as exc:
            if exc.reply_code == RESOURCE_LOCKED:
                return False              # another instance holds it
            raise
        probe.close()                     # the lease belongs to the connection
        won = time.monotonic()
        self.held.add(switch)
        self._read_what_was_routed(connection, channel)
        flushed = self.handover.promote(switch)
        self.on_promoted(switch)
        self.takeover_seconds[switch] = time.monotonic() - won
        log.warning("lease won: active for the switch", extra={
            "switch": switch, "published_from_standby": flushed,
            "takeover_ms": round(self.takeover_seconds[switch] * 1000, 1)})
        return True

    def _read_what_was_routed(self, connection, channel):
        """Consume our queue up to a marker sent to it now: whatever the old holder
        published before the broker freed its lease has been observed then."""
        if not self._bound:
            return
        marker = next(self._markers)
        channel.basic_publish("", self._queue, str(marker).encode(),
                              pika.BasicProperties(type="kz-marker"))
        deadline = time.monotonic() + MARKER_TIMEOUT
        while self._marker_seen < marker and time.monotonic() < deadline:
            connection.process_data_events(time_limit=0.005)
        if self._marker_seen < marker:
            log.warning("takeover marker not seen in time", extra={"timeout": MARKER_TIMEOUT})

    def _release(self, channel, switch):
        """Give a switch up: what was published for it reaches the broker (bounded
        wait) before the lease is free, so the next holder sees it as published."""
        self.handover.release(switch)          # from now on its messages stay pending
        self.handover.publisher.flush(RELEASE_FLUSH)
        channel.queue_delete(lease_queue(self.exchange, switch))
        self.held.discard(switch)
        log.warning("lease released: switch not reachable from here", extra={"switch": switch})

    def _on_message(self, _channel, method, properties, body):
        if properties.type == "kz-marker":
            self._marker_seen = max(self._marker_seen, int(body))
            return
        try:
            payload = orjson.loads(body)
            switch, msg_id = payload.get("focus"), payload.get("msg_id")
        except (orjson.JSONDecodeError, AttributeError):
            return                        # not one of ours: nothing to learn from it
        self.handover.observed(switch, parse_event_id(msg_id))

    def _lost(self):
        """After the connection, lost or closed: the broker has freed every lease."""
        self.connected = False
        if self.held and not self._closing:
            taken = self.handover.demote_all()
            log.warning("lease connection lost: standing by for every switch",
                        extra={"switches": sorted(self.held), "taken_back": taken})
        self.held.clear()
