"""A session's outgoing frames: bounded events, unbounded-but-small control frames.

Events are bounded by ``max_events``: beyond it, the OLDEST events are discarded
and counted (at the latest when the pump next visits the session); the next
batch starts with an ``events_dropped`` notice telling the
client how many it lost. Replies and pings/pongs are control frames: never
dropped, always written before pending events. Nothing here blocks or does I/O;
whoever pushes tells the pump (``Session.deliver``, or the fan-out in bulk).
"""
import collections
import itertools

from blackhole import frames
from blackhole.protocol import encode_events_dropped


class Outbox:
    def __init__(self, max_events=1000, max_batch_frames=256):
        # Unbounded deque, bounded by ``trim`` (every take and every pump round):
        # the fan-out appends to hundreds of outboxes per event through
        # ``append_event`` (a bare deque.append, no Python work per subscriber).
        self._events = collections.deque()
        self.append_event = self._events.append
        self._control = collections.deque()
        self._max_events = max_events
        self._max_batch_frames = max_batch_frames
        self._small = min(max_events, max_batch_frames)   # take()'s fast path, at most
        self.pending_dropped = 0
        self.total_dropped = 0

    def __len__(self):
        return min(len(self._events), self._max_events) + len(self._control)

    def push_event(self, frame):
        """Queue one pre-built event frame; drop the oldest if full."""
        self._events.append(frame)
        if len(self._events) > self._max_events:
            self.trim()

    def trim(self):
        """Drop (and count) the oldest events beyond the bound."""
        events = self._events
        excess = len(events) - self._max_events
        if excess > 0:
            if excess <= 64:
                for _ in range(excess):
                    events.popleft()
            else:   # a long backlog: keep the newest with C-level slices
                rest = list(itertools.islice(events, excess, None))
                events.clear()
                events.extend(rest)
            self.pending_dropped += excess
            self.total_dropped += excess

    def push_control(self, frame):
        self._control.append(frame)

    def has_more(self):
        """Anything left to take (cheaper than ``len``: no bound arithmetic)."""
        return bool(self._events or self._control)

    def take(self):
        """The next batch to write, as one bytes object (b"" if nothing is pending):
        control frames, then the drop notice if any, then up to a batch of events."""
        events = self._events
        if not self._control and not self.pending_dropped and len(events) <= self._small:
            # the usual case, once per socket per write round: a few events, nothing
            # else, nothing to trim; no list, no notice, one join
            batch = b"".join(events)
            events.clear()
            return batch
        self.trim()
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
        else:       # C-level slices: a backlog of hundreds of frames costs no Python loop
            count = self._max_batch_frames
            batch.extend(itertools.islice(events, count))
            rest = list(itertools.islice(events, count, None))
            events.clear()          # the same deque: the fan-out holds its append method
            events.extend(rest)
        return b"".join(batch)
