"""Counters the call-in service keeps (``CallinServer.stats``), also logged as fields.

One process-wide object, shared by every call of a server; greenlets do not
preempt each other between a read and a write of a counter.
"""
import collections

# What is counted (a name outside this set is a programming error).
NAMES = frozenset({
    "calls",             # connections served as calls
    "refused_peer",      # address not in KZ_CALLIN_ALLOWED_PEERS
    "refused_busy",      # over KZ_CALLIN_MAX_CONNECTIONS
    "refused_secret",    # channel without the right callin_secret
    "dropped_frames",    # a frame over the limits (or too slow): peer dropped
    "prompt_failures",   # a prompt FreeSWITCH could not play (caller refused)
    "wrong_pins",        # PIN entries that were wrong
    "pin_throttled",     # PIN entries refused by the throttle
    # conference focus (issue 18: callin.bridge)
    "focus_bridges",        # callers handed (bridged) to their conference's focus node
    "focus_bridge_failed",  # bridges to the focus node that failed (joined here)
    "focus_arrivals",       # bridged callers trusted on arrival (their token held)
    "focus_token_refused",  # legs whose focus token did not hold (asked as any caller)
})


class CallinStats:
    def __init__(self):
        self._counts = collections.Counter()

    def count(self, name):
        """Add one to ``name``; returns the new total (for the log line)."""
        if name not in NAMES:
            raise KeyError(name)
        self._counts[name] += 1
        return self._counts[name]

    def snapshot(self):
        return {name: self._counts.get(name, 0) for name in sorted(NAMES)}

    def __getitem__(self, name):
        return self._counts.get(name, 0)
