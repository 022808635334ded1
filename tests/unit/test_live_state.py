"""Participant mapping and conference state from real ``json_list`` replies."""
from crossbar.live import state
from kzcore import fs_replies
from kzcore.esl.frames import FrameParser
from tests.support.paths import fs_fixture

ACCOUNT = "a" * 32
OTHER = "b" * 32


def recorded_list(name):
    (frame,) = FrameParser().feed(fs_fixture(name))
    return fs_replies.parse_json_list(frame.body)


def test_participants_from_recorded_room1():
    (room,) = recorded_list("api_conference_room1_json_list.esl")
    people = state.participants(room, "freeswitch@vm", now=1000)
    assert [p["participant_id"] for p in people] == [9, 8, 7]
    carol, bob, alice = people
    assert bob["is_moderator"] and not carol["is_moderator"]
    assert alice["talking"] and alice["floor"] and not carol["talking"]
    assert carol["speak"] and carol["hear"] and not carol["video"] and not carol["mute_detect"]
    # json_list gives seconds since joining; the API gives the epoch second of joining
    assert carol["duration"] == 3 and carol["join_time"] == 997
    assert alice["call_id"] == "4e3a53af-5d0b-4128-9add-0b332c2e8239"
    assert alice["caller_id_name"] == "Alice" and alice["caller_id_number"] == "1001"
    assert alice["energy_level"] == 100 and alice["current_energy"] == 0
    assert alice["conference_uuid"] == "8ee5b4c3-ee60-4bb0-95dd-2c6994a289a9"
    assert alice["switch_hostname"] == "freeswitch@vm"


def test_state_counts_members_and_moderators():
    (room,) = recorded_list("api_conference_room1_json_list.esl")
    live = state.conference_state(room, "node9", now=10)
    assert (live["members"], live["moderators"], live["admins"]) == (3, 1, 1)
    assert live["duration"] == 5 and live["is_locked"] is False and live["is_recording"] is False
    assert live["focus"] == "node9"


def test_recording_node_is_not_a_participant():
    (room,) = recorded_list("api_conference_room5_json_list_while_recording.esl")
    live = state.conference_state(room, "n", now=10)
    assert live["members"] == 1 and [p["participant_id"] for p in live["participants"]] == [11]
    assert live["is_recording"] is True
    assert state.recording_paths(room) == ["/opt/switch/rec/room5.wav"]


def test_locked_room_reports_locked():
    (room,) = recorded_list("api_conference_room1_json_list_while_locked.esl")
    assert state.conference_state(room, "n", now=0)["is_locked"] is True


def test_muted_members_do_not_speak():
    (room,) = recorded_list("api_conference_room1_json_list_after_mute_all.esl")
    assert [p["speak"] for p in state.participants(room, "n", 0)] == [False, False, False]


def test_find_participant_takes_text_ids_and_ignores_recorders():
    (room,) = recorded_list("api_conference_room5_json_list_while_recording.esl")
    assert state.find_participant(room, "11")["uuid"] == "2c97eab7-05cd-4796-8f63-68d8075be69e"
    assert state.find_participant(room, 11) is not None
    assert state.find_participant(room, "12") is None
    assert state.find_participant(room, "None") is None


def test_account_conferences_only_shows_the_accounts_own_rooms():
    def room(name):
        return {"conference_name": name, "members": []}
    listing = {"n1": [room(f"{ACCOUNT}_c1"), room(f"{OTHER}_c2"), room("room1")],
               "n2": [room(f"{ACCOUNT}_c3"), room(f"{ACCOUNT}x_c4"), room(f"{ACCOUNT}_")]}
    found = state.account_conferences(listing, ACCOUNT)
    assert {cid: node for cid, (node, _) in found.items()} == {"c1": "n1", "c3": "n2"}
    assert state.account_conferences(listing, OTHER).keys() == {"c2"}
