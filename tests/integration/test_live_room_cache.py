"""The room cache over two simulator nodes (TCP): a remembered node is a hint.
A room that moved to the other node within the TTL is still commanded there; a
room gone everywhere still gives the usual 404 / 409, concluded only after every
node was asked; a node whose connection drops loses its remembered rooms."""
import time

import pytest

from crossbar.live import create_live
from crossbar.live.room_cache import RoomCache
from kzcore.naming import fs_conference_name, new_id
from kzcore.store.embedded import EmbeddedStore
from tests.integration.test_live_support import rig  # noqa: F401 (fixture)

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def cached(rig):
    """The rig with a TTL far longer than any test: every step is 'within the TTL'."""
    rig.live.rooms = RoomCache(time.monotonic, ttl=600)
    return rig


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


def room_seen_on_node_a(rig):
    """A stored conference with Alice on node A, muted once through the API: the
    room cache now remembers node A. -> (conference_id, room name, Alice)."""
    conference_id = rig.create_conference(rig.alpha)
    room = rig.room(rig.alpha, conference_id)
    alice = rig.sims[0].join(room, "1001", "Alice")
    assert member_action(rig, conference_id, alice.id, "mute").status_code == 202
    return conference_id, room, alice


def test_a_room_moved_to_the_other_node_is_commanded_there(cached):
    rig = cached
    conference_id, room, first = room_seen_on_node_a(rig)
    assert rig.live.rooms.get(room) == rig.sims[0].node_name
    warm = marks(rig)
    assert member_action(rig, conference_id, first.id, "unmute").status_code == 202
    assert sent_since(rig, warm) == [[f"conference {room} unmute {first.id}"], []]  # no lookup

    empty(rig.sims[0], room)                    # destroyed on node A ...
    moved = rig.sims[1].join(room, "1002", "Bob")  # ... created on node B, within the TTL
    mark = marks(rig)
    reply = member_action(rig, conference_id, moved.id, "mute")
    assert reply.status_code == 202, reply.get_json()
    assert reply.get_json()["data"] == f"+OK mute {moved.id}"
    to_a, to_b = sent_since(rig, mark)
    assert to_a == [f"conference {room} mute {moved.id}", f"conference {room} list count"]
    assert to_b == [f"conference {room} list count", f"conference {room} mute {moved.id}"]
    assert rig.wire_members(rig.sims[1], room)[moved.id]["flags"]["can_speak"] is False
    assert rig.live.rooms.get(room) == rig.sims[1].node_name

    locked = room_action(rig, conference_id, "lock")  # room-wide commands follow too
    assert locked.status_code == 202 and locked.get_json()["data"] == f"+OK {room} locked"
    assert rig.wire_json_list(rig.sims[1], room)[0]["locked"] is True


def test_a_room_gone_everywhere_is_404_after_asking_every_node(cached):
    rig = cached
    conference_id, room, alice = room_seen_on_node_a(rig)
    empty(rig.sims[0], room)
    mark = marks(rig)
    reply = member_action(rig, conference_id, alice.id, "unmute")
    assert reply.status_code == 404, reply.get_json()
    assert reply.get_json()["message"] == "participant not found"
    assert f"conference {room} list count" in sent_since(rig, mark)[1]  # node B was asked
    assert rig.live.rooms.get(room) is None


def test_room_wide_commands_keep_their_errors_when_the_hint_is_stale(cached):
    """A stored conference that runs nowhere stays 409, a dynamic one 404."""
    rig = cached
    stored = rig.create_conference(rig.alpha)
    for conference_id, gone_status in ((stored, 409), ("dynamic-room-1", 404)):
        room = rig.room(rig.alpha, conference_id)
        rig.sims[1].join(room, "1001", "Alice")
        assert room_action(rig, conference_id, "lock").status_code == 202
        assert rig.live.rooms.get(room) == rig.sims[1].node_name
        empty(rig.sims[1], room)
        mark = marks(rig)
        reply = room_action(rig, conference_id, "unlock")
        assert reply.status_code == gone_status, reply.get_json()
        assert f"conference {room} list count" in sent_since(rig, mark)[0]


