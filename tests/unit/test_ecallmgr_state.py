"""Live state and resync (reconcile with json_list, node loss) on recorded replies."""
import copy

from ecallmgr import resync
from ecallmgr.normalize import normalize
from ecallmgr.state import LiveState
from kzcore.esl.frames import FrameParser, parse_headers
from kzcore.fs_replies import parse_json_list
from tests.support.paths import fs_fixture

ACCOUNT = "9d351ad7ffd6f846313af9eed3bb7b85"
NODE = "freeswitch@vm"


def api_body(name):
    frames = FrameParser().feed(fs_fixture(name))
    return [f for f in frames if f.content_type == "api/response"][0].body


def listing(name):
    rooms = parse_json_list(api_body(name))
    for room in rooms:
        room["conference_name"] = f"{ACCOUNT}_{room['conference_name']}"
    return rooms


def member_event(room, member_id, uuid, action="add-member", name="X", **flags):
    event = {"Event-Name": "CUSTOM", "Event-Subclass": "conference::maintenance",
             "Action": action, "Conference-Name": room["conference_name"],
             "Conference-Unique-ID": room["conference_uuid"], "Member-ID": str(member_id),
             "Unique-ID": uuid, "Caller-Caller-ID-Name": name, "Caller-Caller-ID-Number": "1",
             "Speak": "true", "Hear": "true", "Talking": "false", "Floor": "false",
             "Member-Type": "member", "Energy-Level": "100"}
    event.update(flags)
    return event


def state_knowing(room, members):
    """A state that saw conference-create and add-member for ``members`` (id, uuid)."""
    state = LiveState()
    state.apply(NODE, {"Event-Subclass": "conference::maintenance", "Action": "conference-create",
                       "Conference-Name": room["conference_name"],
                       "Conference-Unique-ID": room["conference_uuid"]})
    for member_id, uuid in members:
        state.apply(NODE, member_event(room, member_id, uuid, name=f"m{member_id}"))
    return state


def actions(synthetic):
    return [(e["Action"], e.get("Member-ID")) for e in synthetic]


def test_known_members_still_there_give_no_event_and_fresh_flags():
    rooms = listing("api_conference_room1_json_list.esl")
    room = rooms[0]
    state = state_knowing(room, [(m["id"], m["uuid"]) for m in room["members"]])
    assert resync.reconcile(state, NODE, rooms) == []
    alice = state.conference(NODE, room["conference_uuid"]).members[room["members"][2]["uuid"]]
    assert alice.block["Talking"] == "true" and alice.block["Floor"] == "true"
    bob = state.conference(NODE, room["conference_uuid"]).members[room["members"][1]["uuid"]]
    assert bob.is_moderator and bob.caller_id_name == "m8"   # caller ids not overwritten


def test_a_resync_keeps_what_json_list_cannot_tell_of_known_members():
    """json_list lists a ghost with no ghost flag (round4 json_list_with_ghost) and masks
    a held member's hear / speak (round2 json_list_member_on_hold): known members keep
    what their events said, and a synthetic room event counts without ghosts."""
    rooms = listing("round4/json_list_with_ghost.esl")
    room = rooms[0]
    ghost = next(m for m in room["members"] if m["caller_id_number"] == "4007")
    state = state_knowing(room, [(m["id"], m["uuid"]) for m in room["members"]
                                 if m is not ghost])
    state.apply(NODE, member_event(room, ghost["id"], ghost["uuid"], **{"Member-Ghost": "true"}))
    conference = state.conference(NODE, room["conference_uuid"])
    conference.locked = True                     # the listing says unlocked: one room event
    (unlock,) = resync.reconcile(state, NODE, rooms)
    assert unlock["Action"] == "unlock" and unlock["Conference-Size"] == "5"
    assert unlock["Conference-Size"] == str(room["member_count"])
    assert conference.members[ghost["uuid"]].block["Member-Ghost"] == "true"

    held_rooms = listing("round2/api_conference_room1_json_list_member_on_hold.esl")
    held_room = held_rooms[0]
    held = next(m for m in held_room["members"] if m["flags"]["hold"])
    state = state_knowing(held_room, [(m["id"], m["uuid"]) for m in held_room["members"]])
    state.apply(NODE, member_event(held_room, held["id"], held["uuid"], action="hold-member",
                                   Hold="true"))
    assert resync.reconcile(state, NODE, held_rooms) == []
    block = state.conference(NODE, held_room["conference_uuid"]).members[held["uuid"]].block
    assert (block["Hold"], block["Speak"], block["Hear"]) == ("true", "true", "true")


