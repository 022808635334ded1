"""One file (or speech) node of mod_conference (conference_file_node_t): its lead-in,
its play time, pause, and being stopped.

A node plays in simulated time: ``seconds`` of sound after ``leadin`` seconds of
silence (the enter, alone and lock sounds get CONF_DEFAULT_LEADIN: 20 frames of
20 ms). A paused node does not advance (`pause_play`); a stopped one ends at once and
reports what it played. ``seconds`` None plays until stopped (local_stream://moh).
"""
import gevent
from gevent.event import Event

CONF_DEFAULT_LEADIN = 0.4


class FileNode:
    def __init__(self, path, seconds, member=None, is_async=False, leadin=0.0,
                 speech=False, file_path=None):
        self.path = path
        self.seconds = seconds
        self.member = member
        self.is_async = is_async
        self.leadin = leadin
        self.speech = speech          # TTS (say/saymember): no play-file-done event
        self.file_path = file_path or path
        self.played = 0.0             # simulated seconds of sound so far
        self.paused = False
        self.stopped = False
        self.finished = False
        self.reported = False
        self._wake = Event()
        self._running_since = None

    # -- control (any greenlet) ----------------------------------------------------------
    def stop(self):
        self.stopped = True
        self._wake.set()

    def toggle_pause(self, clock):
        """-> True when now paused."""
        self._account(clock)
        self.paused = not self.paused
        self._wake.set()
        return self.paused

    def played_seconds(self, clock):
        self._account(clock)
        return self.played

    # -- playing (its own greenlet) ------------------------------------------------------
    def run(self, clock):
        """Blocks until the node ends (played out or stopped)."""
        if self.leadin and not self._wait(clock, self.leadin, counts=False):
            return
        while not self.stopped:
            if self.paused:
                self._wake.wait()
                self._wake.clear()
                continue
            remaining = None if self.seconds is None else self.seconds - self.played
            if remaining is not None and remaining <= 0:
                return
            self._wait(clock, remaining, counts=True)

    def _wait(self, clock, seconds, counts):
        """Sleep `seconds` of simulated time (None: until woken); False when stopped."""
        self._wake.clear()
        self._running_since = clock.now() if counts else None
        timeout = None if seconds is None else max(0.0, seconds) * clock.time_scale
        woken = self._wake.wait(timeout)
        self._account(clock)
        if not woken and counts and seconds is not None:
            self.played = max(self.played, self.seconds or 0.0)
        return not self.stopped

    def _account(self, clock):
        if self._running_since is not None:
            now = clock.now()
            self.played += now - self._running_since
            self._running_since = now if not self.paused else None
        if self.seconds is not None:
            self.played = min(self.played, self.seconds)


def spawn_queue_runner(queue_owner, clock, on_done):
    """Play the nodes of ``queue_owner.queue`` one after another; ``on_done(node)``
    after each (the conference thread closes a finished node at its next pass)."""
    def run():
        while queue_owner.queue:
            node = queue_owner.queue[0]
            node.run(clock)
            node.finished = True
            if queue_owner.queue and queue_owner.queue[0] is node:
                queue_owner.queue.popleft()
            on_done(node)
    return gevent.spawn(run)
