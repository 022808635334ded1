"""Live state on GET: ``_read_only``, participants, several nodes, no cache."""
import time

import pytest

from tests.integration.test_live_support import rig  # noqa: F401 (fixture)

pytestmark = pytest.mark.both_stores   # embedded and CouchDB-API (tests.support.api)


def test_get_conference_reads_members_from_the_node_hosting_it(rig):
    conference_id = rig.create_conference(rig.alpha)
    node2 = rig.sims[1]
    room = rig.room(rig.alpha, conference_id)
    node2.join(room, "1001", "Alice")
    node2.join(room, "1002", "Bob", moderator=True)
    reply = rig.call("GET", rig.alpha, conference_id)
    assert reply.status_code == 200, reply.get_json()
    assert "ETag" not in reply.headers and reply.headers["Cache-Control"] == "no-store"
    live = reply.get_json()["data"]["_read_only"]
    wire = rig.wire_members(node2, room)
    assert live["members"] == len(wire) == 2
    assert live["moderators"] == live["admins"] == 1
    assert live["focus"] == live["switch_hostname"] == node2.node_name
    assert live["is_locked"] is False and live["duration"] >= 0
    by_id = {p["participant_id"]: p for p in live["participants"]}
    assert set(by_id) == set(wire)
    for member_id, member in wire.items():
        person = by_id[member_id]
        assert person["call_id"] == member["uuid"]
        assert person["caller_id_number"] == member["caller_id_number"]
        assert person["is_moderator"] == member["flags"]["is_moderator"]
        assert person["switch_hostname"] == node2.node_name
        assert abs(person["join_time"] - (time.time() - member["join_time"])) <= 2


def test_a_ghost_is_a_participant_the_switch_does_not_count(rig):
    """A ghost dialled in with participant_flags ["ghost"]: listed by the switch (so a
    participant the API can act on) but left out of its count (round4 json_list_with_ghost)."""
    conference_id = rig.create_conference(rig.alpha)
    room = rig.room(rig.alpha, conference_id)
    rig.sims[0].join(room, "1001", "Alice")
    rig.dialplan_numbers(rig.alpha, ["5550401"])
    rig.sims[0].add_extension(r"^5550401$", lambda channel, match: channel.answer())
    dialled = rig.call("PUT", rig.alpha, conference_id, body={"action": "dial", "data": {
        "data": {"endpoints": ["5550401"], "participant_flags": ["ghost"]}}})
    assert dialled.status_code == 200, dialled.get_json()
    (leg,) = dialled.get_json()["data"]["endpoint_responses"]
    live = rig.call("GET", rig.alpha, conference_id).get_json()["data"]["_read_only"]
    assert {p["call_id"] for p in live["participants"]} >= {leg["call_id"]}
    assert len(live["participants"]) == 2
    listed = rig.wire_json_list(rig.sims[0], room)[0]
    assert (live["members"], live["ghosts"]) == (listed["member_count"], listed["ghost_count"]) \
        == (1, 1)


def test_live_data_is_never_stale(rig):
    conference_id = rig.create_conference(rig.alpha)
    room = rig.room(rig.alpha, conference_id)
    first = rig.sims[0].join(room, "1001", "Alice")
    assert rig.call("GET", rig.alpha, conference_id).get_json()["data"]["_read_only"]["members"] == 1
    rig.sims[0].join(room, "1002", "Bob")
    again = rig.call("GET", rig.alpha, conference_id, headers={"If-None-Match": "*"})
    assert again.status_code == 200
    assert again.get_json()["data"]["_read_only"]["members"] == 2
    rig.sims[0].hangup(first.uuid)
    time.sleep(0.2)
    assert rig.call("GET", rig.alpha, conference_id).get_json()["data"]["_read_only"]["members"] == 1


def test_not_running_reads_zeros(rig):
    conference_id = rig.create_conference(rig.alpha)
    live = rig.call("GET", rig.alpha, conference_id).get_json()["data"]["_read_only"]
    assert (live["members"], live["moderators"], live["is_locked"], live["participants"]) == \
        (0, 0, False, [])


def test_list_asks_each_node_once(rig):
    ids = [rig.create_conference(rig.alpha, name=f"Room {n}") for n in range(4)]
    for index, conference_id in enumerate(ids[:3]):
        sim = rig.sims[index % 2]
        for caller in range(index + 1):
            sim.join(rig.room(rig.alpha, conference_id), f"10{caller}", f"Caller{caller}")
    marks = [len(sim.command_log) for sim in rig.sims]
    reply = rig.api.call("GET", f"/v2/accounts/{rig.alpha.account_id}/conferences",
                         token=rig.alpha.token)
    assert reply.status_code == 200, reply.get_json()
    for sim, mark in zip(rig.sims, marks):
        assert sim.command_log[mark:] == ["conference json_list"]
    counts = {item["id"]: item["members"] for item in reply.get_json()["data"]}
    assert counts == {ids[0]: 1, ids[1]: 2, ids[2]: 3, ids[3]: 0}


def test_participants_list_and_one(rig):
    conference_id = rig.create_conference(rig.alpha)
    room = rig.room(rig.alpha, conference_id)
    alice = rig.sims[0].join(room, "1001", "Alice")
    listed = rig.call("GET", rig.alpha, conference_id, "/participants")
    assert listed.status_code == 200
    (person,) = listed.get_json()["data"]
    assert person["call_id"] == alice.uuid and person["participant_id"] == alice.id
    one = rig.call("GET", rig.alpha, conference_id, f"/participants/{alice.id}")
    assert one.status_code == 200 and one.get_json()["data"]["caller_id_name"] == "Alice"
    missing = rig.call("GET", rig.alpha, conference_id, f"/participants/{alice.id + 100}")
    assert missing.status_code == 404 and missing.get_json()["data"] != {}


def test_participants_of_a_conference_not_running(rig):
    conference_id = rig.create_conference(rig.alpha)
    assert rig.call("GET", rig.alpha, conference_id, "/participants").get_json()["data"] == []
    assert rig.call("GET", rig.alpha, conference_id, "/participants/1").status_code == 404
    assert rig.call("GET", rig.alpha, "nosuchroom", "/participants").status_code == 404


def test_unreachable_node_makes_reads_unknown_and_actions_503_unless_the_room_is_found_elsewhere(rig):
    hosted = rig.create_conference(rig.alpha)
    elsewhere = rig.create_conference(rig.alpha)
    rig.sims[0].join(rig.room(rig.alpha, hosted), "1001", "Alice")
    rig.sims[1].stop()
    time.sleep(0.2)
    ok = rig.call("GET", rig.alpha, hosted)
    assert ok.status_code == 200 and ok.get_json()["data"]["_read_only"]["members"] == 1
    down = rig.call("GET", rig.alpha, elsewhere)     # a read degrades (test_live_nodes_down.py)
    assert down.status_code == 200 and down.get_json()["data"]["_read_only"]["live"] == "unknown"
    assert rig.call("PUT", rig.alpha, elsewhere, body={"action": "lock", "data": {}}).status_code == 503
