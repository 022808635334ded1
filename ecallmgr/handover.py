"""Where the event stream's messages go, per switch, when several ecallmgr
instances watch the same switches (high availability).

Every instance runs the same pipeline on the same switch events and so computes
the same messages with the same ``msg_id`` (``ecallmgr.event_ids``). The instance
holding a switch's lease publishes them; the others keep them in a bounded
*pending* buffer, and drop from it whatever they see the active instance publish
(the observed position is a watermark: everything at or before it in the switch's
stream is covered). On takeover the new holder publishes what is still pending, in
order: the events the old holder received but never published, and no others.

No I/O of its own: the lease keeper calls ``observed``, ``promote``, ``release`` and
``demote_all``; the stream calls ``send``. All run in greenlets of one thread.
"""
import collections

import orjson

from ecallmgr.event_ids import parse_event_id

ACTIVE, STANDBY = "active", "standby"


class StreamOrder:
    """Orders positions of one switch across core runs: a restarted switch has a new
    Core-UUID and counts its sequences from 1 again, after the old run."""

    def __init__(self):
        self._ranks = {"": -1}       # the empty core (nothing seen yet) comes first

    def key(self, position):
        rank = self._ranks.setdefault(position.core, len(self._ranks))
        return rank, position.seq, position.after


class DirectOutlet:
    """A single instance (no lease): every message goes to the publisher."""

    def __init__(self, publisher):
        self.publisher = publisher

    def send(self, node, position, routing_key, payload):
        self.publisher.publish(routing_key, payload)

    def role(self, node):
        return ACTIVE

    def stats(self):
        return {}


class Handover:
    def __init__(self, publisher, nodes, *, max_pending=100000):
        self.publisher = publisher
        self.max_pending = max_pending
        self._active = set()
        self._pending = {node: collections.deque() for node in nodes}
        self._marks = {}                               # node -> key last observed
        self._orders = {node: StreamOrder() for node in nodes}
        self.counts = collections.Counter()

    # -- the stream's side -------------------------------------------------
    def send(self, node, position, routing_key, payload):
        if node in self._active:
            self.publisher.publish(routing_key, payload)
            return
        key = self._orders[node].key(position)
        mark = self._marks.get(node)
        if mark is not None and key <= mark:
            self.counts["standby_skipped"] += 1       # the holder published it already
            return
        pending = self._pending[node]
        pending.append((key, routing_key, payload))
        if len(pending) > self.max_pending:
            pending.popleft()
            self.counts["pending_dropped"] += 1

    # -- the lease keeper's side -------------------------------------------
    def observed(self, node, position):
        """The holder of ``node`` published the message at ``position``."""
        if node not in self._pending or node in self._active or position is None:
            return
        key = self._orders[node].key(position)
        if self._marks.get(node, key) <= key:
            self._marks[node] = key
        pending = self._pending[node]
        while pending and pending[0][0] <= key:
            pending.popleft()
            self.counts["standby_skipped"] += 1

    def promote(self, node):
        """This instance now holds ``node``: publish what is pending, then go direct."""
        pending = self._pending[node]
        flushed = len(pending)
        while pending:
            _key, routing_key, payload = pending.popleft()
            self.publisher.publish(routing_key, payload)
        self._active.add(node)
        self.counts["promotions"] += 1
        self.counts["takeover_published"] += flushed
        return flushed

    def release(self, node):
        """Given up on purpose: what the publisher holds is still delivered."""
        self._active.discard(node)
        self.counts["releases"] += 1

    def demote_all(self):
        """Every lease was lost with the lease connection: another instance may be
        publishing already, so what the publisher has not had confirmed is taken back
        (it would be re-sent late, after the new holder's messages) and kept pending."""
        if not self._active:
            return 0
        taken = self.publisher.discard()
        for _exchange, routing_key, body in taken:
            payload = orjson.loads(body)
            node, position = payload.get("focus"), parse_event_id(payload.get("msg_id"))
            if node in self._active and position is not None:
                self._pending[node].append((self._orders[node].key(position), routing_key,
                                            payload))
        self._active.clear()
        self.counts["demotions"] += 1
        self.counts["taken_back"] += len(taken)
        return len(taken)

    # -- reading -------------------------------------------------------------
    def role(self, node):
        return ACTIVE if node in self._active else STANDBY

    def roles(self):
        return {node: self.role(node) for node in self._pending}

    def pending_count(self, node):
        return len(self._pending[node])

    def stats(self):
        return {**self.counts, "pending": sum(len(p) for p in self._pending.values()),
                "roles": self.roles()}