def test_unknown_and_gone_members():
    rooms = listing("api_conference_room1_json_list.esl")
    room = rooms[0]
    carol, bob, _alice = room["members"]
    state = state_knowing(room, [(bob["id"], bob["uuid"]), (99, "gone-uuid")])
    synthetic = resync.reconcile(state, NODE, rooms)
    assert actions(synthetic) == [("del-member", "99"), ("add-member", "7"), ("add-member", "9")]
    assert all(e[resync.SYNTHETIC] == "resync" for e in synthetic)
    # the synthetic add-member goes through the same path as a real one
    applied = state.apply(NODE, synthetic[1])
    _, payload = normalize(synthetic[1], node="n", focus=NODE, msg_id="x",
                           member=applied.member, conference=applied.conference)
    assert (payload["caller_id_name"], payload["caller_id_number"]) == ("Alice", "1001")
    assert (payload["talking"], payload["floor"], payload["participant_id"]) == (True, True, 7)
    assert payload["instance_id"] == room["conference_uuid"] and payload["event"] == "add-member"


def test_applying_the_resync_twice_adds_nothing_more():
    rooms = listing("api_conference_room1_json_list.esl")
    state = LiveState()
    first = resync.reconcile(state, NODE, rooms)
    assert [a for a, _ in actions(first)] == ["conference-create"] + ["add-member"] * 3
    # joining order: json_list lists the newest first
    assert [e["Member-ID"] for e in first[1:]] == ["7", "8", "9"]
    for event in first:
        state.apply(NODE, event)
    assert resync.reconcile(state, NODE, rooms) == []


def test_vanished_conference_is_destroyed_after_its_members():
    room = listing("api_conference_room1_json_list.esl")[0]
    state = state_knowing(room, [(1, "u1"), (2, "u2")])
    synthetic = resync.reconcile(state, NODE, [])
    assert actions(synthetic) == [("del-member", "1"), ("del-member", "2"),
                                  ("conference-destroy", None)]
    for event in synthetic:
        state.apply(NODE, event)
    assert state.conferences(NODE) == []


def test_recording_nodes_are_not_members():
    rooms = listing("api_conference_room5_json_list_while_recording.esl")
    synthetic = resync.reconcile(LiveState(), NODE, rooms)
    raw = parse_json_list(api_body("api_conference_room5_json_list_while_recording.esl"))
    listed = [m for m in raw[0]["members"] if "id" in m]
    assert len(listed) < len(raw[0]["members"])          # the fixture has a recording_node
    assert [a for a, _ in actions(synthetic)].count("add-member") == len(listed)


def test_foreign_rooms_are_ignored():
    rooms = parse_json_list(api_body("api_conference_room1_json_list.esl"))  # plain "room1"
    assert resync.reconcile(LiveState(), NODE, rooms) == []


def test_lock_state_is_reconciled():
    rooms = listing("api_conference_room1_json_list_while_locked.esl")
    assert rooms[0]["locked"] is True
    state = state_knowing(rooms[0], [(m["id"], m["uuid"]) for m in rooms[0]["members"]])
    assert actions(resync.reconcile(state, NODE, rooms)) == [("lock", None)]


def test_dialled_member_completed_from_uuid_dump():
    rooms = listing("round2/api_conference_room1_json_list_after_bgdial.esl")
    dialled = [m for m in rooms[0]["members"] if m["caller_id_name"] == "Outbound Call"][0]
    dump_frames = FrameParser().feed(fs_fixture("round3/api_uuid_dump_member_user_1000.esl"))
    dump = parse_headers([f for f in dump_frames if f.content_type == "api/response"][0].body,
                         decode=True)
    state = LiveState()
    assert dialled["uuid"] in resync.unknown_call_ids(state, NODE, rooms)
    synthetic = resync.reconcile(state, NODE, rooms, channels={dialled["uuid"]: dump})
    event = [e for e in synthetic if e.get("Unique-ID") == dialled["uuid"]][0]
    _, payload = normalize(event, node="n", focus=NODE, msg_id="x")
    assert (payload["caller_id_name"], payload["caller_id_number"]) == ("Alice", "1000")
    assert payload["channel_presence_id"] == "1000@rig.test"
    assert payload["participant_id"] == dialled["id"] and payload["call_id"] == dialled["uuid"]


