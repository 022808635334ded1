"""FreeSWITCH conference event -> Kazoo event (PURE).

Input: an ESL event dict as ``kzcore.esl.frames.parse_event_plain`` returns it
(URL-decoded headers, ``variable_*`` when the profile is verbose), the member and
conference records ecallmgr already knows, and who is asking. Output: the AMQP
routing key and the payload of seed 002 (participant events) or the
conference-level payload. Rooms whose FreeSWITCH name this system did not build
(``{account_id}_{conference_id}``) give None.

The payloads' shapes are kzcore.representations.participant_event and
.conference_event. They are built here as plain dicts, not dumped through the
schemas: this is the event hot path and a dump costs about ten times what
building the dict does (bench/representations.py); tests/unit/
test_representation_events.py holds every payload to its schema instead.
"""
import functools

import kzcore
from kzcore.bus.keys import (conference_routing_key, participant_routing_key,  # noqa: F401
                             routing_word)
from kzcore.dialled import dialled_party  # noqa: F401 - one rule with the API's lists
from kzcore.naming import parse_fs_conference_name

from ecallmgr import events, recording_events

TRUE = "true"


def flag(event, header):
    return event.get(header) == TRUE


def number(event, header, default=0):
    try:
        return int(event.get(header, default))
    except (TypeError, ValueError):
        return default


def room_identity(event):
    """(account_id, conference_id) of the event's room, or None for foreign rooms."""
    return _room_identity(event.get("Conference-Name"))


@functools.lru_cache(maxsize=65536)
def _room_identity(name):
    # hot path: every event of a room carries the same name
    return parse_fs_conference_name(name)


def is_member_event(event):
    return "Member-ID" in event and "Unique-ID" in event


def caller_id(event, member=None):
    """(name, number): a dialled leg shows "Outbound Call"; the dialled party is the callee."""
    name = event.get("Caller-Caller-ID-Name")
    num = event.get("Caller-Caller-ID-Number")
    if name == events.OUTBOUND_CALLER_NAME:
        name, num = dialled_party(event, num)
    if member is not None:
        name = name if name is not None else member.caller_id_name
        num = num if num is not None else member.caller_id_number
    return name, num


_CCV_HEADERS = tuple("variable_" + prefix for prefix in events.CCV_PREFIXES)


def ccv_name(variable):
    """``kz_owner_id`` -> ``owner_id``; ``ecallmgr_Account-ID`` -> ``account_id``; else None."""
    for prefix in events.CCV_PREFIXES:
        if variable.startswith(prefix) and len(variable) > len(prefix):
            return variable[len(prefix):].replace("-", "_").lower()
    return None


def channel_vars(headers):
    """Custom channel variables found in ``variable_*`` headers."""
    names = "\n" + "\n".join(headers)     # hot path: most events carry none (C-speed test)
    if not any("\n" + prefix in names for prefix in _CCV_HEADERS):
        return {}
    return {ccv_name(header[len("variable_"):]): value for header, value in headers.items()
            if header.startswith(_CCV_HEADERS) and ccv_name(header[len("variable_"):])}


def presence_id(headers):
    return headers.get("Channel-Presence-ID") or headers.get("variable_presence_id")


def custom_channel_vars(event, member, account_id):
    # a member record already holds this event's variables (the state applied it first)
    ccvs = dict(member.variables) if member is not None else channel_vars(event)
    ccvs["account_id"] = account_id  # the room decides, whatever a variable says
    return ccvs


def _envelope(event_name, action, node, msg_id):
    return {"event": action, "node": node, "msg_id": msg_id, "event_name": event_name,
            "event_category": events.EVENT_CATEGORY, "app_version": kzcore.APP_VERSION,
            "app_name": events.APP_NAME, "routing_key": event_name}


def room_id_of(name, account_id):
    """The conference id a room name (``transfer``'s ``New-Conference-Name`` may read
    ``<room>@<profile>+flags{...}``) names within ``account_id``; None for any other."""
    owner = _room_identity((name or "").partition("@")[0])
    return owner[1] if owner is not None and owner[0] == account_id else None


def member_details(event, account_id):
    """What some member events say beyond the member block (round2 transfer, round4
    hold_member_moh / unhold_member / dtmf_member / volume_in)."""
    action = event.get("Action")
    if action == "transfer":
        return {"moved_from": room_id_of(event.get("Old-Conference-Name"), account_id),
                "moved_to": room_id_of(event.get("New-Conference-Name"), account_id)}
    if action in ("hold-member", "unhold-member"):
        return {"hold": flag(event, "Hold")}
    if action == "dtmf-member":
        return {"digits": event.get("Digits")}
    if action in ("volume-in-member", "volume-out-member"):
        return {"volume_level": number(event, "Volume-Level")}
    return {}


