"""Participant mapping and conference state from real ``json_list`` replies."""
from crossbar.live import state
from kzcore import fs_replies
from kzcore.esl.frames import FrameParser
from tests.support.paths import fs_fixture

ACCOUNT = "a" * 32
OTHER = "b" * 32


def recorded_list(name):
    """The json_list reply of a recording (round 4 files hold the banner and auth first)."""
    frame = [f for f in FrameParser().feed(fs_fixture(name)) if f.content_type == "api/response"][-1]
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
    assert alice["energy_level"] == 100
    assert alice["current_energy"] is None          # json_list has none (the events do)
    assert alice["conference_uuid"] == "8ee5b4c3-ee60-4bb0-95dd-2c6994a289a9"
    assert alice["switch_hostname"] == "freeswitch@vm"


def test_state_counts_members_and_moderators():
    (room,) = recorded_list("api_conference_room1_json_list.esl")
    live = state.conference_state(room, "node9", now=10)
    assert (live["members"], live["moderators"], live["admins"]) == (3, 1, 1)
    assert live["duration"] == 5 and live["is_locked"] is False and live["is_recording"] is False
    assert live["focus"] == "node9"


def test_ghosts_are_listed_but_counted_apart_as_the_switch_counts_them():
    """round4: 4007 joined as a ghost; json_list lists six callers with no ghost flag,
    member_count 5 and ghost_count 1, and list count / get count answer 5."""
    (room,) = recorded_list("round4/json_list_with_ghost.esl")
    live = state.conference_state(room, "vm", now=100)
    assert len(live["participants"]) == 6 and "4007" in [
        p["caller_id_number"] for p in live["participants"]]
    switch_counts = {fs_replies.check(FrameParser().feed(fs_fixture(name))[-1].text(), name)
                     for name in ("round4/list_count_with_ghost.esl",
                                  "round4/get_count_with_ghost.esl")}
    assert switch_counts == {"5"}
    assert (live["members"], live["ghosts"], live["moderators"]) == (5, 1, 1)
    (plain,) = recorded_list("api_conference_room1_json_list.esl")
    assert state.conference_state(plain, "vm", now=10)["ghosts"] == 0


def test_a_held_member_is_listed_as_neither_speaking_nor_hearing():
    """round2: member 15 on hold; json_list masks can_speak / can_hear with hold."""
    (room,) = recorded_list("round2/api_conference_room1_json_list_member_on_hold.esl")
    people = {p["participant_id"]: p for p in state.participants(room, "vm", now=0)}
    held, other = people[15], people[23]
    assert held["is_held"] and not held["speak"] and not held["hear"] and held["floor"]
    assert not other["is_held"] and other["hear"] and other["is_moderator"]


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
    assert {cid: [node for node, _ in copies] for cid, copies in found.items()} == {
        "c1": ["n1"], "c3": ["n2"]}
    assert state.account_conferences(listing, OTHER).keys() == {"c2"}


def test_account_conferences_keeps_every_nodes_copy_of_a_room():
    def room(name, size):
        return {"conference_name": name, "member_count": size, "members": []}
    listing = {"n1": [room(f"{ACCOUNT}_c1", 2)], "n2": [room(f"{ACCOUNT}_c1", 3)]}
    (copies,) = state.account_conferences(listing, ACCOUNT).values()
    assert [(node, conference["member_count"]) for node, conference in copies] == [
        ("n1", 2), ("n2", 3)]