def test_a_hint_naming_a_node_that_is_down_falls_back_to_the_others(cached):
    rig = cached
    conference_id = rig.create_conference(rig.alpha)
    room = rig.room(rig.alpha, conference_id)
    rig.live.rooms.put(room, rig.sims[0].node_name)   # last seen on node A ...
    bob = rig.sims[1].join(room, "1002", "Bob")       # ... now on node B, and A dies
    rig.sims[0].stop()
    time.sleep(0.2)
    reply = member_action(rig, conference_id, bob.id, "mute")
    assert reply.status_code == 202, reply.get_json()
    assert rig.wire_members(rig.sims[1], room)[bob.id]["flags"]["can_speak"] is False


def test_another_account_never_reaches_a_remembered_room(cached):
    rig = cached
    conference_id, room, alice = room_seen_on_node_a(rig)
    mark = marks(rig)
    reply = member_action(rig, conference_id, alice.id, "unmute", account=rig.beta)
    assert reply.status_code == 404
    sent = sent_since(rig, mark)
    assert not any(room in command for commands in sent for command in commands)
    assert rig.wire_members(rig.sims[0], room)[alice.id]["flags"]["can_speak"] is False


def test_a_lost_node_connection_drops_its_rooms(fssim_factory, tmp_path):
    """The wiring of ``create_live``: the command pool's disconnect hook empties the node."""
    from kzcore.config import load_config
    sims = [fssim_factory(hostname="node1", recordings_dir=None),
            fssim_factory(hostname="node2", recordings_dir=None)]
    config = load_config(env={}, esl_nodes=",".join(
        f"{sim.node_name}=127.0.0.1:{sim.port}:ClueCon" for sim in sims), esl_timeout=2.0,
        recordings_dir=str(tmp_path / "rec"), token_secret="s", room_cache_ttl=600)
    live = create_live(config, store=EmbeddedStore(":memory:"), signer=None)
    try:
        account = new_id()
        one, two = fs_conference_name(account, "a"), fs_conference_name(account, "b")
        sims[0].join(one, "1001", "A")
        sims[1].join(two, "1002", "B")
        assert live.where(account, "a").node == sims[0].node_name
        assert live.where(account, "b").node == sims[1].node_name
        assert live.rooms.get(one) == sims[0].node_name
        sims[0].stop()
        deadline = time.monotonic() + 5
        while live.rooms.get(one) is not None:
            assert time.monotonic() < deadline, "node1's rooms kept after its connection dropped"
            time.sleep(0.02)
        assert live.rooms.get(two) == sims[1].node_name
    finally:
        live.close()


def test_reads_ask_the_remembered_node_first_and_follow_a_move(cached):
    rig = cached
    conference_id = rig.create_conference(rig.alpha)
    room = rig.room(rig.alpha, conference_id)
    rig.sims[0].join(room, "1001", "Alice")
    assert rig.call("GET", rig.alpha, conference_id).get_json()["data"]["_read_only"]["members"] == 1
    mark = marks(rig)
    assert rig.call("GET", rig.alpha, conference_id).status_code == 200
    assert sent_since(rig, mark) == [[f"conference {room} json_list"], []]   # node A alone
    empty(rig.sims[0], room)
    rig.sims[1].join(room, "1002", "Bob")
    rig.sims[1].join(room, "1003", "Carol")
    read_only = rig.call("GET", rig.alpha, conference_id).get_json()["data"]["_read_only"]
    assert read_only["members"] == 2 and read_only["switch_hostname"] == rig.sims[1].node_name
    empty(rig.sims[1], room)
    read_only = rig.call("GET", rig.alpha, conference_id).get_json()["data"]["_read_only"]
    assert read_only["members"] == 0 and "live" not in read_only
