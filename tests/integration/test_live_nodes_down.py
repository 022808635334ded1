"""Reads degrade when a FreeSWITCH node is down: GET one and the list answer 200 from
the store and the nodes that answered, and say which live states are unknown; actions
on a room that may be on the missing node stay 503 (DESIGN.md section 3)."""
import time

import pytest

from tests.integration.test_live_support import rig  # noqa: F401 (fixture)

pytestmark = pytest.mark.timeout(60)


def listing(rig):
    reply = rig.api.call("GET", f"/v2/accounts/{rig.alpha.account_id}/conferences",
                         token=rig.alpha.token)
    assert reply.status_code == 200, reply.get_json()
    return {item["id"]: item for item in reply.get_json()["data"]}


@pytest.fixture
def half_down(rig):
    hosted, idle = rig.create_conference(rig.alpha), rig.create_conference(rig.alpha)
    rig.sims[0].join(rig.room(rig.alpha, hosted), "1001", "Alice")
    rig.sims[1].stop()
    time.sleep(0.2)
    return rig, hosted, idle, rig.sims[1].node_name


def test_list_counts_what_answered_and_marks_the_rest_unknown(half_down):
    rig, hosted, idle, down = half_down
    items = listing(rig)
    assert items[hosted]["members"] == 1 and "live" not in items[hosted]
    assert items[idle]["live"] == "unknown" and items[idle]["unreachable_nodes"] == [down]
    assert items[idle]["members"] is None                 # unknown, not zero


def test_get_one_found_on_a_reachable_node_is_shown_normally(half_down):
    rig, hosted, _, _ = half_down
    reply = rig.call("GET", rig.alpha, hosted)
    assert reply.status_code == 200
    read_only = reply.get_json()["data"]["_read_only"]
    assert read_only["members"] == 1 and read_only["participants"][0]["caller_id_number"] == "1001"
    assert "live" not in read_only


def test_get_one_not_found_on_reachable_nodes_says_its_state_is_unknown(half_down):
    rig, _, idle, down = half_down
    reply = rig.call("GET", rig.alpha, idle)
    assert reply.status_code == 200
    data = reply.get_json()["data"]
    assert data["name"] == "Room" and data["id"] == idle           # the stored document
    assert data["_read_only"]["live"] == "unknown"
    assert data["_read_only"]["unreachable_nodes"] == [down]
    assert data["_read_only"]["members"] is None


def test_actions_on_a_room_that_may_be_on_the_missing_node_stay_503(half_down):
    rig, _, idle, _ = half_down
    for body in ({"action": "lock", "data": {}}, {"action": "record", "data": {"action": "start"}}):
        reply = rig.call("PUT", rig.alpha, idle, body=body)
        assert reply.status_code == 503 and reply.get_json()["error_id"] == "switch_unavailable"


def test_every_node_down_still_lists_the_documents(rig):
    conference_id = rig.create_conference(rig.alpha)
    for sim in rig.sims:
        sim.stop()
    time.sleep(0.2)
    item = listing(rig)[conference_id]
    assert item["live"] == "unknown"
    assert sorted(item["unreachable_nodes"]) == sorted(sim.node_name for sim in rig.sims)
    one = rig.call("GET", rig.alpha, conference_id)
    assert one.status_code == 200 and one.get_json()["data"]["_read_only"]["live"] == "unknown"
