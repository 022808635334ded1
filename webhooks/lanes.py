"""Ordered lanes: one queue and one greenlet per (webhook, conference).

A job is handed to its lane in the order events were taken from the bus; the
lane runs one job at a time (its retries included), so an event is never sent
before the previous one of the same conference to the same webhook is
delivered or dropped. Lanes of other keys run meanwhile. An idle lane ends.

``Completion`` acknowledges a bus message once every job it made is finished.
"""
import logging

import gevent
from gevent.queue import Empty, Queue

log = logging.getLogger(__name__)


class Completion:
    def __init__(self, ack, count):
        self._ack = ack
        self._left = count
        if count == 0:
            ack()

    def done(self):
        self._left -= 1
        if self._left == 0:
            self._ack()


class Lanes:
    def __init__(self, work, idle_timeout=10.0):
        self._work = work              # work(job); exceptions are logged, never fatal
        self._idle_timeout = idle_timeout
        self._lanes = {}               # key -> Queue (its greenlet in self._greenlets)
        self._greenlets = {}

    def put(self, key, job):
        queue = self._lanes.get(key)
        if queue is None:
            queue = self._lanes[key] = Queue()
            self._greenlets[key] = gevent.spawn(self._run, key, queue)
        queue.put(job)

    def __len__(self):
        return len(self._lanes)

    def stop(self):
        gevent.killall(list(self._greenlets.values()), block=True, timeout=2.0)
        self._lanes.clear()
        self._greenlets.clear()

    def _run(self, key, queue):
        while True:
            try:
                job = queue.get(timeout=self._idle_timeout)
            except Empty:
                if not queue.empty():          # put just as the wait timed out
                    continue
                # no yield between this check and the removal: a later put() makes a new lane
                self._lanes.pop(key, None)
                self._greenlets.pop(key, None)
                return
            try:
                self._work(job)
            except Exception:  # noqa: BLE001 - one bad job must not stop its lane
                log.exception("webhook job failed", extra={"lane": list(key)})
            # not in a finally: a lane killed mid-delivery (stop) must leave the
            # message unacknowledged, for the broker to hand it on
            job.completion.done()
