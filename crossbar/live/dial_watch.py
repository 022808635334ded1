"""What happened to dial-outs, from each node's own event stream.

crossbar keeps one extra ESL connection per node, subscribed to the events that
decide a ``bgdial``: ``bgdial-result`` (Result, Job-UUID, Peer-UUID), and, for a
room that did not exist yet (no bgdial-result then, DESIGN.md section 5), the
leg's CHANNEL_ANSWER / CHANNEL_HANGUP_COMPLETE (``variable_conference_bgdial_jobid``)
and ``add-member``. Filters keep the rest of the traffic off this connection.
The ESL handler only enqueues; one greenlet records facts and wakes waiters.
"""
import collections
import logging
import time

import gevent
import gevent.event
import gevent.queue

log = logging.getLogger(__name__)

EVENTS = ("CHANNEL_ANSWER", "CHANNEL_HANGUP_COMPLETE", "CUSTOM", "conference::maintenance")
FILTERS = (("Action", "bgdial-result"), ("Action", "add-member"),
           ("Event-Name", "CHANNEL_ANSWER"), ("Event-Name", "CHANNEL_HANGUP_COMPLETE"))
KEEP_SECONDS = 300.0
MAX_KEYS = 20000


def facts_from(headers):
    """``[(key, update)]`` one event teaches (pure). Keys: ("job", id) / ("call", uuid)."""
    name, action = headers.get("Event-Name"), headers.get("Action")
    job = headers.get("variable_conference_bgdial_jobid")
    uuid = headers.get("Unique-ID")
    if action == "bgdial-result" and headers.get("Job-UUID"):
        return [(("job", headers["Job-UUID"]),
                 {"result": headers.get("Result"), "peer": headers.get("Peer-UUID")})]
    if action == "add-member" and uuid:
        return [(("call", uuid), {"joined": True})]
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
        self.clock = clock

    def start(self):
        if self._pool is None:
            self._pool = self._pool_factory(events=EVENTS, on_event=self._enqueue,
                                            on_connect=self._filter, on_disconnect=self._lost)
            self._worker = gevent.spawn(self._consume)
            self._pool.start()
        return self

    def ready(self, node, timeout):
        """True once the node's connection is subscribed *and* filtered: while the
        filters are being added one by one, events matching a later one are dropped."""
        self.start()
        return self._filtered[node].wait(timeout)

    def _filter(self, client):
        for header, value in FILTERS:
            client.command(f"filter {header} {value}")
        self._filtered[client.name].set()

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

    def wait(self, timeout):
        """Block until some new fact arrives or ``timeout`` passes."""
        self._changed.wait(timeout)

    def close(self):
        if self._pool is not None:
            self._pool.close()
        if self._worker is not None:
            self._worker.kill(block=False)
