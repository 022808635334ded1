"""Live conference state from ``conference json_list`` (pure functions).

FreeSWITCH's json_list gives each member's ``join_time`` as seconds *since*
joining; the API reports the Unix epoch second of joining (DESIGN.md section 3)
and the seconds since as ``duration``. Recording nodes are listed as members
without id or flags: they are not participants, they make ``is_recording``.

Counting as the switch does (round4 json_list_with_ghost, list_count_with_ghost,
get_count_with_ghost): ghost members are listed like everyone else, with no flag
saying so, and left out of the room's count (``member_count``, ``list count``,
``get count``), which ``ghost_count`` keeps apart. So ``participants`` lists
everyone the switch lists, ghosts included; ``members`` is the switch's count
(moderators included, ghosts not) and ``ghosts`` how many of the participants are
ghosts. While a member is on hold (``is_held``) the switch lists it as neither
speaking nor hearing (json_list masks can_speak / can_hear with hold; its member
events do not), and so does ``speak`` / ``hear``. json_list has no current energy:
``current_energy`` is None there (the member events carry it).
"""
from kzcore import fs_commands, lifecycle
from kzcore.naming import fs_conference_name, parse_fs_conference_name

CALLER = "caller"
RECORDING_NODE = "recording_node"


def fs_name(account_id, conference_id):
    """The room's FreeSWITCH name; an id that cannot be one is a 400, not a lookup."""
    try:
        return fs_conference_name(account_id, conference_id)
    except ValueError:
        raise fs_commands.invalid("conference_id", "may only hold letters, digits, '_', '.' and '-' "
                                  "(1-64, starting with a letter or digit)", conference_id) from None


def is_participant(member):
    return member.get("type", CALLER) == CALLER and isinstance(member.get("id"), int)


def participant(member, conference, node, now, identity=None):
    """One json_list member -> the API's participant object; ``identity``: a dialled
    member's ``(name, number)`` (crossbar.live.identities), json_list's otherwise."""
    since = int(member.get("join_time") or 0)
    name, number = identity or (member.get("caller_id_name"), member.get("caller_id_number"))
    flags = member.get("flags") or {}       # read once: 200-member rooms are listed whole
    held = bool(flags.get("hold", False))
    return {
        "participant_id": member["id"],
        "call_id": member.get("uuid"),
        "caller_id_name": name,
        "caller_id_number": number,
        "is_moderator": bool(flags.get("is_moderator", False)),
        "speak": bool(flags.get("can_speak", True)),
        "hear": bool(flags.get("can_hear", True)),
        "talking": bool(flags.get("talking", False)),
        "floor": bool(flags.get("has_floor", False)),
        "mute_detect": bool(flags.get("mute_detect", False)),
        "video": bool(flags.get("has_video", False)),
        "is_held": held,
        "state": lifecycle.ON_HOLD if held else lifecycle.JOINED,
        "energy_level": member.get("energy", 0),
        "current_energy": member.get("current_energy"),
        "join_time": int(now) - since,
        "duration": since,
        "conference_name": conference.get("conference_name"),
        "conference_uuid": conference.get("conference_uuid"),
        "switch_hostname": node,
    }


def participants(conference, node, now, identities=None):
    """``identities``: ``{call id: (name, number)}`` of dialled members."""
    identities = identities or {}
    return [participant(member, conference, node, now, identities.get(member.get("uuid")))
            for member in conference.get("members") or [] if is_participant(member)]


def recording_paths(conference):
    """Files the conference is recording into right now."""
    return [member.get("record_path") for member in conference.get("members") or []
            if member.get("type") == RECORDING_NODE and member.get("record_path")]


def _count(conference, key, default):
    value = conference.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def end_reason_set(conference):
    """The room's ``kz_end_reason`` variable: someone decided to end it (kzcore.lifecycle)."""
    variables = conference.get("variables")
    return variables.get(lifecycle.END_REASON_VARIABLE) if isinstance(variables, dict) else None


def conference_state(conference, node, now, identities=None):
    """The ``_read_only`` object for one running conference."""
    people = participants(conference, node, now, identities)
    moderators = sum(1 for person in people if person["is_moderator"])
    ending = bool(end_reason_set(conference))
    for person in people if ending else ():
        person["state"] = lifecycle.LEAVING
    return {
        "members": _count(conference, "member_count", len(people)),
        "ghosts": _count(conference, "ghost_count", 0),
        "moderators": moderators,
        "admins": moderators,
        "duration": int(conference.get("run_time") or 0),
        "is_locked": bool(conference.get("locked")),
        "is_recording": bool(conference.get("recording")) or bool(recording_paths(conference)),
        "participants": people,
        "focus": node,
        "switch_hostname": node,
        "conference_uuid": conference.get("conference_uuid"),
        "status": lifecycle.ENDING if ending else lifecycle.ACTIVE,
        "started_at": int(now) - int(conference.get("run_time") or 0),
    }


def unknown_state(unreachable_nodes):
    """``_read_only`` for a conference no reachable node hosts while some node did not
    answer: it may be running there, so nothing is counted as zero."""
    return {"members": None, "ghosts": None, "moderators": None, "admins": None,
            "duration": None, "is_locked": None, "is_recording": None, "participants": [],
            "live": "unknown", "unreachable_nodes": sorted(unreachable_nodes)}


class AccountStates(dict):
    """``{conference_id: state}`` from the nodes that answered; ``unreachable_nodes``
    are the ones that did not (their rooms' state is unknown)."""

    def __init__(self, states=(), unreachable_nodes=()):
        super().__init__(states)
        self.unreachable_nodes = sorted(unreachable_nodes)


def find_participant(conference, participant_id):
    """The json_list member with this id, or None (ids arrive as text from URLs)."""
    wanted = str(participant_id)
    for member in conference.get("members") or []:
        if is_participant(member) and str(member["id"]) == wanted:
            return member
    return None


def account_conferences(listing_by_node, account_id):
    """``{node: [json_list conference, ...]}`` -> ``{conference_id: [(node, conference)]}``
    for this account's rooms only, every node's copy (a room may run on several:
    crossbar.live.split); names that do not parse are never shown."""
    found = {}
    for node, conferences in listing_by_node.items():
        for conference in conferences:
            owner = parse_fs_conference_name(conference.get("conference_name"))
            if owner is not None and owner[0] == account_id:
                found.setdefault(owner[1], []).append((node, conference))
    return found
