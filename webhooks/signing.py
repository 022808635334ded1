"""Request signatures (PURE): HMAC-SHA256 over the timestamp and the body.

Each request carries ``X-Kazoo-Signature: t=<unix seconds>,v1=<hex digest>``
where the digest is ``HMAC-SHA256(secret, "<t>." + body)``. A receiver recomputes
it with the webhook's secret, compares in constant time and refuses timestamps
older than a few minutes (a replayed request keeps its old timestamp: changing
it breaks the signature). Every attempt is signed afresh.
"""
import hashlib
import hmac
import time

HEADER = "X-Kazoo-Signature"
SCHEME = "v1"
TOLERANCE = 300.0   # seconds a receiver should accept between signing and checking


def digest(secret, timestamp, body):
    message = str(int(timestamp)).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret, body, timestamp=None):
    """The header value for ``body`` (bytes) signed now (or at ``timestamp``)."""
    stamp = int(time.time() if timestamp is None else timestamp)
    return f"t={stamp},{SCHEME}={digest(secret, stamp, body)}"


def parse_header(value):
    """``(timestamp, [digests])`` from a header value; (None, []) if malformed."""
    stamp, digests = None, []
    for part in (value or "").split(","):
        key, _, text = part.strip().partition("=")
        if key == "t" and text.isdigit():
            stamp = int(text)
        elif key == SCHEME and text:
            digests.append(text)
    return stamp, digests


def verify(secret, value, body, now=None, tolerance=TOLERANCE):
    """True if ``value`` signs ``body`` with ``secret`` within ``tolerance`` seconds."""
    stamp, digests = parse_header(value)
    if stamp is None or not digests:
        return False
    if abs((time.time() if now is None else now) - stamp) > tolerance:
        return False
    expected = digest(secret, stamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in digests)
