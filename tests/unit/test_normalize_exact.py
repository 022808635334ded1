"""ecallmgr.normalize field by field: the exact payloads of a participant event, a room
event and a participant's own recording (what subscribers of another service read;
killing the mutants bench/mutation.py found alive, tests/MUTATION.md)."""
from types import SimpleNamespace

import pytest

import kzcore
from ecallmgr import normalize as n

ACCOUNT, CONF = "9d351ad7ffd6f846313af9eed3bb7b85", "c0ffee"
ROOM = f"{ACCOUNT}_{CONF}"
OPTS = {"node": "ecallmgr@t", "focus": "freeswitch@vm", "msg_id": "m1"}


def envelope(event_name, action):
    return {"event": action, "node": "ecallmgr@t", "msg_id": "m1", "event_name": event_name,
            "event_category": "conference", "app_version": kzcore.APP_VERSION,
            "app_name": "ecallmgr", "routing_key": event_name}


MEMBER_EVENT = {
    "Event-Name": "CUSTOM", "Action": "add-member", "Conference-Name": ROOM,
    "Conference-Unique-ID": "inst-1", "Member-ID": "7", "Unique-ID": "call-7",
    "Caller-Caller-ID-Name": "Alice", "Caller-Caller-ID-Number": "1001",
    "Channel-Presence-ID": "1001@example", "Mute-Detect": "false", "Video": "true",
    "Energy-Level": "100", "Current-Energy": "42", "Talking": "true", "Speak": "true",
    "Hear": "false", "Floor": "true", "variable_kz_owner_id": "u1",
    "variable_ecallmgr_Account-ID": "spoofed",
}


def test_a_participant_event_has_exactly_these_values():
    key, payload = n.normalize(dict(MEMBER_EVENT), **OPTS)
    assert key == f"conference.event.{CONF}.call-7"
    assert payload == {
        "custom_channel_vars": {"owner_id": "u1", "account_id": ACCOUNT},
        "channel_presence_id": "1001@example", "caller_id_number": "1001",
        "caller_id_name": "Alice", "mute_detect": False, "video": True, "energy_level": 100,
        "current_energy": 42, "talking": True, "speak": True, "hear": False, "floor": True,
        "participant_id": 7, "instance_id": "inst-1", "conference_id": CONF,
        "focus": "freeswitch@vm", "call_id": "call-7", "account_id": ACCOUNT,
        **envelope("participant_event", "add-member")}


def test_a_member_event_needs_both_the_member_and_the_call():
    for missing in ("Member-ID", "Unique-ID"):
        event = {k: v for k, v in MEMBER_EVENT.items() if k != missing}
        assert n.is_member_event(event) is False
        assert n.normalize(event, **OPTS) is None
    assert n.is_member_event(MEMBER_EVENT) is True


def test_the_member_record_fills_what_the_event_lacks():
    member = SimpleNamespace(caller_id_name="Rec Name", caller_id_number="2002",
                             variables={"owner_id": "u9"}, presence_id="p@x")
    event = {k: v for k, v in MEMBER_EVENT.items()
             if k not in ("Caller-Caller-ID-Name", "Caller-Caller-ID-Number", "Channel-Presence-ID")}
    _, payload = n.normalize(event, member=member, **OPTS)
    assert (payload["caller_id_name"], payload["caller_id_number"]) == ("Rec Name", "2002")
    assert payload["channel_presence_id"] == "p@x"
    assert payload["custom_channel_vars"] == {"owner_id": "u9", "account_id": ACCOUNT}
    assert n.caller_id(MEMBER_EVENT, member) == ("Alice", "1001")     # the event's own win
    assert n.caller_id({}, None) == (None, None)


def test_numbers_fall_back_to_their_default():
    assert n.number({}, "X") == 0
    assert n.number({"X": "abc"}, "X") == 0
    assert n.number({"X": None}, "X", 5) == 5
    assert n.number({"X": "12"}, "X") == 12


@pytest.mark.parametrize("variable, expected", [
    ("kz_owner_id", "owner_id"), ("ecallmgr_Account-ID", "account_id"), ("kz_", None),
    ("ecallmgr_", None), ("other_x", None),
])
def test_custom_channel_variable_names(variable, expected):
    assert n.ccv_name(variable) == expected


