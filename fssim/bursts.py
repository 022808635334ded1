"""Talk bursts for benchmarks: members emitting start/stop-talking events at a set rate.

One ticker greenlet per simulated switch drives every running burst. On each
millisecond tick it emits, burst after burst, every event that has come due, so
the events of several talking members leave together (as FreeSWITCH's media
threads emit at frame boundaries) and the simulator wakes once per tick, not
once per member per tick. An event is never emitted before it is due.
"""
import math
import time
import weakref

import gevent
import gevent.event

from fssim import conference_events as ce
from fssim.events import CONFERENCE_SUBCLASS

TICK = 0.001            # seconds between emission ticks
MAX_PER_TURN = 64       # events one burst emits before the others get their turn


class Burst:
    """One member's burst. ``get(timeout)`` -> events emitted (fewer than asked when
    the member left the conference); ``join(timeout)`` waits for the end."""

    def __init__(self, member, count, rate, clock=time.monotonic):
        self.member, self.conference = member, member.conference
        self.count, self.index = count, 0
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.start = clock()
        self.result = gevent.event.AsyncResult()
        # headers built once per variant, as a tuple: their encoding is cached
        self.variants = {}
        for talking in (True, False):
            member.talking = talking
            action = "start-talking" if talking else "stop-talking"
            self.variants[talking] = (ce.CALLING[action],
                                      tuple(ce.member_action(self.conference, member, action)))

    @property
    def next_due(self):
        return self.start + self.index * self.interval

    def emit_due(self, core, now):
        """Emit what is due by ``now`` (at most MAX_PER_TURN); True when finished."""
        for _ in range(MAX_PER_TURN):
            if self.index >= self.count:
                break
            if self.member.conference is not self.conference:
                self.result.set(self.index)
                return True
            if self.next_due > now:
                return False
            self.member.talking = not self.member.talking
            calling, headers = self.variants[self.member.talking]
            core.emit(core.events.custom(CONFERENCE_SUBCLASS, calling, headers))
            self.index += 1
        if self.index >= self.count:
            self.result.set(self.count)
            return True
        return False

    def get(self, timeout=None):
        return self.result.get(timeout=timeout)

    def join(self, timeout=None):
        return self.result.wait(timeout)


class BurstTicker:
    """Runs the bursts of one switch core in a single greenlet, alive while any runs."""

    def __init__(self, core, clock=time.monotonic):
        self.core, self.clock = core, clock
        self.bursts = []
        self._greenlet = None

    def add(self, burst):
        self.bursts.append(burst)
        if self._greenlet is None or self._greenlet.dead:
            self._greenlet = gevent.spawn(self._run)
        return burst

    def _run(self):
        while self.bursts:
            now = self.clock()
            self.bursts = [b for b in self.bursts if not b.emit_due(self.core, now)]
            if not self.bursts:
                return
            next_due = min(b.next_due for b in self.bursts)
            delay = math.ceil(next_due / TICK) * TICK - self.clock()
            gevent.sleep(max(delay, 0))     # 0: behind schedule, but let the writers run


_tickers = weakref.WeakKeyDictionary()


def start_burst(core, member, count, rate):
    """Start ``count`` alternating start/stop-talking events of ``member`` at ``rate``/s."""
    ticker = _tickers.get(core)
    if ticker is None:
        ticker = _tickers[core] = BurstTicker(core)
    return ticker.add(Burst(member, int(count), float(rate)))
