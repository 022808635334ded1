"""Stable event ids and stream positions (PURE).

Every message ecallmgr publishes carries ``msg_id``, derived from the switch's own
identity of the event, so that two ecallmgr instances publishing the same switch
event produce the same id and consumers can deduplicate on it:

- a switch event: ``{Core-UUID}:{Event-Sequence}`` (FreeSWITCH numbers the events of
  one core run in the order it fires them; every subscriber sees the same numbers);
- a synthetic event (resync, node lost): ``{Core-UUID}:{Event-Sequence}:{n}:{digest}``,
  the n-th synthetic message after the last switch event seen before it, the digest
  naming what it says (reason, action, room instance, call id), so that instances
  whose views differ never give one id to two different messages.

The same parts give a *position* in the switch's stream, which the high-availability
handover compares: a standby drops what the active instance already published.
"""
import hashlib
import typing

CORE_HEADER, SEQUENCE_HEADER = "Core-UUID", "Event-Sequence"
REAL = 0
DIGEST_CHARS = 16


class Position(typing.NamedTuple):
    """Where a message sits in one switch's event stream: the core run, the event
    sequence, and ``after``: 0 for the switch event itself, n for the n-th synthetic
    message made after it."""
    core: str
    seq: int
    after: int = REAL

    @property
    def synthetic(self):
        return self.after > REAL


START = Position("", 0, REAL)      # nothing seen yet from a switch


def switch_position(event):
    """The position of a switch event, or None when it carries no sequence."""
    core, seq = event.get(CORE_HEADER), event.get(SEQUENCE_HEADER)
    if not core or not seq:
        return None
    try:
        return Position(core, int(seq), REAL)
    except ValueError:
        return None


def synthetic_position(last, count):
    """Position of the ``count``-th synthetic event made after the switch event ``last``."""
    return Position(last.core, last.seq, count)


def digest(*parts):
    text = "\x1f".join("" if part is None else str(part) for part in parts)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:DIGEST_CHARS]


def event_id(position, event=None, reason=None):
    """``msg_id`` for a message at ``position``; a synthetic one needs its event and reason."""
    if not position.synthetic:
        return f"{position.core}:{position.seq}"
    what = digest(reason, event.get("Action"), event.get("Conference-Unique-ID"),
                  event.get("Unique-ID"))
    return f"{position.core}:{position.seq}:{position.after}:{what}"


def parse_event_id(msg_id):
    """The Position an id names, or None for ids this scheme did not make."""
    if not isinstance(msg_id, str):
        return None
    parts = msg_id.split(":")
    if len(parts) == 2 and parts[1].isdigit():
        return Position(parts[0], int(parts[1]), REAL)
    if len(parts) == 4 and parts[1].isdigit() and parts[2].isdigit() and int(parts[2]) > REAL:
        return Position(parts[0], int(parts[1]), int(parts[2]))
    return None
