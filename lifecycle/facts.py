"""What the switch says about one room (PURE): ``conference <name> json_list``
(one room) -> RoomFacts. The switch is the source of truth for every decision.

- ``count``: participants as mod_conference counts them (``member_count``: ghost
  members are not counted, and keep the room alive);
- ``waiting``: ``(member_id, seconds since joining)`` of the non-moderators while
  the room waits for a moderator (``wait_mod``: set by the first ``wait-mod``
  member, cleared when a moderator joins);
- ``ending``: the room's ``kz_end_reason`` variable, once someone decided to end it.
"""
import dataclasses

from kzcore.lifecycle import END_REASON_VARIABLE


@dataclasses.dataclass(frozen=True)
class RoomFacts:
    name: str
    instance_id: str
    run_time: int
    count: int
    ghosts: int
    moderators: int
    wait_mod: bool
    waiting: tuple = ()
    ending: str = None
    call_ids: frozenset = frozenset()


def _callers(room):
    return [m for m in room.get("members") or []
            if isinstance(m, dict) and m.get("type", "caller") == "caller"
            and isinstance(m.get("id"), int)]


def _int(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def facts_from(room):
    callers = _callers(room)
    moderators = [m for m in callers if (m.get("flags") or {}).get("is_moderator")]
    wait_mod = bool(room.get("wait_mod"))
    waiting = tuple(sorted(((m["id"], _int(m.get("join_time"))) for m in callers
                            if not (m.get("flags") or {}).get("is_moderator")),
                           key=lambda item: -item[1])) if wait_mod else ()
    variables = room.get("variables") if isinstance(room.get("variables"), dict) else {}
    return RoomFacts(name=room.get("conference_name"), instance_id=room.get("conference_uuid"),
                     run_time=_int(room.get("run_time")), count=_int(room.get("member_count")),
                     ghosts=_int(room.get("ghost_count")), moderators=len(moderators),
                     wait_mod=wait_mod, waiting=waiting,
                     ending=variables.get(END_REASON_VARIABLE) or None,
                     call_ids=frozenset(m.get("uuid") for m in callers if m.get("uuid")))
