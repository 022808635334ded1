"""Readiness checks for ``kzcore.health``, shared by every service.

A check returns ``(ok, detail)`` and never waits on the network: connection
flags are read as they are, and the store (HTTP to CouchDB, or a file: no
connection to look at) is asked by a ``StoreProbe`` in the background, at most
every ``interval`` seconds, each try bounded by ``timeout``.
"""
import logging
import time

import gevent

log = logging.getLogger(__name__)

PROBE_DB = "system_schemas"     # every deployment has it (crossbar loads the schemas)


class StoreProbe:
    """``check()`` -> ``(ok, detail)`` from the last answer of the store.

    The first check asks at once (bounded by ``timeout``); then a greenlet asks
    every ``interval`` seconds while checks keep coming (it stops after
    ``idle_after`` seconds without one, so an unprobed service costs nothing).
    """

    def __init__(self, store, *, interval=2.0, timeout=2.0, idle_after=60.0,
                 clock=time.monotonic):
        self.store = store
        self.interval, self.timeout, self.idle_after = interval, timeout, idle_after
        self.clock = clock
        self._result = None            # (ok, detail)
        self._last_check = 0.0
        self._greenlet = None

    def check(self):
        self._last_check = self.clock()
        if self._result is None:
            self._probe()
        if self._greenlet is None or self._greenlet.dead:
            self._greenlet = gevent.spawn(self._loop)
        return self._result

    def _probe(self):
        started = self.clock()
        try:
            with gevent.Timeout(self.timeout):
                self.store.db_exists(PROBE_DB)
            ok, detail = True, {"answered_in_ms": round((self.clock() - started) * 1000, 1)}
        except gevent.Timeout:
            ok, detail = False, {"error": f"no answer within {self.timeout}s"}
        except Exception as exc:  # noqa: BLE001 - any failure means not reachable
            ok, detail = False, {"error": f"{type(exc).__name__}: {exc}"}
        if self._result is not None and ok != self._result[0]:
            log.warning("document store reachable" if ok else "document store unreachable",
                        extra=detail)
        self._result = (ok, detail)

    def _loop(self):
        while self.clock() - self._last_check < self.idle_after:
            gevent.sleep(self.interval)
            self._probe()



def switches_check(pool, *, need_all=True):
    """A check of an ESL pool (``kzcore.esl.pool.EslPool``): ready when every node
    (``need_all``) or at least one is connected; the detail names the others."""
    def check():
        connected = set(pool.connected_names())
        unreachable = [name for name in pool.names() if name not in connected]
        ok = not unreachable if need_all else bool(connected)
        return ok, {"connected": sorted(connected), "unreachable": unreachable}
    return check


def queue_check(source):
    """A check of a durable queue consumer (``wait_ready``): ready once its queue
    is declared, bound and consumed (a single-active-consumer standby too)."""
    def check():
        ready = bool(source.wait_ready(0))
        return ready, {"consuming": ready}
    return check


def queue_service_health(name, service, store, metrics, snapshot, details):
    """The ``HealthApp`` of a service built on one durable queue (kz-webhooks,
    kz-transcribe): ready when it consumes and the store answers."""
    from kzcore.health import HealthApp
    from kzcore.metrics import StatsCollector, make_registry
    registry = make_registry(StatsCollector(lambda: snapshot(service), metrics))
    return HealthApp(name, checks={"broker": queue_check(service.source),
                                   "store": StoreProbe(store).check},
                     details=details, registry=registry)
