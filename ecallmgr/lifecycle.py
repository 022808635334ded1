"""Lifecycle events derived from the switch's own, and the per-conference
``sequence`` (pure but for the bounded memory of why members are leaving).

For each conference::maintenance event ecallmgr also publishes, after it:

- conference-create  -> ``conference-started`` (``started_at``);
- add-member         -> ``joined`` (``is_moderator``, ``is_ghost``, ``conference_size``);
- del-member         -> ``left`` with ``left_reason``: ``kicked`` after a kick-member or
  hup-member of the call, ``moved`` (and ``moved_to``) after a transfer, ``ended`` when
  the room is being ended (its ``kz_end_reason`` variable, see kzcore.lifecycle, or the
  node was lost), else ``hangup``;
- rejected-join-only -> ``left`` with ``refused_join_only`` (no room was made);
- conference-destroy -> ``conference-ended`` with ``end_reason``: the room's
  ``kz_end_reason`` when a process decided it, ``node_lost`` for rooms ecallmgr saw
  vanish (node lost, or gone at a resync), else ``last_member_left``.

Everything is read off the events (the switch stamps the room's variables on each of
them), so every ecallmgr instance derives the same messages from the same stream.

``sequence`` orders the messages of one run of a conference: ``Event-Sequence × 1000
+ n``, where n is 0 for the switch's event and 1, 2, ... for the messages ecallmgr
makes after it (derived, then synthetic ones from a resync; n stops at 999). It has
gaps, and it is the same in every instance for the switch's events and those derived
from them (DESIGN: HA); a restarted switch counts again from 1.
"""
import collections
import dataclasses

from ecallmgr.event_ids import event_id
from ecallmgr.normalize import (conference_payload, conference_routing_key, participant_payload,
                                participant_routing_key, room_identity)
from kzcore import lifecycle as lc
from kzcore.naming import parse_fs_conference_name

SYNTHETIC_HEADER = "X-Ecallmgr-Synthetic"      # ecallmgr.resync.SYNTHETIC
NODE_LOST_REASON = "node-lost"
REFUSAL_ACTIONS = {"rejected-join-only": lc.REFUSED_JOIN_ONLY}
# the switch events a lifecycle message comes from, or that say why someone leaves
# (talking and the like, most of the traffic, are passed over at once)
RELEVANT_ACTIONS = frozenset({"conference-create", "conference-destroy", "add-member",
                              "del-member", "kick-member", "hup-member", "transfer"})
SEQUENCE_SPAN = 1000
MAX_ROOMS = 20000


def sequence_number(position):
    """The ``sequence`` of the message at ``position`` (ecallmgr.event_ids.Position)."""
    return position.seq * SEQUENCE_SPAN + min(position.after, SEQUENCE_SPAN - 1)


def event_seconds(event, now):
    """Epoch seconds of a switch event (``Event-Date-Timestamp``, microseconds)."""
    stamp = event.get("Event-Date-Timestamp")
    if isinstance(stamp, str) and stamp.isdigit():
        return int(stamp) // 1_000_000
    return int(now)


@dataclasses.dataclass(frozen=True)
class Derived:
    name: str            # conference-started, conference-ended, joined, left
    extras: dict         # fields added to the switch event's payload
    participant: bool    # routed as a participant event (call id) or the room's


class LeavingMemory:
    """Per room (node, instance): why each leaving call is leaving, and the end
    reason once known. Bounded: the oldest rooms are forgotten first."""

    def __init__(self, max_rooms=MAX_ROOMS):
        self._rooms = collections.OrderedDict()
        self.max_rooms = max_rooms

    def room(self, node, instance):
        key = (node, instance)
        room = self._rooms.pop(key, None) or {"leaving": {}, "end_reason": None}
        self._rooms[key] = room
        while len(self._rooms) > self.max_rooms:
            self._rooms.popitem(last=False)
        return room

    def forget(self, node, instance):
        self._rooms.pop((node, instance), None)

    def forget_node(self, node):
        for key in [key for key in self._rooms if key[0] == node]:
            del self._rooms[key]


def moved_to(event, identity):
    """The conference id a transfer sends the member to, when it is the same account's."""
    target = parse_fs_conference_name(event.get("New-Conference-Name"))
    return target[1] if target is not None and identity and target[0] == identity[0] else None


