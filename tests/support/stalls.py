"""How long this process could not run its greenlets on time, measured in the same
window as a latency: on a loaded CI machine (2 cores shared with other busy
processes) the process can be descheduled for hundreds of ms, and every latency
measured across that pause grows by it. A latency assertion that allows for the
pauses measured beside it stays strict when the machine is quiet and does not
blame the code under test for the machine's pauses. A cooperative wait inside
the code under test (a greenlet blocked on a socket) does not show here: the
probe keeps running while it waits."""
import time

import gevent

TICK = 0.005


class StallProbe:
    """``with StallProbe() as probe: ...``; then ``probe.worst`` (longest single
    pause, s) and ``probe.total`` (sum of all pauses longer than 2 ms, s)."""

    def __init__(self, tick=TICK):
        self.tick, self.pauses, self._greenlet = tick, [], None

    def __enter__(self):
        self._greenlet = gevent.spawn(self._run)
        return self

    def __exit__(self, *_exc):
        self._greenlet.kill(block=True)

    def _run(self):
        while True:
            before = time.monotonic()
            gevent.sleep(self.tick)
            self.pauses.append(max(0.0, time.monotonic() - before - self.tick))

    @property
    def worst(self):
        return max(self.pauses, default=0.0)

    @property
    def total(self):
        return sum(p for p in self.pauses if p > 0.002)
