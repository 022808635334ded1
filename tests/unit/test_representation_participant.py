"""The live participant representation (kzcore.representations.participant) on a
recorded ``json_list`` reply: exact output, defaults for what json_list leaves out,
nothing of json_list's own leaking, and the schema rejecting what the contract does
not allow."""
from crossbar.live import state
from kzcore.representations.participant import PARTICIPANT, participant
from tests.unit.test_live_state import recorded_list

NODE = "freeswitch@vm"
# DESIGN.md section 3 and seed 002's ``_read_only.participants``
CONTRACT = {"participant_id", "call_id", "caller_id_name", "caller_id_number", "is_moderator",
            "speak", "hear", "talking", "floor", "mute_detect", "energy_level", "current_energy",
            "video", "join_time", "duration", "conference_name", "conference_uuid",
            "switch_hostname"}


def recorded_room():
    (room,) = recorded_list("api_conference_room1_json_list.esl")
    return room


def test_exact_output_for_a_recorded_member():
    room = recorded_room()
    alice = [m for m in room["members"] if m.get("caller_id_name") == "Alice"][0]
    assert participant(alice, room, NODE, now=1000.9) == {
        "participant_id": 7, "call_id": "4e3a53af-5d0b-4128-9add-0b332c2e8239",
        "caller_id_name": "Alice", "caller_id_number": "1001", "is_moderator": False,
        "speak": True, "hear": True, "talking": True, "floor": True, "mute_detect": False,
        "video": False, "is_held": False, "state": "joined", "energy_level": 100,
        "current_energy": None, "join_time": 995, "duration": 5, "conference_name": "room1",
        "conference_uuid": "8ee5b4c3-ee60-4bb0-95dd-2c6994a289a9", "switch_hostname": NODE,
    }


def test_every_contract_field_and_only_declared_ones():
    room = recorded_room()
    for person in state.participants(room, NODE, now=1000):
        assert CONTRACT <= set(person) == set(PARTICIPANT.fields)
        assert PARTICIPANT.validate(person) == {}
    # json_list's own names never leak into the representation
    assert not {"id", "uuid", "flags", "energy", "last_talking", "volume_in"} & set(person)


def test_what_json_list_leaves_out_gets_the_switch_defaults():
    person = participant({"id": 4, "flags": None}, {}, NODE, now=50)
    assert person == {
        "participant_id": 4, "call_id": None, "caller_id_name": None, "caller_id_number": None,
        "is_moderator": False, "speak": True, "hear": True, "talking": False, "floor": False,
        "mute_detect": False, "video": False, "is_held": False, "state": "joined",
        "energy_level": 0, "current_energy": None, "join_time": 50, "duration": 0,
        "conference_name": None, "conference_uuid": None, "switch_hostname": NODE,
    }


def test_held_member_and_dialled_identity():
    member = {"id": 9, "uuid": "u9", "caller_id_name": "Outbound Call", "caller_id_number": "x",
              "flags": {"hold": True, "can_speak": False, "can_hear": False, "is_moderator": 1},
              "join_time": 7}
    person = participant(member, {"conference_uuid": "c"}, NODE, now=100, identity=("Eve", "1005"))
    assert (person["caller_id_name"], person["caller_id_number"]) == ("Eve", "1005")
    assert (person["is_held"], person["state"], person["speak"], person["hear"]) == \
        (True, "on_hold", False, False)
    assert person["is_moderator"] is True          # a flag is a boolean on the wire
    assert (person["join_time"], person["duration"]) == (93, 7)


def test_the_schema_rejects_what_the_contract_does_not_allow():
    person = participant(recorded_room()["members"][0], recorded_room(), NODE, now=1000)
    assert PARTICIPANT.validate({**person, "pin": "1234"}) == {"pin": ["Unknown field."]}
    missing = dict(person)
    del missing["call_id"]
    assert PARTICIPANT.validate(missing) == {"call_id": ["Missing data for required field."]}
    assert set(PARTICIPANT.validate({**person, "speak": None, "join_time": "5",
                                     "participant_id": 1.5})) == {"speak", "join_time",
                                                                  "participant_id"}
    # a room on several nodes names its participants "<node>:<id>" (crossbar.live.split)
    assert PARTICIPANT.validate({**person, "participant_id": "fs1:7"}) == {}
