"""``LifecycleService``: events in, decisions checked against the switch, commands out.

One worker greenlet does everything in order: bus events (ecallmgr's lifecycle
events and crossbar's document events), looks at rooms (``check``: the room's
json_list, the rules, the commands), and sweeps of every node. Handlers and
timers only enqueue. A bus message is acknowledged once handled.

While not active (a standby without the lease) nothing is consumed and no timer
acts; on becoming active the service sweeps every node, so every watched room's
deadlines come back from the switch and the documents.
"""
import collections
import logging
import time

import gevent
import gevent.queue

from kzcore import fsxml
from kzcore import lifecycle as lc
from kzcore.naming import is_account_id

from lifecycle import tracker
from lifecycle.looks import CHECK, SETTLE, RoomLooks

log = logging.getLogger(__name__)

EVENT, SWEEP, ACTIVE, INACTIVE = "event", "sweep", "active", "inactive"
DOC_EVENTS = ("doc_created", "doc_edited")


def no_ack():
    """Nothing to acknowledge."""


class LifecycleService:
    def __init__(self, *, records, switch, source, clock=time.time, retry=5.0,
                 sweep_interval=30.0, gone_grace=10.0, sounds_dir=fsxml.DEFAULT_SOUNDS_DIR):
        self.records, self.switch, self.source, self.clock = records, switch, source, clock
        self.retry, self.sweep_interval, self.gone_grace = retry, sweep_interval, gone_grace
        self.rooms = {}
        self.looks = RoomLooks(self, records=records, switch=switch, clock=clock, retry=retry,
                               gone_grace=gone_grace, sounds_dir=sounds_dir)
        self.active = False
        self.events = collections.Counter()     # bus events handled, by name
        self.counts = collections.Counter()     # sweeps, runs closed unseen
        self._queue = gevent.queue.Queue()
        self._pending = set()
        self._greenlets = []

    # --- running -----------------------------------------------------------------
    def start(self):
        self._greenlets = [gevent.spawn(self._work)]
        if self.sweep_interval > 0:
            self._greenlets.append(gevent.spawn(self._every_sweep))
        self.source.start(self._on_message, on_active=lambda: self.request((ACTIVE,)),
                          on_inactive=lambda: self.request((INACTIVE,)))
        return self

    def stop(self):
        self.source.stop()
        for room in self.rooms.values():
            room.cancel_timer()
        gevent.killall(self._greenlets, block=True, timeout=2.0)
        self._greenlets = []

    def stats(self):
        """What it did, for /metrics (``lifecycle.observability``)."""
        return {"active": self.active, "rooms_watched": len(self.rooms),
                "rooms_with_rules": sum(1 for r in self.rooms.values() if r.settings.has_rules),
                "events": dict(self.events), "ended": dict(self.looks.ended),
                "end_failures": self.looks.end_failures, "kicked": self.looks.kicked,
                "sweeps": self.counts["sweeps"], "closed_unseen": self.counts["closed_unseen"],
                "backlog": self._queue.qsize()}

    def _on_message(self, routing_key, payload, ack=no_ack):
        self._queue.put((EVENT, payload, ack))

    def request(self, item):
        """Queue ``item`` unless it is queued already."""
        if item not in self._pending:
            self._pending.add(item)
            self._queue.put(item)

    def _every_sweep(self):
        while True:
            gevent.sleep(self.sweep_interval)
            self.request((SWEEP,))

    def _work(self):
        while True:
            item = self._queue.get()
            if item[0] != EVENT:
                self._pending.discard(item)
            try:
                self._dispatch(item)
            except Exception:  # noqa: BLE001 - one bad item must not stop the service
                log.exception("lifecycle work failed", extra={"item": str(item[:2])})
            finally:
                if item[0] == EVENT:
                    item[2]()

    def _dispatch(self, item):
        kind = item[0]
        if kind == EVENT:
            self.handle(item[1])
        elif kind == ACTIVE:
            self.active = True
            log.warning("lifecycle active: sweeping every node")
            self.sweep()
        elif kind == INACTIVE:
            self._deactivate()
        elif self.active and kind == CHECK:
            self.check(item[1])
        elif self.active and kind == SETTLE:
            self.settle(item[1], item[2])
        elif self.active and kind == SWEEP:
            self.sweep()

    def _deactivate(self):
        self.active = False
        for room in self.rooms.values():
            room.cancel_timer()
        self.rooms.clear()
        log.warning("lifecycle standing by")

    # --- events ------------------------------------------------------------------
    def handle(self, payload):
        name = payload.get("event")
        key = (payload.get("account_id"), payload.get("conference_id"))
        if not is_account_id(key[0]) or not isinstance(key[1], str):
            return
        self.events[name if name in lc.LIFECYCLE_EVENTS or name in DOC_EVENTS
                    or name == "doc_deleted" else "other"] += 1
        if name == lc.CONFERENCE_STARTED:
            self._watch(key, payload.get("focus"))
            self.request((CHECK, key))
        elif name == lc.PARTICIPANT_JOINED:
            self._joined(key, payload)
        elif name == lc.PARTICIPANT_LEFT:
            self._left(key, payload)
        elif name == lc.CONFERENCE_ENDED:
            self._ended(key, payload)
        elif name in DOC_EVENTS and key in self.rooms:
            self.rooms[key].settings = self.records.settings(*key)
            self.request((CHECK, key))
        elif name == "doc_deleted":
            self.forget(key)
            self.records.forget(*key)

    def _watch(self, key, node):
        room = self.rooms.get(key)
        if room is None:
            room = self.rooms[key] = tracker.Room(key[0], key[1], node,
                                                  self.records.settings(*key))
        elif node:
            room.node = node
        room.gone_since = None
        return room

    def _joined(self, key, payload):
        room = self._watch(key, payload.get("focus"))
        room.note_size(payload.get("instance_id"), payload.get("conference_size"))
        if room.settings.has_rules:
            self.request((CHECK, key))

    def _left(self, key, payload):
        self.records.left(key[0], key[1], payload)
        room = self.rooms.get(key)
        if payload.get("call_id") in self.records.flagged(*key):
            self.looks.end(room or self._watch(key, payload.get("focus")), lc.MODERATOR_LEFT)
        elif room is not None and room.settings.has_rules:
            self.request((CHECK, key))

    def _ended(self, key, payload):
        self.records.ended(key[0], key[1], payload.get("instance_id"),
                           payload.get("ended_at") or int(self.clock()),
                           payload.get("end_reason") or lc.LAST_MEMBER_LEFT)
        room = self.rooms.get(key)
        if room is not None and (room.memory is None
                                 or room.memory.instance_id == payload.get("instance_id")):
            self.forget(key)

    def forget(self, key):
        room = self.rooms.pop(key, None)
        if room is not None:
            room.cancel_timer()

    # --- looking at rooms (lifecycle.looks) ------------------------------------------
    def check(self, key):
        room = self.rooms.get(key)
        if room is not None:
            self.looks.check(room)

    def settle(self, key, instance_id):
        room = self.rooms.get(key)
        if room is not None and self.looks.closed_unseen(room, instance_id):
            self.counts["closed_unseen"] += 1
            self.forget(key)

    def later(self, delay, item):
        """Queue ``item`` in ``delay`` seconds (a timer: not merged with queued items)."""
        return gevent.spawn_later(max(0.0, delay), self._queue.put, item)

    def sweep(self):
        """Watch every room of this system on every node; look at each again."""
        self.counts["sweeps"] += 1
        found, failed = self.switch.all_rooms()
        for key, (node, listed) in found.items():
            self._watch(key, node)
            self.request((CHECK, key))
        for key, room in list(self.rooms.items()):
            if key not in found and room.node not in failed:
                self.request((CHECK, key))
