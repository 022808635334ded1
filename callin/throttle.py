"""PIN attempts across calls: a wrong PIN costs more each time (PURE, clock passed in).

Each call already gets ``CallinOptions.attempts`` tries. Without more, a client
placing call after call (or many at once) can try PINs as fast as it can type
them. Here every PIN entry counts against keys that outlive the call (the
conference, and the caller's number) for ``window`` seconds:

- the first ``free`` entries of a key in the window cost nothing;
- after that each entry must wait ``base_delay * 2 ** (entries - free)`` seconds
  after the previous one of that key (1, 2, 4, 8... s), and entries queue: ten
  calls at once do not get ten free guesses;
- an entry that would have to wait more than ``max_wait`` is refused.

An entry counts as soon as it is made (so parallel calls see each other) and is
taken back when the PIN was right: only wrong PINs accumulate. A refused entry
is not counted, so a key unlocks ``window`` seconds after its last wrong PIN.
"""
import bisect
import dataclasses
import time


@dataclasses.dataclass(frozen=True)
class Ticket:
    """One admitted entry: wait ``wait`` seconds, then check the PIN."""
    keys: tuple
    at: float
    wait: float


class PinThrottle:
    def __init__(self, free=5, window=600.0, base_delay=1.0, max_wait=30.0,
                 clock=time.monotonic, max_keys=100000):
        self.free, self.window = max(0, int(free)), float(window)
        self.base_delay, self.max_wait = float(base_delay), float(max_wait)
        self._clock, self._max_keys = clock, max_keys
        self._keys = {}     # key -> ascending entry times (queued ones in the future)

    def _entries(self, key, now):
        entries = self._keys.setdefault(key, [])
        del entries[:bisect.bisect_right(entries, now - self.window)]
        return entries

    def spacing(self, entries):
        """Seconds required after the previous entry when ``entries`` are in the window."""
        extra = entries - self.free
        return 0.0 if extra < 0 else self.base_delay * (2 ** min(extra, 32))

    def admit(self, keys):
        """A Ticket for one more PIN entry on ``keys``, or None when refused."""
        now = self._clock()
        if len(self._keys) + len(keys) > self._max_keys:
            self._forget(now)
        lists = [self._entries(key, now) for key in keys]
        slot = now
        for entries in lists:
            gap = self.spacing(len(entries))
            if gap:
                slot = max(slot, entries[-1] + gap)
        if slot - now > self.max_wait:
            return None
        for entries in lists:
            bisect.insort(entries, slot)
        return Ticket(tuple(keys), slot, slot - now)

    def right(self, ticket):
        """The PIN was right: the entry does not count."""
        for key in ticket.keys:
            entries = self._keys.get(key)
            if entries and ticket.at in entries:
                entries.remove(ticket.at)

    def entries(self, key):
        """Entries of ``key`` still counted (for logs and tests)."""
        return len(self._entries(key, self._clock()))

    def _forget(self, now):
        """Bound memory (callers may cycle through numbers): drop idle keys, then the oldest."""
        for key in [k for k, entries in self._keys.items()
                    if not entries or entries[-1] <= now - self.window]:
            del self._keys[key]
        while self._keys and len(self._keys) >= self._max_keys:
            del self._keys[next(iter(self._keys))]
