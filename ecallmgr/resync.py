"""Resynchronisation (PURE): what ecallmgr must publish after it lost events.

After every (re)connect the daemon reads ``conference json_list`` from the node
and ``reconcile`` compares it with the live state: rooms and members it did not
know get a synthetic conference-create / add-member, known members that are gone
get a synthetic del-member, vanished rooms a conference-destroy; members it knew
and that are still there get nothing (their flags are refreshed silently). When
a node stays away too long, ``node_lost_events`` removes all its rooms.

Synthetic events are shaped like FreeSWITCH's own (same headers), so they take
the same path through the state and the normaliser as real ones. They carry
``X-Ecallmgr-Synthetic`` with the reason.

json_list does not tell everything the member events do (round 2
json_list_member_on_hold, round 4 json_list_with_ghost): it lists ghosts with no
flag saying so (and leaves them out of ``member_count``), and masks a held
member's can_hear / can_speak / can_see. A member ecallmgr knows keeps what its
events said about those; a synthetic event's Conference-Size counts as the switch
does, without ghosts.
"""
from ecallmgr import events
from ecallmgr.normalize import room_identity
from ecallmgr.state import update_member

SYNTHETIC = "X-Ecallmgr-Synthetic"


def _bool(value):
    return "true" if value else "false"


HELD_MASKED = ("Hear", "Speak", "See")  # json_list shows them false while a member is held


def switch_size(conference):
    """Conference-Size as the switch counts it: ghosts left out."""
    return sum(1 for member in conference.members.values()
               if member.block.get("Member-Ghost") != "true")


def room_event(conference, action, reason):
    return {"Event-Name": "CUSTOM", "Event-Subclass": events.MAINTENANCE_SUBCLASS,
            "Action": action, "Conference-Name": conference.name,
            "Conference-Unique-ID": conference.instance_id,
            "Conference-Size": str(switch_size(conference)), SYNTHETIC: reason}


def member_event(conference, member, action, reason):
    """An event for a member ecallmgr knows, from its record."""
    event = room_event(conference, action, reason)
    event.update(member.block)
    event.update({"Unique-ID": member.call_id, "Member-ID": str(member.participant_id),
                  "Caller-Caller-ID-Name": member.caller_id_name,
                  "Caller-Caller-ID-Number": member.caller_id_number})
    if member.presence_id:
        event["Channel-Presence-ID"] = member.presence_id
    return event


def listed_member_event(listed_room, listed, reason, channel=None):
    """A synthetic add-member for a member seen in json_list. ``channel`` (headers of
    ``uuid_dump``, when the daemon could read them) completes caller ids and variables."""
    flags = listed.get("flags", {})
    event = dict(channel or {})
    event.update({
        "Event-Name": "CUSTOM", "Event-Subclass": events.MAINTENANCE_SUBCLASS,
        "Action": "add-member", "Conference-Name": listed_room["conference_name"],
        "Conference-Unique-ID": listed_room["conference_uuid"],
        "Conference-Size": str(listed_room.get("member_count", 0)),
        "Unique-ID": listed["uuid"], "Member-ID": str(listed["id"]),
        "Floor": _bool(flags.get("has_floor")), "Video": _bool(flags.get("has_video")),
        "Hear": _bool(flags.get("can_hear")), "See": _bool(flags.get("can_see")),
        "Speak": _bool(flags.get("can_speak")), "Talking": _bool(flags.get("talking")),
        "Mute-Detect": _bool(flags.get("mute_detect")), "Hold": _bool(flags.get("hold")),
        "Member-Type": "moderator" if flags.get("is_moderator") else "member",
        "Member-Ghost": "false", "Energy-Level": str(listed.get("energy", 0)),
        "Current-Energy": "0", SYNTHETIC: reason,
    })
    if not channel:
        event["Caller-Caller-ID-Name"] = listed.get("caller_id_name")
        event["Caller-Caller-ID-Number"] = listed.get("caller_id_number")
    return event