def _member_extras(event):
    size = event.get("Conference-Size")
    return {"is_moderator": event.get("Member-Type") == "moderator",
            "is_ghost": event.get("Member-Ghost") == "true",
            "conference_size": int(size) if isinstance(size, str) and size.isdigit() else None}


class LifecycleEvents:
    """``derive(node, event, identity, now)`` -> [Derived]; keeps LeavingMemory."""

    def __init__(self, memory=None):
        self.memory = memory or LeavingMemory()

    def derive(self, node, event, identity, now):
        action = event.get("Action")
        if action not in RELEVANT_ACTIONS and action not in REFUSAL_ACTIONS:
            return []
        if action in REFUSAL_ACTIONS:
            return [Derived(lc.PARTICIPANT_LEFT, {"left_reason": REFUSAL_ACTIONS[action],
                                                  "left_at": event_seconds(event, now)}, True)]
        instance = event.get("Conference-Unique-ID")
        synthetic = event.get(SYNTHETIC_HEADER)
        room = self.memory.room(node, instance)
        decided = event.get(lc.END_REASON_VARIABLE)
        if decided in lc.END_REASONS:
            room["end_reason"] = decided
        elif synthetic == NODE_LOST_REASON or (synthetic and action == "conference-destroy"):
            room["end_reason"] = room["end_reason"] or lc.NODE_LOST
        handler = getattr(self, "_" + (action or "").replace("-", "_"), None)
        derived = handler(event, room, identity, now) if handler else []
        if action == "conference-destroy":
            self.memory.forget(node, instance)
        return derived

    def _conference_create(self, event, room, identity, now):
        started = event_seconds(event, now) if not event.get(SYNTHETIC_HEADER) else None
        return [Derived(lc.CONFERENCE_STARTED, {"started_at": started}, False)]

    def _conference_destroy(self, event, room, identity, now):
        reason = room["end_reason"] or lc.LAST_MEMBER_LEFT
        return [Derived(lc.CONFERENCE_ENDED, {"end_reason": reason,
                                              "ended_at": event_seconds(event, now)}, False)]

    def _note(self, event, room, reason, target=None):
        call_id = event.get("Unique-ID")
        if call_id:
            room["leaving"][call_id] = (reason, target)

    def _kick_member(self, event, room, identity, now):
        self._note(event, room, lc.ENDED if room["end_reason"] else lc.KICKED)
        return []

    _hup_member = _kick_member

    def _transfer(self, event, room, identity, now):
        self._note(event, room, lc.MOVED, moved_to(event, identity))
        return []

    def _add_member(self, event, room, identity, now):
        room["leaving"].pop(event.get("Unique-ID"), None)
        return [Derived(lc.PARTICIPANT_JOINED, _member_extras(event), True)]

    def _del_member(self, event, room, identity, now):
        noted = room["leaving"].pop(event.get("Unique-ID"), None)
        reason, target = noted or (lc.ENDED if room["end_reason"] else lc.HANGUP, None)
        extras = {**_member_extras(event), "left_reason": reason,
                  "left_at": event_seconds(event, now)}
        if reason == lc.MOVED:
            extras["moved_to"] = target
        return [Derived(lc.PARTICIPANT_LEFT, extras, True)]


def is_refusal(event):
    """A caller refused by the switch before joining (no room, no member)."""
    return event.get("Action") in REFUSAL_ACTIONS


def lifecycle_message(event, derived, position, *, node, focus, applied=None):
    """``(routing_key, payload)`` of a derived message at ``position``: the switch
    event's payload (ecallmgr.normalize) under the derived name, with its extras."""
    identity = room_identity(event)
    msg_id = event_id(position, {"Action": derived.name, **{
        key: event.get(key) for key in ("Conference-Unique-ID", "Unique-ID")}}, "lifecycle")
    if derived.participant:
        payload = participant_payload(event, identity, node=node, focus=focus, msg_id=msg_id,
                                      member=applied.member if applied else None)
        key = participant_routing_key(identity[1], payload["call_id"])
    else:
        payload = conference_payload(event, identity, node=node, focus=focus, msg_id=msg_id,
                                     conference=applied.conference if applied else None)
        key = conference_routing_key(identity[1])
    payload.update(derived.extras)
    payload.update({"event": derived.name, "sequence": sequence_number(position)})
    return key, payload
