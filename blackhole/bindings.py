"""Keeps the one bus consumer bound to the union of the sessions' bindings.

Sessions come and go in any order and from any greenlet; the broker must see
binds and unbinds in an order that never leaves a wanted binding unbound. So
nobody calls the consumer directly: callers change the *wanted* set and one
greenlet reconciles the consumer's bindings with it, one broker operation at a
time. ``wait_bound`` lets a subscribe reply only once its binding is live, so a
client never misses an event published after it was told "subscribed".
"""
import logging

import gevent
from gevent.event import Event

log = logging.getLogger(__name__)


class BusBindings:
    def __init__(self):
        self._handle = None
        self._wanted = set()
        self._applied = {}          # binding -> Event set once the broker has it
        self._changed = Event()
        self._greenlet = None
        self.operations = 0

    def attach(self, handle):
        """Start reconciling against ``handle`` (a started Consumer)."""
        self._handle = handle
        self._greenlet = gevent.spawn(self._run)
        self._changed.set()

    def stop(self):
        if self._greenlet is not None:
            self._greenlet.kill(block=False)

    def want(self, binding):
        self._wanted.add(binding)
        self._changed.set()

    def unwant(self, binding):
        self._wanted.discard(binding)
        self._changed.set()

    def wait_bound(self, binding, timeout=5.0):
        """True once ``binding`` is applied (at once when nothing is attached)."""
        if self._handle is None:
            return True
        applied = self._applied.get(binding)
        if applied is None:
            applied = self._applied.setdefault(binding, Event())
            self._changed.set()
        return applied.wait(timeout)

    def stats(self):
        return {"bus_bindings": sum(1 for e in self._applied.values() if e.is_set()),
                "bus_binding_operations": self.operations}

    def _run(self):
        while True:
            self._changed.wait()
            self._changed.clear()
            try:
                self._reconcile()
            except Exception:
                log.exception("changing the bus bindings failed; retrying")
                gevent.sleep(1.0)
                self._changed.set()

    def _reconcile(self):
        for binding in sorted(self._wanted):
            applied = self._applied.setdefault(binding, Event())
            if not applied.is_set():
                self._handle.add_binding(binding)
                self.operations += 1
                applied.set()
                log.info("bus binding added", extra={"binding": binding})
        for binding, applied in list(self._applied.items()):
            if binding in self._wanted:
                continue
            if not applied.is_set():            # asked about, never bound
                del self._applied[binding]
                continue
            self._handle.remove_binding(binding)
            self.operations += 1
            log.info("bus binding removed", extra={"binding": binding})
            if binding in self._wanted:         # wanted again meanwhile: bind it again
                applied.clear()
                self._changed.set()
            else:
                del self._applied[binding]
