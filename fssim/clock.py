"""Simulated time. ``time_scale`` multiplies every simulated delay: 1.0 is real time,
0.1 runs ten times faster. Times reported to clients (event dates, join_time, recording
lengths) are simulated time, so a recording of "3 s" is 3 s long at any scale."""
import time

import gevent


class Clock:
    def __init__(self, time_scale=1.0):
        if time_scale <= 0:
            raise ValueError("time_scale must be > 0")
        self.time_scale = float(time_scale)
        self._epoch0 = time.time()
        self._mono0 = time.monotonic()

    def now(self):
        """Simulated wall-clock time (epoch seconds)."""
        return self._epoch0 + (time.monotonic() - self._mono0) / self.time_scale

    def sleep(self, seconds):
        gevent.sleep(max(0.0, seconds) * self.time_scale)

    def later(self, seconds, func, *args):
        """Run func after `seconds` of simulated time; returns the greenlet."""
        return gevent.spawn_later(max(0.0, seconds) * self.time_scale, func, *args)
