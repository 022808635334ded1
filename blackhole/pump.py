"""The gateway's single writer: flushes every session with something to send.

One greenlet instead of a writer per socket: a push marks the session dirty and
wakes the pump; a round gives each dirty session one non-blocking ``send``.
After a round that wrote, the pump rests (``rest_after_round``): after a busy
round (a third of ``write_interval`` or more) until ``write_interval`` has passed
since the round began, and at least as long as the round took, so that under load
every socket gets one larger write per interval (syscalls, not bytes, are what a
fan-out to hundreds of sockets pays for) and the bus consumer keeps its share of
the CPU; after a cheap round, only as long as the round took, so a lightly
loaded gateway does not hold events for most of an interval. A pump with
nothing to write writes a new event at once. Every ``housekeeping_interval`` the
pump also runs each session's keep-alive.
"""
import logging
import time

import gevent
from gevent.event import Event

log = logging.getLogger(__name__)

# A round that took this share of the write interval or more is busy.
BUSY_ROUND_SHARE = 1 / 3


def rest_after_round(took, interval):
    """How long the pump rests after a round that wrote and took ``took`` seconds.

    A busy round (at least a third of the interval) keeps the rule that batches
    under load: at most one round per interval, start to start, and a rest at least
    as long as the round took, so writing never takes more than about half the CPU,
    intake and fan-out keep up, and an overloaded gateway sheds load in the outboxes
    (oldest dropped, clients told) instead of letting latency grow in the broker. A
    cheap round (a few sockets, or small writes) is followed by a rest as long as
    itself: events that arrive meanwhile still share the next round's write,
    writing still takes at most half the time, and what arrives just after a round
    (such as the rest of a burst that the bus delivered in two reads) waits one
    short rest, not twice the round (measured at 1,000 events/s x 200 sockets:
    those events made the p99 and a quarter of the p50; bench/RESULTS.md).
    """
    if took < BUSY_ROUND_SHARE * interval:
        return took
    return max(took, interval - took)


class Pump:
    def __init__(self, write_interval=0.005, housekeeping_interval=0.25):
        self._write_interval = write_interval
        self._housekeeping_interval = housekeeping_interval
        self._sessions = set()
        self._dirty = set()
        self._wake = Event()
        self._greenlet = None
        self.rounds = 0

    def start(self):
        self._greenlet = gevent.spawn(self._run)

    def stop(self):
        if self._greenlet is not None:
            self._greenlet.kill(block=False)

    def add(self, session):
        self._sessions.add(session)

    def remove(self, session):
        self._sessions.discard(session)
        self._dirty.discard(session)

    def notify(self, session):
        self._dirty.add(session)
        if not self._wake.is_set():
            self._wake.set()

    def notify_many(self, sessions):
        self._dirty.update(sessions)
        if not self._wake.is_set():
            self._wake.set()

    def _run(self):
        next_housekeeping = time.monotonic()
        while True:
            if not self._dirty:
                self._wake.wait(self._housekeeping_interval)
            self._wake.clear()
            now = time.monotonic()
            wrote = self._flush_round(now)
            if now >= next_housekeeping:
                self._housekeeping(now)
                next_housekeeping = now + self._housekeeping_interval
            if wrote:
                gevent.sleep(rest_after_round(time.monotonic() - now, self._write_interval))

    def _flush_round(self, now):
        dirty, self._dirty = self._dirty, set()
        for session in dirty:
            try:
                if session.flush(now):
                    self._dirty.add(session)
            except Exception:
                log.exception("flushing a session failed", extra={"session": session.id})
                session.close(1011, "internal error")
        self.rounds += bool(dirty)
        return bool(dirty)

    def _housekeeping(self, now):
        for session in list(self._sessions):
            try:
                session.keepalive(now)
            except Exception:
                log.exception("keep-alive failed", extra={"session": session.id})