def test_channel_vars_are_found_wherever_the_header_is():
    headers = {"Event-Name": "CHANNEL_ANSWER", "Unique-ID": "u", "variable_kz_owner_id": "u1",
               "variable_kz_": "nameless", "variable_other": "x"}
    assert n.channel_vars(headers) == {"owner_id": "u1"}
    assert n.channel_vars({"Event-Name": "x", "variable_other": "y"}) == {}
    assert n.channel_vars({"variable_kz_owner_id": "u2", "Event-Name": "x"}) == {"owner_id": "u2"}


def test_presence_falls_back_to_the_channel_variable():
    assert n.presence_id({"variable_presence_id": "v@x"}) == "v@x"
    assert n.presence_id({"Channel-Presence-ID": "c@x", "variable_presence_id": "v@x"}) == "c@x"


def test_volume_out_carries_its_level():
    event = dict(MEMBER_EVENT, Action="volume-out-member", **{"Volume-Level": "-2"})
    assert n.normalize(event, **OPTS)[1]["volume_level"] == -2


ROOM_EVENT = {"Event-Name": "CUSTOM", "Conference-Name": ROOM, "Conference-Unique-ID": "inst-1",
              "Conference-Size": "3"}


@pytest.mark.parametrize("action, locked", [("lock", True), ("unlock", False), ("play-file", None)])
def test_a_room_event_has_exactly_these_values(action, locked):
    key, payload = n.normalize(dict(ROOM_EVENT, Action=action), **OPTS)
    assert key == f"conference.event.{CONF}.conference"
    assert payload == {"conference_id": CONF, "account_id": ACCOUNT, "instance_id": "inst-1",
                       "focus": "freeswitch@vm", "conference_size": 3, "locked": locked,
                       "recording": None, **envelope("conference_event", action)}


def test_the_room_record_decides_locked_and_recording():
    conference = SimpleNamespace(locked=False, recordings={"/r.wav": {}})
    _, payload = n.normalize(dict(ROOM_EVENT, Action="lock"), conference=conference, **OPTS)
    assert (payload["locked"], payload["recording"]) == (False, True)


def test_room_details_are_converted_and_kept_raw_when_unreadable():
    event = {"Path": "/p.wav", "Async": "true", "Text": "hi", "Result": "SUCCESS",
             "Job-UUID": "j", "Peer-UUID": "c", "Milliseconds-Elapsed": "1500",
             "Record-File-Size": "2048", "Other-Recordings": "false", "Old-ID": "none",
             "New-ID": "9", "seconds": "3", "milliseconds": "3000", "Error": "cannot open"}
    assert n.room_details(event) == {
        "file": "/p.wav", "async": True, "text": "hi", "result": "SUCCESS", "job_uuid": "j",
        "call_id": "c", "milliseconds_elapsed": 1500, "record_file_size": 2048,
        "other_recordings": False, "old_participant_id": None, "new_participant_id": 9,
        "seconds": 3, "milliseconds": 3000, "error": "cannot open"}
    assert n.room_details({"Async": "false", "Other-Recordings": "true", "Old-ID": "4",
                           "seconds": "soon", "File": "/f.wav"}) == {
        "async": False, "other_recordings": True, "old_participant_id": 4, "seconds": "soon",
        "file": "/f.wav"}


RECORD_STOP = {"Event-Name": "RECORD_STOP", "variable_conference_name": ROOM,
               "variable_conference_member_id": "7", "Unique-ID": "call-7",
               "Caller-Caller-ID-Name": "Alice", "Caller-Caller-ID-Number": "1001",
               "variable_conference_uuid": "inst-1", "Record-File-Path": "/rec/abc.wav",
               "variable_record_ms": "1500", "variable_record_file_size": "2048",
               "Record-Completion-Cause": "success"}


def test_a_participant_recording_has_exactly_these_values():
    key, payload = n.channel_recording(RECORD_STOP, **OPTS)
    assert key == f"conference.event.{CONF}.call-7"
    assert payload == {"conference_id": CONF, "account_id": ACCOUNT, "focus": "freeswitch@vm",
                       **envelope("conference_event", "recording-stopped"),
                       "participant_id": 7, "call_id": "call-7", "caller_id_name": "Alice",
                       "caller_id_number": "1001", "instance_id": "inst-1",
                       "recording_id": "abc", "name": "abc.wav", "milliseconds_elapsed": 1500,
                       "record_file_size": 2048, "completion_cause": "success"}


def test_recordings_of_channels_outside_our_rooms_are_not_published():
    assert n.channel_recording(dict(RECORD_STOP, variable_conference_name="room1"), **OPTS) is None
    assert n.channel_recording({"Event-Name": "RECORD_STOP"}, **OPTS) is None
