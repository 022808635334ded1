"""What happened to dial-outs, from each node's own event stream.

crossbar keeps one extra ESL connection per node, subscribed to the events that
decide a ``bgdial``: ``bgdial-result`` (Result, Job-UUID, Peer-UUID), and, for a
room that did not exist yet (no bgdial-result then, DESIGN.md section 5), the
leg's CHANNEL_ANSWER / CHANNEL_HANGUP_COMPLETE (``variable_conference_bgdial_jobid``)
and ``add-member``, or ``rejected-join-only`` (a join-only leg refused: the room
did not exist, round4 join_only_into_missing_room); ``start-recording`` (with
``Error`` when the file could not be opened: ``recording start`` answers ``+OK``
all the same, round4 recording_start_unwritable); ``stop-recording``
(Milliseconds-Elapsed, Record-File-Size, Samples-Out, Samplerate: the recording's
facts as FreeSWITCH measured them); and
``conference-destroy``, passed on to whoever asked (``on_room_ended``: the cleanup
of dynamic conferences), as is each (re)connection (``on_node_ready``);
``conference-create`` and ``conference-destroy`` both to ``on_room_changed`` (the
room cache's invalidation, crossbar.live.room_cache).
Filters keep the rest of the traffic off this connection: they are passed to the
pool, whose clients apply them and check every ``+OK`` on each (re)connection
before counting as connected, so a refused filter leaves the node not ready and
the client retries. The ESL handler only enqueues; one greenlet records facts
and wakes waiters.
"""
import collections
import logging
import time

import gevent
import gevent.event
import gevent.queue

log = logging.getLogger(__name__)

EVENTS = ("CHANNEL_ANSWER", "CHANNEL_HANGUP_COMPLETE", "RECORD_STOP", "CUSTOM",
          "conference::maintenance")
FILTERS = (("Action", "bgdial-result"), ("Action", "add-member"),
           ("Event-Name", "CHANNEL_ANSWER"), ("Event-Name", "CHANNEL_HANGUP_COMPLETE"),
           ("Action", "stop-recording"), ("Action", "conference-destroy"),
           ("Action", "conference-create"),
           ("Action", "start-recording"), ("Action", "rejected-join-only"),
           ("Event-Name", "RECORD_STOP"))   # participants' tracks (crossbar.recordings)
KEEP_SECONDS = 300.0
MAX_KEYS = 20000


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def recording_facts(headers):
    """A stop-recording event's numbers (pure): what FreeSWITCH measured, or None each."""
    return {"milliseconds": _int_or_none(headers.get("Milliseconds-Elapsed")),
            "size": _int_or_none(headers.get("Record-File-Size")),
            "samples": _int_or_none(headers.get("Samples-Out")),
            "samplerate": _int_or_none(headers.get("Samplerate"))}


def facts_from(headers):
    """``[(key, update)]`` one event teaches (pure). Keys: ("job", id) / ("call", uuid) /
    ("recording", (conference name, path))."""
    name, action = headers.get("Event-Name"), headers.get("Action")
    if action in ("start-recording", "stop-recording") and headers.get("Path"):
        key = ("recording", (headers.get("Conference-Name"), headers["Path"]))
        if action == "start-recording":
            return [(key, {"started": {"error": headers.get("Error")}})]
        return [(key, {"stopped": recording_facts(headers)})]
    job = headers.get("variable_conference_bgdial_jobid")
    uuid = headers.get("Unique-ID")
    if action == "bgdial-result" and headers.get("Job-UUID"):
        return [(("job", headers["Job-UUID"]),
                 {"result": headers.get("Result"), "peer": headers.get("Peer-UUID")})]
    if action == "add-member" and uuid:
        return [(("call", uuid), {"joined": True})]
    if action == "rejected-join-only" and uuid:
        return [(("call", uuid), {"rejected": action})]
    if name == "CHANNEL_ANSWER":
        out = [(("call", uuid), {"answered": [uuid]})] if uuid else []
        return out + ([(("job", job), {"answered": [uuid]})] if job and uuid else [])
    if name == "CHANNEL_HANGUP_COMPLETE":
        cause = headers.get("Hangup-Cause") or "NORMAL_CLEARING"
        out = [(("call", uuid), {"hangup": cause})] if uuid else []
        return out + ([(("job", job), {"hangup": cause})] if job else [])
    return []


def merge(existing, update):
    merged = dict(existing)
    for key, value in update.items():
        if key == "answered":
            merged[key] = merged.get(key, []) + [v for v in value if v not in merged.get(key, [])]
        elif key == "hangup":
            merged.setdefault(key, value)
        else:
            merged[key] = value
    return merged


