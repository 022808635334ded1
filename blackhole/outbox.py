"""A session's outgoing frames: bounded events, unbounded-but-small control frames.

Events are bounded by ``max_events``: when full, the OLDEST event is discarded
and counted; the next batch starts with an ``events_dropped`` notice telling the
client how many it lost. Replies and pings/pongs are control frames: never
dropped, always written before pending events. Nothing here blocks or does I/O.
"""
import collections

from gevent.event import Event

from blackhole import frames
from blackhole.protocol import encode_events_dropped


class Outbox:
    def __init__(self, max_events=1000, max_batch_bytes=256 * 1024):
        self._events = collections.deque()
        self._control = collections.deque()
        self._max_events = max_events
        self._max_batch_bytes = max_batch_bytes
        self.ready = Event()
        self.pending_dropped = 0
        self.total_dropped = 0
        self.queued = 0

    def __len__(self):
        return len(self._events) + len(self._control)

    def push_event(self, frame):
        """Queue one pre-built event frame; drop the oldest if full."""
        if len(self._events) >= self._max_events:
            self._events.popleft()
            self.pending_dropped += 1
            self.total_dropped += 1
        self._events.append(frame)
        self.queued += 1
        self.ready.set()

    def push_control(self, frame):
        self._control.append(frame)
        self.ready.set()

    def take(self):
        """The next batch to write, as one bytes object (b"" if nothing is pending)."""
        batch, size = [], 0
        while self._control:
            frame = self._control.popleft()
            batch.append(frame)
            size += len(frame)
        if self.pending_dropped:
            notice = encode_events_dropped(self.pending_dropped, self.total_dropped)
            batch.append(frames.text(notice))
            self.pending_dropped = 0
        while self._events and size < self._max_batch_bytes:
            frame = self._events.popleft()
            batch.append(frame)
            size += len(frame)
        if not self._events and not self._control:
            self.ready.clear()
        return b"".join(batch)