def _refresh(listed_room, listed):
    """The member headers json_list can tell for a member already known: not its
    caller ids, not whether it is a ghost, and while it is held not its hear /
    speak / see (kept from its events)."""
    refresh = listed_member_event(listed_room, listed, "resync")
    kept = ("Caller-Caller-ID-Name", "Caller-Caller-ID-Number", "Member-Ghost")
    if (listed.get("flags") or {}).get("hold"):
        kept += HELD_MASKED
    for header in kept:
        refresh.pop(header, None)
    return refresh


def listed_members(listed_room):
    """Real members of a json_list room (recording nodes have no id)."""
    return [m for m in listed_room.get("members", []) if "id" in m and m.get("uuid")]


def own_rooms(listing):
    return [room for room in listing
            if room_identity({"Conference-Name": room.get("conference_name")}) is not None]


def reconcile(state, node, listing, channels=None):
    """Synthetic events that bring subscribers in line with ``listing`` (parsed
    json_list). ``channels`` maps call ids to ``uuid_dump`` headers. Refreshes the
    flags of members that are still there without any event."""
    channels = channels or {}
    listed_rooms = {room["conference_uuid"]: room for room in own_rooms(listing)}
    out = []
    for conference in state.conferences(node):
        listed_room = listed_rooms.get(conference.instance_id)
        if listed_room is None:
            out.extend(room_gone_events(conference, "resync"))
        else:
            out.extend(_reconcile_room(conference, listed_room, channels))
    known = {conference.instance_id for conference in state.conferences(node)}
    for instance_id, listed_room in listed_rooms.items():
        if instance_id not in known:
            out.extend(_new_room_events(listed_room, channels))
    return out


def _reconcile_room(conference, listed_room, channels):
    listed = {m["uuid"]: m for m in listed_members(listed_room)}
    out = []
    for call_id, member in list(conference.members.items()):
        if call_id not in listed:   # gone: the room's size is the switch's count now
            event = member_event(conference, member, "del-member", "resync")
            event["Conference-Size"] = str(listed_room.get("member_count", len(listed)))
            out.append(event)
        else:
            update_member(member, _refresh(listed_room, listed[call_id]))
    for call_id, entry in reversed(listed.items()):      # joining order
        if call_id not in conference.members:
            out.append(listed_member_event(listed_room, entry, "resync", channels.get(call_id)))
    if bool(listed_room.get("locked")) != conference.locked:
        out.append(room_event(conference, "lock" if listed_room.get("locked") else "unlock",
                              "resync"))
    return out


def _new_room_events(listed_room, channels):
    create = {"Event-Name": "CUSTOM", "Event-Subclass": events.MAINTENANCE_SUBCLASS,
              "Action": "conference-create", "Conference-Name": listed_room["conference_name"],
              "Conference-Unique-ID": listed_room["conference_uuid"],
              "Conference-Size": str(listed_room.get("member_count", 0)), SYNTHETIC: "resync"}
    out = [create]
    if listed_room.get("locked"):
        out.append({**create, "Action": "lock"})
    # json_list lists the newest member first: announce them in joining order
    for entry in reversed(listed_members(listed_room)):
        out.append(listed_member_event(listed_room, entry, "resync", channels.get(entry["uuid"])))
    return out


def room_gone_events(conference, reason):
    """del-member for each member, then conference-destroy, each with the size the
    switch's own would carry: the count *after* it (ghosts not counted), 0 at the end."""
    out, left = [], switch_size(conference)
    for member in conference.members.values():
        if member.block.get("Member-Ghost") != "true":
            left -= 1
        event = member_event(conference, member, "del-member", reason)
        event["Conference-Size"] = str(left)
        out.append(event)
    destroy = room_event(conference, "conference-destroy", reason)
    destroy["Conference-Size"] = "0"
    out.append(destroy)
    return out


def node_lost_events(state, node):
    """del-member for every member of the node, then conference-destroy per room."""
    out = []
    for conference in state.conferences(node):
        out.extend(room_gone_events(conference, "node-lost"))
    return out


def unknown_call_ids(state, node, listing):
    """Call ids json_list shows that the state does not know (worth a uuid_dump)."""
    known = {call_id for conference in state.conferences(node) for call_id in conference.members}
    return [m["uuid"] for room in own_rooms(listing) for m in listed_members(room)
            if m["uuid"] not in known]