class DialWatcher:
    """``start()``, ``ready(node, timeout)``, ``facts(node, job, call_id)``, ``wait(timeout)``."""

    def __init__(self, pool_factory, clock=time.monotonic):
        self._pool_factory = pool_factory
        self._pool = None
        self._queue = gevent.queue.Queue()
        self._facts = collections.OrderedDict()  # (node, kind, id) -> (seen_at, dict)
        self._changed = gevent.event.Event()
        self._worker = None
        self._filtered = collections.defaultdict(gevent.event.Event)  # node -> filters in place
        self._room_ended, self._node_ready, self._listeners = [], [], []
        self._room_changed = []
        self.clock = clock

    def on_room_ended(self, callback):
        """``callback(node, conference_name)`` for each conference-destroy; it runs on
        the watcher's greenlet, so it must only enqueue."""
        self._room_ended.append(callback)

    def on_room_changed(self, callback):
        """``callback(node, conference_name)`` for each conference-create and
        conference-destroy; it runs on the watcher's greenlet: it must only enqueue
        or do a few dict operations."""
        self._room_changed.append(callback)

    def watching(self, nodes):
        """True while every one of ``nodes`` is subscribed and filtered (its room
        creations and ends are seen)."""
        return self._pool is not None and all(
            self._filtered[node].is_set() for node in nodes)

    def on_event(self, callback):
        """``callback(node, headers)`` for every event this connection sees (the
        recordings' add-member and RECORD_STOP); it must only enqueue."""
        self._listeners.append(callback)

    def on_node_ready(self, callback):
        """``callback(node)`` after each (re)connection is subscribed and filtered
        (events of the time before were not seen); it must only enqueue."""
        self._node_ready.append(callback)

    def start(self):
        if self._pool is None:
            self._pool = self._pool_factory(events=EVENTS, filters=FILTERS, on_event=self._enqueue,
                                            on_connect=self._connected,
                                            on_disconnect=self._lost)
            self._worker = gevent.spawn(self._consume)
            self._pool.start()
        return self

    def ready(self, node, timeout):
        """True once the node's connection is subscribed *and* filtered: while the
        filters are being added one by one, events matching a later one are dropped."""
        self.start()
        return self._filtered[node].wait(timeout)

    def _connected(self, client):
        """Runs only after the client's subscription and every filter got ``+OK``."""
        self._filtered[client.name].set()
        for callback in self._node_ready:
            callback(client.name)

    def _lost(self, client):
        self._filtered[client.name].clear()

    def _enqueue(self, client, headers):
        self._queue.put((client.name, headers))

    def _consume(self):
        while True:
            node, headers = self._queue.get()
            try:
                self._record(node, headers)
            except Exception:
                log.exception("dial watcher could not read an event", extra={"node": node})

    def _record(self, node, headers):
        for callback in self._listeners:
            callback(node, headers)
        action, room = headers.get("Action"), headers.get("Conference-Name")
        if action in ("conference-create", "conference-destroy") and room:
            for callback in self._room_changed:
                callback(node, room)
        if action == "conference-destroy" and room:
            for callback in self._room_ended:
                callback(node, room)
        now = self.clock()
        for (kind, ident), update in facts_from(headers):
            key = (node, kind, ident)
            _, current = self._facts.pop(key, (now, {}))
            self._facts[key] = (now, merge(current, update))
        while self._facts and (len(self._facts) > MAX_KEYS
                               or next(iter(self._facts.values()))[0] < now - KEEP_SECONDS):
            self._facts.popitem(last=False)
        changed, self._changed = self._changed, gevent.event.Event()
        changed.set()

    def facts(self, node, job, call_id):
        """Everything known about one leg, by its job id and its call id."""
        merged = {}
        for kind, ident in (("call", call_id), ("job", job)):
            if ident:
                merged = merge(merged, self._facts.get((node, kind, ident), (0, {}))[1])
        return merged

    def recording(self, node, conference_name, path, which):
        """The ``which`` ("started" / "stopped") facts of one file on one node, or
        None (not seen yet)."""
        entry = self._facts.get((node, "recording", (conference_name, path)))
        return entry[1].get(which) if entry else None

    def stopped_recording(self, node, conference_name, path):
        return self.recording(node, conference_name, path, "stopped")

    def wait_recording(self, node, conference_name, path, which, timeout):
        """Bounded wait for a file's start- or stop-recording event; None if it did not come."""
        deadline = self.clock() + timeout
        while True:
            facts = self.recording(node, conference_name, path, which)
            remaining = deadline - self.clock()
            if facts is not None or remaining <= 0:
                return facts
            self.wait(min(remaining, 0.2))

    def wait_stopped_recording(self, node, conference_name, path, timeout):
        return self.wait_recording(node, conference_name, path, "stopped", timeout)

    def wait_started_recording(self, node, conference_name, path, timeout):
        """``{"error": None | the switch's Error}`` of a file's start-recording event,
        or None if it did not come in time."""
        return self.wait_recording(node, conference_name, path, "started", timeout)

    def wait(self, timeout):
        """Block until some new fact arrives or ``timeout`` passes."""
        self._changed.wait(timeout)

    def close(self):
        if self._pool is not None:
            self._pool.close()
        if self._worker is not None:
            self._worker.kill(block=False)
