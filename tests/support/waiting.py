"""Waiting for a condition instead of sleeping a fixed time: the deadline is generous
(a loaded 2-core CI machine can stall a process for seconds) and costs nothing when
things go well, since the wait ends as soon as the condition holds."""
import time

import gevent

DEADLINE = 20.0      # seconds; only ever reached when the behaviour is broken


def wait_for(condition, timeout=DEADLINE, message="condition not met in time", *, interval=0.02):
    """Poll ``condition`` until it returns something truthy (returned) or ``timeout``
    passes (AssertionError with ``message``, called first if it is callable)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(message() if callable(message) else message)
        gevent.sleep(interval)
