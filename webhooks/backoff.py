"""Retry delays (PURE): exponential back-off with jitter.

The n-th retry waits ``min(cap, base * 2**(n-1))``, of which the second half is
random ("equal jitter"): never less than half the nominal delay, so an endpoint
that just failed is given time, and never the same instant for every webhook
that failed together.
"""
import random


def nominal_delay(retry, base, cap):
    """Seconds before retry number ``retry`` (1 = the first retry), without jitter."""
    return min(cap, base * 2 ** min(max(retry - 1, 0), 32))


def retry_delay(retry, base, cap, rng=random):
    delay = nominal_delay(retry, base, cap)
    return delay / 2 + rng.uniform(0, delay / 2)