def participant_payload(event, identity, *, node, focus, msg_id, member=None):
    account_id, conference_id = identity
    name, num = caller_id(event, member)
    payload = {
        "custom_channel_vars": custom_channel_vars(event, member, account_id),
        "channel_presence_id": presence_id(event) or (member.presence_id if member else None),
        "caller_id_number": num,
        "caller_id_name": name,
        "mute_detect": flag(event, "Mute-Detect"),
        "video": flag(event, "Video"),
        "energy_level": number(event, "Energy-Level"),
        "current_energy": number(event, "Current-Energy"),
        "talking": flag(event, "Talking"),
        "speak": flag(event, "Speak"),
        "hear": flag(event, "Hear"),
        "floor": flag(event, "Floor"),
        "participant_id": number(event, "Member-ID", None),
        "instance_id": event.get("Conference-Unique-ID"),
        "conference_id": conference_id,
        "focus": focus,
        "call_id": event.get("Unique-ID"),
    }
    payload.update(_envelope(events.PARTICIPANT_EVENT_NAME, event.get("Action"), node, msg_id))
    payload["account_id"] = account_id
    payload.update(member_details(event, account_id))
    return payload


# Conference-level headers worth passing on: header -> (field, converter)
_ROOM_DETAILS = {
    "File": ("file", str), "Path": ("file", str), "Async": ("async", lambda v: v == TRUE),
    "Text": ("text", str), "Result": ("result", str), "Job-UUID": ("job_uuid", str),
    "Peer-UUID": ("call_id", str), "Milliseconds-Elapsed": ("milliseconds_elapsed", int),
    "Record-File-Size": ("record_file_size", int), "Other-Recordings": ("other_recordings",
                                                                        lambda v: v == TRUE),
    "Old-ID": ("old_participant_id", lambda v: None if v == "none" else int(v)),
    "New-ID": ("new_participant_id", lambda v: None if v == "none" else int(v)),
    "seconds": ("seconds", int), "milliseconds": ("milliseconds", int),
    # start-recording of a file FreeSWITCH could not open (round4 recording_start_unwritable)
    "Error": ("error", str),
}


def room_details(event):
    details = {}
    for header, (field, convert) in _ROOM_DETAILS.items():
        if header in event:
            try:
                details[field] = convert(event[header])
            except ValueError:
                details[field] = event[header]
    return details


def conference_payload(event, identity, *, node, focus, msg_id, conference=None):
    account_id, conference_id = identity
    action = event.get("Action")
    locked = conference.locked if conference is not None else (
        True if action == "lock" else False if action == "unlock" else None)
    payload = {
        "conference_id": conference_id,
        "account_id": account_id,
        "instance_id": event.get("Conference-Unique-ID"),
        "focus": focus,
        "conference_size": number(event, "Conference-Size"),
        "locked": locked,
        "recording": bool(conference.recordings) if conference is not None else None,
    }
    payload.update(room_details(event))
    payload.update(_envelope(events.CONFERENCE_EVENT_NAME, action, node, msg_id))
    if action in recording_events.ROOM_ACTIONS:
        recording_events.room_recording(payload, event)
    return payload


def channel_recording(event, *, node, focus, msg_id):
    """(routing_key, payload) of a participant's RECORD_START / RECORD_STOP, or None
    (a channel in no conference of ours)."""
    fields = recording_events.channel_recording(event)
    identity = _room_identity(fields["room"]) if fields else None
    if identity is None:
        return None
    account_id, conference_id = identity
    fields.pop("room")
    payload = {"conference_id": conference_id, "account_id": account_id, "focus": focus}
    payload.update(_envelope(events.CONFERENCE_EVENT_NAME, fields["event"], node, msg_id))
    payload.update(fields)
    return participant_routing_key(conference_id, payload["call_id"]), payload


def normalize(event, *, node, focus, msg_id, member=None, conference=None):
    """(routing_key, payload) for a conference::maintenance event, or None when the
    event is not one ecallmgr publishes (foreign room, unknown action)."""
    action = event.get("Action")
    identity = room_identity(event)
    if identity is None or not events.is_known(action):
        return None
    if events.is_participant_action(action) and is_member_event(event):
        payload = participant_payload(event, identity, node=node, focus=focus, msg_id=msg_id,
                                      member=member)
        return participant_routing_key(identity[1], payload["call_id"]), payload
    if action in events.CONFERENCE_EVENTS:
        payload = conference_payload(event, identity, node=node, focus=focus, msg_id=msg_id,
                                     conference=conference)
        return conference_routing_key(identity[1]), payload
    return None
