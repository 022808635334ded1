"""The lifecycle rules (PURE): a room's settings, what the switch says about it
now and what the service remembers of its run -> what to do, and when to look
again.

- ``connect``: ends with ``connect_completed`` once it has had two or more
  participants and one or none remains (``peak`` is remembered per run);
- ``max_duration_s``: ends with ``max_duration`` when ``run_time`` reaches it;
- ``empty_timeout_s``: ends with ``empty`` after that long with no participant
  counted by the switch (only ghost members left: they keep a room alive);
- ``wait_for_moderator_timeout_s``: members who waited that long while the room
  waits for a moderator are kicked, hearing a goodbye;
- a room someone already decided to end (its ``kz_end_reason`` variable, set by this
  service or by crossbar's ``end``) is left alone, but the ending is sent again if it
  is still there ``retry`` seconds later.
"""
import dataclasses

from kzcore import lifecycle as lc

MIN_WAKE = 0.2           # seconds: a deadline is never looked at sooner than this again
KICK_RETRY = 5.0         # seconds before a member still there is kicked again


@dataclasses.dataclass
class RunMemory:
    """What the service keeps about one run of a room (``instance_id``)."""
    instance_id: str
    peak: int = 0
    empty_since: float = None
    end_sent: tuple = None          # (reason, when) of the last ending this service sent
    ending_seen: float = None       # when the room was first seen being ended
    kicked: dict = dataclasses.field(default_factory=dict)   # member id -> when


@dataclasses.dataclass(frozen=True)
class Decision:
    end: str = None                 # an end reason: end the room now
    kick: tuple = ()                # member ids to tell and hang up
    wake_in: float = None           # seconds until the next look (None: no deadline)


def _ending(facts, memory, now, retry):
    since = memory.end_sent[1] if memory.end_sent else None
    since = max(since or 0, memory.ending_seen or 0) or now
    memory.ending_seen = since
    if now - since >= retry:
        memory.ending_seen = now
        return Decision(end=facts.ending, wake_in=retry)
    return Decision(wake_in=max(MIN_WAKE, retry - (now - since)))


def _waiting(settings, facts, memory, now):
    """(member ids to kick now, seconds until the next member has waited too long)."""
    limit = settings.wait_for_moderator_timeout_s
    if not limit or not facts.wait_mod:
        return (), None
    kick, due = [], []
    for member_id, waited in facts.waiting:
        if waited >= limit:
            if now - memory.kicked.get(member_id, -KICK_RETRY) >= KICK_RETRY:
                kick.append(member_id)
        else:
            due.append(limit - waited)
    return tuple(kick), (min(due) if due else None)


def _empty(settings, facts, memory, now):
    """(True if empty too long, seconds left); keeps ``memory.empty_since``."""
    if facts.count > 0:
        memory.empty_since = None
        return False, None
    if memory.empty_since is None:
        memory.empty_since = now
    limit = settings.empty_timeout_s
    if not limit:
        return False, None
    left = memory.empty_since + limit - now
    return left <= 0, left


def decide(settings, facts, memory, now, retry=5.0):
    memory.peak = max(memory.peak, facts.count)
    if facts.ending:
        return _ending(facts, memory, now, retry)
    if settings.connect and memory.peak >= 2 and facts.count <= 1:
        return Decision(end=lc.CONNECT_COMPLETED)
    due = []
    if settings.max_duration_s:
        left = settings.max_duration_s - facts.run_time
        if left <= 0:
            return Decision(end=lc.MAX_DURATION)
        due.append(left)
    too_long, left = _empty(settings, facts, memory, now)
    if too_long:
        return Decision(end=lc.EMPTY)
    if left is not None:
        due.append(left)
    kick, left = _waiting(settings, facts, memory, now)
    if left is not None:
        due.append(left)
    return Decision(kick=kick, wake_in=max(MIN_WAKE, min(due)) if due else None)
