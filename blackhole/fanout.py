"""ONE bus consumer for the whole gateway, fanned out to sessions in-process.

The consumer is bound to the union of the sessions' bindings (``BusBindings``
adds a binding when its first subscriber arrives and removes it when the last
one leaves), never a queue per socket. Why not bind ``conference.event.#`` once
and filter here? One exchange carries every account's conference events for the
whole cluster; measured on the shared RabbitMQ, a gateway bound to everything
spent its CPU on events nobody watched. With the union, the broker drops those,
200 sockets on one conference cost one binding, and a subscribe is answered
only once its binding is live (no event published after the reply is missed).

The consumer callback only enqueues (it runs in the bus's greenlet); a worker
greenlet delivers each event. The account check comes first: an event is only
for subscriptions whose account is the event's ``account_id`` or an ancestor
of it, so only the bindings of those accounts are matched (each distinct one
once), never another tenant's: a tenant's bindings cost nothing to the events
of accounts it cannot see. The outgoing frame is encoded once per matching
binding and appended to each entitled session's outbox (never blocking: slow
sessions drop their own oldest events). The recipients of a binding for a set
of entitled accounts, and their outboxes' append methods, are worked out once
and kept until the subscriptions change: an event costs one C-level append per
subscriber, not a Python call.
"""
import json
import logging

import gevent
from gevent.queue import Full, Queue

from kzcore.bus.topics import matches

from blackhole import frames, protocol
from blackhole.bindings import BusBindings

log = logging.getLogger(__name__)

OFFERED_PREFIX = "conference.event."


class FanOut:
    def __init__(self, consumer, scope, queue_size=20000, wake=lambda sessions: None):
        self._consumer = consumer
        self._scope = scope
        self._wake = wake           # told which sessions got new frames (the pump)
        self._queue = Queue(maxsize=queue_size)
        self._by_binding = {}       # binding -> {account_id: {session: None}}
        self._by_account = {}       # account_id -> {binding: None} (its sessions' bindings)
        self._bus_bindings = BusBindings()
        self._recipients = {}       # (binding, entitled accounts) -> (sessions, appends)
        self._handle = None
        self._worker = None
        self.received = 0
        self.overflow = 0
        self.frames_queued = 0
        self.skipped = 0            # subscriber accounts not matched: may not see the event

    # --- lifecycle -----------------------------------------------------------
    def start(self):
        self._worker = gevent.spawn(self._work)
        self._handle = self._consumer.start(sorted(self._by_binding), self._on_bus_event)
        self._bus_bindings.attach(self._handle)
        log.info("fan-out consuming")

    def stop(self):
        closable = self._handle if hasattr(self._handle, "close") else self._consumer
        try:
            closable.close()
        except Exception:
            log.exception("closing the bus consumer failed")
        self._bus_bindings.stop()
        if self._worker is not None:
            self._worker.kill(block=False)

    # --- subscriptions (called by the command handler) ------------------------
    def subscribe(self, session, binding, account_id, timeout=5.0):
        """Add the subscription; returns once the bus delivers ``binding`` (True)
        or after ``timeout`` (False: it will be bound when the bus is back)."""
        self._remove(session, binding)          # a session holds a binding for one account
        self._recipients.clear()
        by_account = self._by_binding.setdefault(binding, {})
        by_account.setdefault(account_id, {})[session] = None
        self._by_account.setdefault(account_id, {})[binding] = None
        self._bus_bindings.want(binding)
        return self._bus_bindings.wait_bound(binding, timeout)

    def unsubscribe(self, session, binding):
        self._remove(session, binding)
        self._recipients.clear()
        if binding in self._by_binding and not self._by_binding[binding]:
            del self._by_binding[binding]
            self._bus_bindings.unwant(binding)

    def drop_session(self, session):
        for binding in list(session.subscriptions):
            self.unsubscribe(session, binding)

    def _remove(self, session, binding):
        by_account = self._by_binding.get(binding, {})
        for account_id, sessions in list(by_account.items()):
            if session not in sessions:
                continue
            del sessions[session]
            if sessions:
                continue
            del by_account[account_id]          # its last session on this binding left
            bindings = self._by_account[account_id]
            del bindings[binding]
            if not bindings:
                del self._by_account[account_id]

    # --- events ---------------------------------------------------------------
    def _on_bus_event(self, routing_key, payload):
        try:
            self._queue.put_nowait((routing_key, payload))
        except Full:
            self.overflow += 1
            if self.overflow % 1000 == 1:
                log.warning("fan-out queue full, events dropped",
                            extra={"routing_key": routing_key, "overflow": self.overflow})

    def _work(self):
        while True:
            routing_key, payload = self._queue.get()
            try:
                self.dispatch(routing_key, payload)
            except Exception:
                log.exception("fan-out dispatch failed", extra={"routing_key": routing_key})

    def dispatch(self, routing_key, payload):
        """Deliver one event to every entitled subscription; returns how many."""
        self.received += 1
        if not routing_key.startswith(OFFERED_PREFIX) or not isinstance(payload, dict):
            return 0        # e.g. conference.command.* reaching a client's conference.# binding
        entitled = self._entitled_accounts(payload.get("account_id"))
        data_json, delivered = None, 0
        for binding in self._candidate_bindings(entitled):
            if not matches(binding, routing_key):
                continue
            recipients, appends = self._recipients_of(binding, entitled)
            if not recipients:
                continue
            data_json = data_json or json.dumps(payload, separators=(",", ":"))
            frame = frames.text(protocol.encode_event(
                binding, routing_key, protocol.event_name(payload), data_json))
            for append in appends:
                append(frame)
            self._wake(recipients)
            delivered += len(recipients)
        self.frames_queued += delivered
        return delivered

    def _recipients_of(self, binding, entitled):
        """The sessions of ``binding`` whose account is entitled, and their
        outboxes' append methods (kept until the subscriptions change)."""
        key = (binding, tuple(entitled))
        known = self._recipients.get(key)
        if known is None:
            by_account = self._by_binding[binding]
            sessions = [session for account_id in by_account if account_id in entitled
                        for session in by_account[account_id]]
            known = (sessions, [session.outbox.append_event for session in sessions])
            if len(self._recipients) >= 1024:
                self._recipients.clear()
            self._recipients[key] = known
        return known

    def _entitled_accounts(self, event_account_id):
        """The subscribing accounts that may see ``event_account_id``'s events
        (an ordered dict used as a set: deliveries keep subscription order)."""
        if not isinstance(event_account_id, str):
            return {}
        entitled = {account_id: None for account_id in self._by_account
                    if self._scope.allows(account_id, event_account_id)}
        self.skipped += len(self._by_account) - len(entitled)
        return entitled

    def _candidate_bindings(self, entitled):
        if len(entitled) == 1:
            return list(self._by_account[next(iter(entitled))])
        candidates = {}
        for account_id in entitled:
            candidates.update(self._by_account[account_id])
        return list(candidates)

    def stats(self):
        return {**self._bus_bindings.stats(), "bindings": len(self._by_binding),
                "subscriptions": sum(len(sessions) for by_account in self._by_binding.values()
                                     for sessions in by_account.values()),
                "subscriber_accounts": len(self._by_account),
                "events_received": self.received, "events_overflowed": self.overflow,
                "frames_queued": self.frames_queued, "accounts_not_entitled": self.skipped,
                "queue_depth": self._queue.qsize()}
