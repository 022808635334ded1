"""Counts and latency histograms kept as plain numbers, read at scrape time.

What a request or an ESL round trip costs here is a dict lookup, a bisect and
two additions; nothing of prometheus_client runs on the hot path
(``kzcore.metrics`` turns snapshots into series when Prometheus asks).

Keys are tuples of label values. Snapshots are JSON-able (keys joined with
``SEP``) and add up (``merge``), so several worker processes can publish one
sum (``kzcore.stats_spool``). The number of keys is bounded: a key beyond
``max_keys`` is counted under ``OTHER`` (label values a client chooses, such as
an action's name, must not grow memory without end).
"""
import bisect

SEP = "\t"
OTHER = "other"
# Seconds: from a fast ESL round trip (well under a millisecond) to a slow request.
LATENCY_BOUNDS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
                  2.5, 5.0, 10.0)


def _bounded(table, key, max_keys):
    if key in table or len(table) < max_keys:
        return key
    return tuple(OTHER for _ in key)


def joined(key):
    return SEP.join(str(part) for part in key)


def labelled(snapshot):
    """``{"a\\tb": v}`` -> ``{("a", "b"): v}`` (what ``kzcore.metrics`` labels)."""
    return {tuple(key.split(SEP)): value for key, value in snapshot.items()}


class Counts:
    """``add(key)``: one more of ``key`` (a tuple of label values)."""

    def __init__(self, max_keys=500):
        self.max_keys = max_keys
        self._counts = {}

    def add(self, key, amount=1):
        key = _bounded(self._counts, key, self.max_keys)
        self._counts[key] = self._counts.get(key, 0) + amount

    def snapshot(self):
        return {joined(key): count for key, count in self._counts.items()}


class Timings:
    """``observe(key, seconds)``: a latency histogram per key."""

    def __init__(self, bounds=LATENCY_BOUNDS, max_keys=1000):
        self.bounds = tuple(bounds)
        self.max_keys = max_keys
        self._series = {}          # key -> [counts per bound (+Inf last), sum of seconds]

    def observe(self, key, seconds):
        key = _bounded(self._series, key, self.max_keys)
        series = self._series.get(key)
        if series is None:
            series = self._series[key] = [[0] * (len(self.bounds) + 1), 0.0]
        series[0][bisect.bisect_left(self.bounds, seconds)] += 1
        series[1] += seconds

    def snapshot(self):
        """``{joined key: {"buckets": [count per bound, +Inf last], "sum": seconds}}``."""
        return {joined(key): {"buckets": list(counts), "sum": total}
                for key, (counts, total) in self._series.items()}


def merge(left, right):
    """The sum of two snapshots of the same shape (dicts merged key by key,
    numbers and lists of numbers added; anything else: the left value)."""
    if isinstance(left, dict) and isinstance(right, dict):
        out = dict(left)
        for key, value in right.items():
            out[key] = merge(out[key], value) if key in out else value
        return out
    if isinstance(left, list) and isinstance(right, list) and len(left) == len(right):
        return [merge(a, b) for a, b in zip(left, right)]
    if _number(left) and _number(right):
        return left + right
    return left


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)
