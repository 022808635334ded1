"""Finding a room over two simulator nodes (TCP), without the room cache's hint
(this rig does not watch the nodes' events, and crossbar remembers rooms only
while it does: test_live_room_cache.py): every command and every read asks
every node where the room runs (a room may run on two: test_live_focus.py), so a
room that moved to the other node is commanded there, a room gone everywhere
gives the usual 404 / 409, and a node that is down leaves the others answering."""
import time

import pytest

from tests.integration.test_live_support import rig  # noqa: F401 (fixture)

pytestmark = pytest.mark.timeout(60)


def member_action(rig, conference_id, member_id, verb, account=None):
    return rig.call("PUT", account or rig.alpha, conference_id, f"/participants/{member_id}",
                    data={"action": verb, "data": {}})


def room_action(rig, conference_id, verb):
    return rig.call("PUT", rig.alpha, conference_id, body={"action": verb, "data": {}})


def empty(sim, room):
    """End the room on ``sim`` (every member kicked) and wait until it is gone."""
    sim.api(f"conference {room} kick all")
    deadline = time.monotonic() + 5
    while sim.json_list(room):
        assert time.monotonic() < deadline, f"{room} still on {sim.node_name}"
        time.sleep(0.01)


def marks(rig):
    return [len(sim.command_log) for sim in rig.sims]


def sent_since(rig, mark):
    return [rig.commands_since(sim, start) for sim, start in zip(rig.sims, mark)]


def room_on_node_a(rig):
    """A stored conference with Alice on node A -> (conference_id, room name, Alice)."""
    conference_id = rig.create_conference(rig.alpha)
    room = rig.room(rig.alpha, conference_id)
    alice = rig.sims[0].join(room, "1001", "Alice")
    return conference_id, room, alice


def test_without_a_hint_every_command_asks_every_node_and_follows_a_move(rig):
    conference_id, room, first = room_on_node_a(rig)
    mark = marks(rig)
    assert member_action(rig, conference_id, first.id, "mute").status_code == 202
    assert sent_since(rig, mark) == [[f"conference {room} list count",
                                      f"conference {room} mute {first.id}"],
                                     [f"conference {room} list count"]]
    empty(rig.sims[0], room)                    # destroyed on node A ...
    moved = rig.sims[1].join(room, "1002", "Bob")  # ... created on node B
    mark = marks(rig)
    reply = member_action(rig, conference_id, moved.id, "mute")
    assert reply.status_code == 202, reply.get_json()
    assert reply.get_json()["data"] == f"+OK mute {moved.id}"
    to_a, to_b = sent_since(rig, mark)
    assert to_a == [f"conference {room} list count"]
    assert to_b == [f"conference {room} list count", f"conference {room} mute {moved.id}"]
    assert rig.wire_members(rig.sims[1], room)[moved.id]["flags"]["can_speak"] is False
    locked = room_action(rig, conference_id, "lock")  # room-wide commands follow too
    assert locked.status_code == 202 and locked.get_json()["data"] == f"+OK {room} locked"
    assert rig.wire_json_list(rig.sims[1], room)[0]["locked"] is True


def test_a_room_gone_everywhere_is_404_after_asking_every_node(rig):
    conference_id, room, alice = room_on_node_a(rig)
    empty(rig.sims[0], room)
    mark = marks(rig)
    reply = member_action(rig, conference_id, alice.id, "unmute")
    assert reply.status_code == 404, reply.get_json()
    assert reply.get_json()["message"] == "participant not found"
    assert sent_since(rig, mark) == [[f"conference {room} list count"]] * 2


def test_room_wide_commands_on_a_room_that_ended_keep_their_errors(rig):
    """A stored conference that runs nowhere stays 409, a dynamic one 404."""
    stored = rig.create_conference(rig.alpha)
    for conference_id, gone_status in ((stored, 409), ("dynamic-room-1", 404)):
        room = rig.room(rig.alpha, conference_id)
        rig.sims[1].join(room, "1001", "Alice")
        assert room_action(rig, conference_id, "lock").status_code == 202
        empty(rig.sims[1], room)
        mark = marks(rig)
        reply = room_action(rig, conference_id, "unlock")
        assert reply.status_code == gone_status, reply.get_json()
        assert f"conference {room} list count" in sent_since(rig, mark)[0]


def test_a_node_that_is_down_leaves_the_others_answering(rig):
    conference_id = rig.create_conference(rig.alpha)
    room = rig.room(rig.alpha, conference_id)
    bob = rig.sims[1].join(room, "1002", "Bob")       # on node B, and node A dies
    rig.sims[0].stop()
    time.sleep(0.2)
    reply = member_action(rig, conference_id, bob.id, "mute")
    assert reply.status_code == 202, reply.get_json()
    assert rig.wire_members(rig.sims[1], room)[bob.id]["flags"]["can_speak"] is False


def test_another_account_never_reaches_the_room(rig):
    conference_id, room, alice = room_on_node_a(rig)
    mark = marks(rig)
    reply = member_action(rig, conference_id, alice.id, "mute", account=rig.beta)
    assert reply.status_code == 404
    sent = sent_since(rig, mark)
    assert not any(room in command for commands in sent for command in commands)
    assert rig.wire_members(rig.sims[0], room)[alice.id]["flags"]["can_speak"] is True


def test_reads_ask_every_node_and_follow_a_move(rig):
    conference_id, room, _ = room_on_node_a(rig)
    mark = marks(rig)
    read_only = rig.call("GET", rig.alpha, conference_id).get_json()["data"]["_read_only"]
    assert read_only["members"] == 1
    assert sent_since(rig, mark) == [[f"conference {room} json_list"]] * 2
    empty(rig.sims[0], room)
    rig.sims[1].join(room, "1002", "Bob")
    rig.sims[1].join(room, "1003", "Carol")
    read_only = rig.call("GET", rig.alpha, conference_id).get_json()["data"]["_read_only"]
    assert read_only["members"] == 2 and read_only["switch_hostname"] == rig.sims[1].node_name
    assert read_only["nodes"] == [rig.sims[1].node_name] and "split" not in read_only
    empty(rig.sims[1], room)
    read_only = rig.call("GET", rig.alpha, conference_id).get_json()["data"]["_read_only"]
    assert read_only["members"] == 0 and "live" not in read_only
