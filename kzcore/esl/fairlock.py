"""A FIFO-fair lock for greenlets.

``gevent.lock.Semaphore`` is not fair: ``release()`` only schedules the wake-up of a
waiter, so a greenlet that releases and acquires again straight away (a loop of api
calls on one connection) takes the lock back every time and the waiter times out
(checked with gevent 26.9: a waiter got no turn in 2 s against ~1000 loop turns).
Here ``release()`` hands the lock directly to the oldest waiter, so a greenlet that
comes back queues behind everybody who was already waiting.
"""
import collections

import gevent.event


class FairLock:
    def __init__(self):
        self._held = False
        self._waiters = collections.deque()  # gevent Events, oldest first

    def locked(self):
        return self._held

    def acquire(self, timeout=None):
        """True once the lock is ours; False after ``timeout`` seconds without a turn."""
        if not self._held and not self._waiters:
            self._held = True
            return True
        turn = gevent.event.Event()
        self._waiters.append(turn)
        try:
            turn.wait(timeout)
        except BaseException:  # killed or an outer gevent.Timeout: never keep a turn
            if not self._withdraw(turn):
                self.release()
            raise
        return turn.is_set() or not self._withdraw(turn)

    def _withdraw(self, turn):
        """Leave the queue; False when ``release()`` already handed us the lock."""
        try:
            self._waiters.remove(turn)
            return True
        except ValueError:
            return False

    def release(self):
        if not self._held:
            raise RuntimeError("release of an unlocked FairLock")
        if self._waiters:
            self._waiters.popleft().set()  # still held: ownership passes on
        else:
            self._held = False

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc_info):
        self.release()
