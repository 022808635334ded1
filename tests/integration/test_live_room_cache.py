"""The room cache over two simulator nodes (TCP), with crossbar's event watch on
both (crossbar.live.room_cache): a room found on one node is commanded there
without asking every node first; the room's conference-create or -destroy on any
node drops the hint, so a copy that starts on the other node is seen (a bare id
is then a 409 again) and a room that moved is followed; a hint the events did
not correct is corrected by the switch's "not found"; without the watch on
every node nothing is remembered."""
import time

import pytest

from tests.integration.test_live_support import rig  # noqa: F401 (fixture)
from tests.integration.test_live_room_lookup import (empty, marks, member_action,
                                                     room_action, sent_since)

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def watched(rig):
    """The rig with its event watch on both nodes (as crossbar runs) and a TTL far
    longer than any test: every step is 'within the TTL'."""
    rig.live.rooms.ttl = 600
    rig.changes = []       # (node, room) of every conference-create/-destroy the watch saw
    rig.live.watcher.on_room_changed(lambda node, name: rig.changes.append((node, name)))
    rig.live.watcher.start()
    assert all(rig.live.watcher.ready(sim.node_name, 5) for sim in rig.sims)
    return rig


def wait_forgotten(rig, room):
    deadline = time.monotonic() + 5
    while rig.live.rooms.get(room) is not None:
        assert time.monotonic() < deadline, f"{room} still remembered"
        time.sleep(0.01)


def wait_change(rig, sim, room, count=1):
    """Until the watch has seen ``count`` creations/ends of ``room`` on ``sim``."""
    deadline = time.monotonic() + 5
    while rig.changes.count((sim.node_name, room)) < count:
        assert time.monotonic() < deadline, f"no event for {room} on {sim.node_name}"
        time.sleep(0.01)


def room_seen_on_node_a(rig):
    """Alice on node A, muted once through the API (which asked both nodes):
    the room is now remembered on node A. -> (conference_id, room, Alice)."""
    conference_id = rig.create_conference(rig.alpha)
    room = rig.room(rig.alpha, conference_id)
    alice = rig.sims[0].join(room, "1001", "Alice")
    wait_change(rig, rig.sims[0], room)   # its conference-create, seen before the lookup
    mark = marks(rig)
    assert member_action(rig, conference_id, alice.id, "mute").status_code == 202
    assert sent_since(rig, mark) == [[f"conference {room} list count",
                                      f"conference {room} mute {alice.id}"],
                                     [f"conference {room} list count"]]
    assert rig.live.rooms.get(room) == rig.sims[0].node_name
    return conference_id, room, alice


def test_a_remembered_room_is_commanded_without_a_lookup(watched):
    rig = watched
    conference_id, room, alice = room_seen_on_node_a(rig)
    mark = marks(rig)
    assert member_action(rig, conference_id, alice.id, "unmute").status_code == 202
    assert room_action(rig, conference_id, "lock").status_code == 202
    assert sent_since(rig, mark) == [[f"conference {room} unmute {alice.id}",
                                      f"conference {room} lock"], []]
    mark = marks(rig)
    reply = member_action(rig, conference_id, 99, "mute")     # no such member: looked up
    assert reply.status_code == 404, reply.get_json()
    sent = sent_since(rig, mark)
    assert f"conference {room} list count" in sent[1]
    assert sum(node.count(f"conference {room} mute 99") for node in sent) == 1   # asked once


def test_a_copy_started_on_the_other_node_is_seen_as_a_split(watched):
    rig = watched
    conference_id, room, alice = room_seen_on_node_a(rig)
    bob = rig.sims[1].join(room, "2002", "Bob")     # conference-create on node B
    wait_forgotten(rig, room)
    mark = marks(rig)
    reply = member_action(rig, conference_id, alice.id, "unmute")
    assert reply.status_code == 409, reply.get_json()
    assert reply.get_json()["error_id"] == "conference_split"
    assert sent_since(rig, mark) == [[f"conference {room} list count"]] * 2   # reached nobody
    node_b = rig.sims[1].node_name
    reply = member_action(rig, conference_id, f"{node_b}:{bob.id}", "mute")
    assert reply.status_code == 202, reply.get_json()
    assert rig.wire_members(rig.sims[1], room)[bob.id]["flags"]["can_speak"] is False
    assert rig.live.rooms.get(room) is None           # a split room is never remembered
    assert rig.wire_members(rig.sims[0], room)[alice.id]["flags"]["can_speak"] is False


def test_a_room_that_moved_is_followed(watched):
    rig = watched
    conference_id, room, _ = room_seen_on_node_a(rig)
    empty(rig.sims[0], room)                          # conference-destroy on node A ...
    moved = rig.sims[1].join(room, "1002", "Bob")     # ... conference-create on node B
    wait_change(rig, rig.sims[1], room)
    mark = marks(rig)
    reply = member_action(rig, conference_id, moved.id, "mute")
    assert reply.status_code == 202 and reply.get_json()["data"] == f"+OK mute {moved.id}"
    assert sent_since(rig, mark) == [[f"conference {room} list count"],
                                     [f"conference {room} list count",
                                      f"conference {room} mute {moved.id}"]]
    assert rig.live.rooms.get(room) == rig.sims[1].node_name


def test_a_stale_hint_is_corrected_by_the_switchs_not_found(watched):
    """A hint the events did not correct (a node's events lost in transit, say):
    the remembered node answers "-ERR Conference ... not found", every node is
    asked, and the command reaches the room where it runs."""
    rig = watched
    conference_id, room, alice = room_seen_on_node_a(rig)
    node_b = rig.sims[1].node_name
    rig.live.rooms.put(room, node_b, rig.live.rooms.mark())
    mark = marks(rig)
    reply = member_action(rig, conference_id, alice.id, "unmute")
    assert reply.status_code == 202, reply.get_json()
    assert sent_since(rig, mark) == [[f"conference {room} list count",
                                      f"conference {room} unmute {alice.id}"],
                                     [f"conference {room} unmute {alice.id}",
                                      f"conference {room} list count"]]
    assert rig.live.rooms.get(room) == rig.sims[0].node_name
    rig.live.rooms.put(room, node_b, rig.live.rooms.mark())
    empty(rig.sims[0], room)                          # gone everywhere: still a 409
    wait_forgotten(rig, room)
    rig.live.rooms.put(room, node_b, rig.live.rooms.mark())
    assert room_action(rig, conference_id, "unlock").status_code == 409


def test_without_the_watch_on_every_node_nothing_is_remembered(rig):
    conference_id = rig.create_conference(rig.alpha)
    room = rig.room(rig.alpha, conference_id)
    alice = rig.sims[0].join(room, "1001", "Alice")
    for verb in ("mute", "unmute"):
        mark = marks(rig)
        assert member_action(rig, conference_id, alice.id, verb).status_code == 202
        assert f"conference {room} list count" in sent_since(rig, mark)[1]
    assert rig.live.rooms.get(room) is None