def test_node_lost_removes_every_room_and_member():
    rooms = listing("api_conference_room1_json_list.esl")
    second = copy.deepcopy(rooms[0])
    second["conference_name"] = f"{ACCOUNT}_room2"
    second["conference_uuid"] = "other-instance"
    state = LiveState()
    for event in resync.reconcile(state, NODE, rooms + [second]):
        state.apply(NODE, event)
    state.apply("freeswitch@other", member_event(rooms[0], 1, "elsewhere"))
    lost = resync.node_lost_events(state, NODE)
    assert [a for a, _ in actions(lost)] == (["del-member"] * 3 + ["conference-destroy"]) * 2
    assert all(e[resync.SYNTHETIC] == "node-lost" for e in lost)
    for event in lost:
        state.apply(NODE, event)
    assert state.conferences(NODE) == [] and state.member_count() == 1


def test_floor_moves_between_members():
    room = listing("api_conference_room1_json_list.esl")[0]
    state = state_knowing(room, [(1, "u1"), (2, "u2")])
    state.apply(NODE, member_event(room, 1, "u1", action="floor-change", **{"New-ID": "1",
                                                                              "Floor": "true"}))
    state.apply(NODE, member_event(room, 2, "u2", action="floor-change", **{"Old-ID": "1",
                                                                              "New-ID": "2",
                                                                              "Floor": "true"}))
    members = state.conference(NODE, room["conference_uuid"]).members
    assert (members["u1"].block["Floor"], members["u2"].block["Floor"]) == ("false", "true")


def test_channel_variables_seen_before_joining_are_kept():
    room = listing("api_conference_room1_json_list.esl")[0]
    state = state_knowing(room, [])
    state.apply(NODE, {"Event-Name": "CHANNEL_CREATE", "Unique-ID": "u9",
                       "variable_kz_owner_id": "o1", "variable_presence_id": "9@realm"})
    applied = state.apply(NODE, member_event(room, 9, "u9"))
    assert applied.member.variables == {"owner_id": "o1"}
    assert applied.member.presence_id == "9@realm"
    state.apply(NODE, {"Event-Name": "CHANNEL_HANGUP_COMPLETE", "Unique-ID": "u9"})
    gone = state.apply(NODE, member_event(room, 9, "u9", action="del-member"))
    assert gone.member.variables == {"owner_id": "o1"}
    assert state.conference(NODE, room["conference_uuid"]).members == {}


def test_repeats_of_what_a_resync_announced_are_recognised():
    room = listing("api_conference_room1_json_list.esl")[0]
    state = state_knowing(room, [(1, "u1")])
    assert state.apply(NODE, member_event(room, 1, "u1")).is_repeat          # add again
    assert not state.apply(NODE, member_event(room, 2, "u2")).is_repeat      # new member
    assert not state.apply(NODE, member_event(room, 2, "u2", action="mute-member")).is_repeat
    assert not state.apply(NODE, member_event(room, 2, "u2", action="del-member")).is_repeat
    assert state.apply(NODE, member_event(room, 2, "u2", action="del-member")).is_repeat
    create = {"Event-Subclass": "conference::maintenance", "Action": "conference-create",
              "Conference-Name": room["conference_name"],
              "Conference-Unique-ID": room["conference_uuid"]}
    assert state.apply(NODE, create).is_repeat
    destroy = {**create, "Action": "conference-destroy"}
    assert not state.apply(NODE, destroy).is_repeat
    assert state.apply(NODE, destroy).is_repeat


# -- the stream worker, driven without sockets (MemoryBus, scripted api) ------------
import json  # noqa: E402

import gevent  # noqa: E402

