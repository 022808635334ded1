"""One room forced onto both simulator nodes (TCP): the API says so (``_read_only``
nodes, split, warning; the list too; a log line), participant ids are
node-qualified, a bare id is a 409 naming the nodes and reaches nobody, a qualified
id reaches exactly its member, room-wide commands go to every copy."""
import logging
import time

import pytest

from tests.integration.test_live_support import rig  # noqa: F401 (fixture)

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def split_room(rig):
    """Alice on node 1 and Bob on node 2, in one conference, both member id 1."""
    conference_id = rig.create_conference(rig.alpha)
    room = rig.room(rig.alpha, conference_id)
    alice = rig.sims[0].join(room, "1001", "Alice")
    bob = rig.sims[1].join(room, "2002", "Bob")
    assert alice.id == bob.id         # each switch counts from 1: one id, two callers
    return rig, conference_id, room, alice, bob


def flags(rig, node, room, member):
    return rig.wire_members(rig.sims[node], room)[member.id]["flags"]


def member_call(rig, conference_id, participant_id, action=None):
    if action is None:
        return rig.call("GET", rig.alpha, conference_id, f"/participants/{participant_id}")
    return rig.call("PUT", rig.alpha, conference_id, f"/participants/{participant_id}",
                    data={"action": action, "data": {}})


def test_reads_show_both_copies_with_qualified_ids_and_a_warning(split_room, caplog):
    rig, conference_id, _, alice, bob = split_room
    node1, node2 = (sim.node_name for sim in rig.sims)
    with caplog.at_level(logging.WARNING, logger="crossbar.live.service"):
        read_only = rig.call("GET", rig.alpha, conference_id).get_json()["data"]["_read_only"]
    assert read_only["nodes"] == [node1, node2] and read_only["split"] is True
    assert node1 in read_only["warning"] and node2 in read_only["warning"]
    assert read_only["members"] == 2
    assert [(p["participant_id"], p["caller_id_name"]) for p in read_only["participants"]] == [
        (f"{node1}:{alice.id}", "Alice"), (f"{node2}:{bob.id}", "Bob")]
    (logged,) = [r for r in caplog.records if r.getMessage() == "conference split across nodes"]
    assert logged.nodes == [node1, node2] and logged.conference_id == conference_id
    listed = rig.api.call("GET", f"/v2/accounts/{rig.alpha.account_id}/conferences",
                          token=rig.alpha.token).get_json()["data"]
    (item,) = [entry for entry in listed if entry["id"] == conference_id]
    assert item["split"] is True and item["nodes"] == [node1, node2] and item["members"] == 2
    participants = rig.call("GET", rig.alpha, conference_id, "/participants").get_json()["data"]
    assert [p["participant_id"] for p in participants] == [f"{node1}:{alice.id}",
                                                           f"{node2}:{bob.id}"]


def test_a_bare_id_is_refused_naming_the_nodes_and_reaches_nobody(split_room):
    rig, conference_id, room, alice, bob = split_room
    marks = [len(sim.command_log) for sim in rig.sims]
    for reply in (member_call(rig, conference_id, alice.id, "mute"),
                  member_call(rig, conference_id, alice.id, "kick"),
                  member_call(rig, conference_id, alice.id)):
        assert reply.status_code == 409, reply.get_json()
        body = reply.get_json()
        assert body["error_id"] == "conference_split"
        assert body["data"]["nodes"] == [sim.node_name for sim in rig.sims]
    sent = [sim.command_log[mark:] for sim, mark in zip(rig.sims, marks)]
    assert all(command.endswith((" list count", " json_list")) for commands in sent
               for command in commands)
    assert flags(rig, 0, room, alice)["can_speak"] and flags(rig, 1, room, bob)["can_speak"]


def test_a_qualified_id_reaches_exactly_its_member(split_room):
    rig, conference_id, room, alice, bob = split_room
    node1, node2 = (sim.node_name for sim in rig.sims)
    muted = member_call(rig, conference_id, f"{node2}:{bob.id}", "mute")
    assert muted.status_code == 202, muted.get_json()
    assert flags(rig, 1, room, bob)["can_speak"] is False
    assert flags(rig, 0, room, alice)["can_speak"] is True     # same id, other node: untouched
    shown = member_call(rig, conference_id, f"{node2}:{bob.id}").get_json()["data"]
    assert (shown["caller_id_name"], shown["participant_id"]) == ("Bob", f"{node2}:{bob.id}")
    gone = member_call(rig, conference_id, f"freeswitch@elsewhere:{bob.id}", "mute")
    assert gone.status_code == 404
    kicked = member_call(rig, conference_id, f"{node1}:{alice.id}", "kick")
    assert kicked.status_code == 202, kicked.get_json()
    deadline = time.monotonic() + 5                              # (after the kicked sound)
    while rig.wire_json_list(rig.sims[0], room):                 # node 1's copy ends
        assert time.monotonic() < deadline, "node 1's copy still runs"
        time.sleep(0.05)
    assert set(rig.wire_members(rig.sims[1], room)) == {bob.id}
    again = member_call(rig, conference_id, bob.id, "unmute")   # one copy left: bare ids work
    assert again.status_code == 202, again.get_json()
    assert flags(rig, 1, room, bob)["can_speak"] is True


def test_room_wide_actions_reach_every_copy_or_say_why_not(split_room):
    rig, conference_id, room, alice, bob = split_room
    locked = rig.call("PUT", rig.alpha, conference_id, body={"action": "lock", "data": {}})
    assert locked.status_code == 202, locked.get_json()
    assert [rig.wire_json_list(sim, room)[0]["locked"] for sim in rig.sims] == [True, True]
    muted = rig.call("PUT", rig.alpha, conference_id, "/participants",
                     data={"action": "mute", "data": {}})
    assert muted.status_code == 202, muted.get_json()
    assert not flags(rig, 0, room, alice)["can_speak"] and not flags(rig, 1, room, bob)["can_speak"]
    recording = rig.call("PUT", rig.alpha, conference_id,
                         body={"action": "record", "data": {"action": "start"}})
    assert recording.status_code == 409 and recording.get_json()["error_id"] == "conference_split"
