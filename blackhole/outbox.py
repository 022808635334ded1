"""A session's outgoing frames: bounded events, unbounded-but-small control frames.

Events are bounded by ``max_events``: when full, the OLDEST event is discarded
and counted; the next batch starts with an ``events_dropped`` notice telling the
client how many it lost. Replies and pings/pongs are control frames: never
dropped, always written before pending events. Nothing here blocks or does I/O;
whoever pushes tells the pump (``Session.deliver``, or the fan-out in bulk).
"""
import collections

from blackhole import frames
from blackhole.protocol import encode_events_dropped


class Outbox:
    def __init__(self, max_events=1000, max_batch_frames=256):
        self._events = collections.deque(maxlen=max_events)   # append drops the oldest
        self._control = collections.deque()
        self._max_events = max_events
        self._max_batch_frames = max_batch_frames
        self.pending_dropped = 0
        self.total_dropped = 0

    def __len__(self):
        return len(self._events) + len(self._control)

    def push_event(self, frame):
        """Queue one pre-built event frame; drop the oldest if full."""
        if len(self._events) == self._max_events:
            self.pending_dropped += 1
            self.total_dropped += 1
        self._events.append(frame)

    def push_control(self, frame):
        self._control.append(frame)

    def take(self):
        """The next batch to write, as one bytes object (b"" if nothing is pending):
        control frames, then the drop notice if any, then up to a batch of events."""
        batch = list(self._control)
        self._control.clear()
        if self.pending_dropped:
            notice = encode_events_dropped(self.pending_dropped, self.total_dropped)
            batch.append(frames.text(notice))
            self.pending_dropped = 0
        events = self._events
        if len(events) <= self._max_batch_frames:
            batch.extend(events)
            events.clear()
        else:
            batch.extend(events.popleft() for _ in range(self._max_batch_frames))
        return b"".join(batch)