from ecallmgr import stream as stream_module  # noqa: E402
from ecallmgr.stream import EventStream  # noqa: E402
from kzcore.bus.memory import MemoryBus  # noqa: E402


class FakeClient:
    name = NODE


def switch_events_only(published):
    """Records ``published`` except the lifecycle messages ecallmgr derives
    (ecallmgr.lifecycle, tested in test_ecallmgr_lifecycle)."""
    from kzcore.lifecycle import LIFECYCLE_EVENTS

    def record(key, payload):
        if payload.get("event") not in LIFECYCLE_EVENTS:
            published.append(payload)
    return record


def make_stream(replies, lifecycle=False, **options):
    """A stream whose api answers json_list with ``replies`` in turn (exceptions raised);
    ``published`` holds the switch's events (and the derived ones with ``lifecycle``)."""
    bus, published = MemoryBus(), []
    bus.start(["#"], (lambda key, payload: published.append(payload)) if lifecycle
              else switch_events_only(published))
    answers = iter(replies)

    def api(node, command, timeout=None):
        if command.startswith("uuid_dump"):
            return "-ERR No such channel!\n"
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    stream = EventStream(publisher=bus, node="ecallmgr@unit", api=api, **options).start()
    return stream, bus, published


def settle(stream, bus):
    assert stream.drain(2) and bus.flush(2)


def test_stream_events_racing_a_resync_are_not_published_twice():
    rooms = listing("api_conference_room1_json_list.esl")
    room = rooms[0]
    stream, bus, published = make_stream([json.dumps(rooms)])
    carol, _bob, alice = room["members"]
    stream.on_connect(FakeClient())
    # queued behind the resync, but already part of the json_list it reads
    stream.on_event(FakeClient(), member_event(room, alice["id"], alice["uuid"], name="Alice"))
    stream.on_event(FakeClient(), member_event(room, carol["id"], carol["uuid"],
                                               action="mute-member", name="Carol"))
    settle(stream, bus)
    assert [p["event"] for p in published] == ["conference-create", "add-member", "add-member",
                                               "add-member", "mute-member"]
    assert stream.counts["repeats_suppressed"] == 1


def test_stream_retries_a_failed_resync(monkeypatch):
    monkeypatch.setattr(stream_module, "RESYNC_RETRY", 0.05)
    rooms = listing("api_conference_room1_json_list.esl")
    stream, bus, published = make_stream([OSError("no reply"), json.dumps(rooms)])
    stream.on_connect(FakeClient())
    wait = gevent.Timeout(2, AssertionError("no second attempt"))
    with wait:
        while stream.counts["resyncs"] < 1:
            gevent.sleep(0.02)
    settle(stream, bus)
    assert stream.counts["resync_failed"] == 1
    assert [p["event"] for p in published].count("add-member") == 3


def test_stream_grace_period_and_quick_return():
    rooms = listing("api_conference_room1_json_list.esl")
    stream, bus, published = make_stream([json.dumps(rooms)] * 3, grace=0.1)
    stream.on_connect(FakeClient())
    settle(stream, bus)
    stream.on_disconnect(FakeClient())
    gevent.sleep(0.02)
    stream.on_connect(FakeClient())           # back within the grace period
    gevent.sleep(0.2)
    settle(stream, bus)
    assert [p["event"] for p in published].count("del-member") == 0
    stream.on_disconnect(FakeClient())        # away for good this time
    gevent.sleep(0.25)
    settle(stream, bus)
    events = [p["event"] for p in published]
    assert events[-4:] == ["del-member"] * 3 + ["conference-destroy"]
    assert stream.counts["nodes_expired"] == 1 and stream.state.member_count() == 0


def test_stream_filter_applies_to_participant_events_only():
    """... and not to the lifecycle events, which the lifecycle service needs."""
    rooms = listing("api_conference_room1_json_list.esl")
    stream, bus, published = make_stream([json.dumps(rooms)], lifecycle=True,
                                         participant_events=frozenset({"del-member"}))
    stream.on_connect(FakeClient())
    settle(stream, bus)
    assert [p["event"] for p in published] == ["conference-create", "conference-started",
                                               "joined", "joined", "joined"]
    assert stream.counts["filtered"] == 3
