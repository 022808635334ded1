"""Dialing into a conference that has no document: bad input and failed dials
change nothing; a successful dial saves the document through the conference
service (numbers checked system-wide and indexed). And the dial parameters the
system does not implement, or a call id that is already live, are 400s."""
import pytest

from kzcore import conference_numbers
from tests.integration.test_live_dial import dial, make_device, running_room
from tests.integration.test_live_support import rig  # noqa: F401 (fixture)

pytestmark = pytest.mark.both_stores   # embedded and CouchDB-API (tests.support.api)


def dial_commands(rig, marks):
    return [c for sim, mark in zip(rig.sims, marks) for c in sim.command_log[mark:]
            if "dial" in c]


def test_a_dial_that_fails_on_the_switch_leaves_no_document(rig):
    conference_id = "adhoc-unreachable"
    reply = dial(rig, conference_id, {"endpoints": ["sip:nobody@127.0.0.1:5099"],
                                      "name": "Never", "member": {"numbers": ["81000"]}})
    assert reply.status_code == 422, reply.get_json()
    assert rig.call("GET", rig.alpha, conference_id).status_code == 404
    assert conference_numbers.lookup(rig.api.store, "81000") is None


def test_a_dial_with_no_node_connected_leaves_no_document(rig, monkeypatch):
    device_id = make_device(rig, rig.alpha, "8101")
    monkeypatch.setattr(rig.live.pool, "connected_names", lambda: [])
    conference_id = "adhoc-no-node"
    reply = dial(rig, conference_id, {"endpoints": [device_id], "member": {"numbers": ["81001"]}})
    assert reply.status_code == 503, reply.get_json()
    monkeypatch.undo()
    assert rig.call("GET", rig.alpha, conference_id).status_code == 404
    assert conference_numbers.lookup(rig.api.store, "81001") is None


def test_a_successful_dial_saves_and_indexes_the_dynamic_conference(rig):
    device_id = make_device(rig, rig.alpha, "8102")
    conference_id = "adhoc-indexed"
    reply = dial(rig, conference_id, {"endpoints": [device_id], "name": "Indexed ad hoc",
                                      "member": {"numbers": ["81002"]},
                                      "moderator": {"numbers": ["81003"]}})
    assert reply.status_code == 200, reply.get_json()
    doc = rig.call("GET", rig.alpha, conference_id).get_json()["data"]
    assert doc["name"] == "Indexed ad hoc" and doc["member"]["numbers"] == ["81002"]
    for number in ("81002", "81003"):
        entry = conference_numbers.lookup(rig.api.store, number)
        assert (entry["account_id"], entry["conference_id"]) == (rig.alpha.account_id,
                                                                 conference_id)
    # the number is now taken for every other account
    other = rig.api.call("PUT", f"/v2/accounts/{rig.beta.account_id}/conferences",
                         {"name": "Thief", "conference_numbers": ["81002"]}, token=rig.beta.token)
    assert other.status_code == 400, other.get_json()


def test_numbers_in_use_refuse_a_dynamic_dial_before_dialing(rig):
    taken = rig.api.call("PUT", f"/v2/accounts/{rig.beta.account_id}/conferences",
                         {"name": "Beta's", "conference_numbers": ["81010"]}, token=rig.beta.token)
    assert taken.status_code == 201, taken.get_json()
    device_id = make_device(rig, rig.alpha, "8103")
    marks = [len(sim.command_log) for sim in rig.sims]
    reply = dial(rig, "adhoc-taken", {"endpoints": [device_id], "member": {"numbers": ["81010"]}})
    assert reply.status_code == 400, reply.get_json()
    assert reply.get_json()["data"]["member.numbers"]["unique"]["message"] \
        == "Numbers already in use"
    assert dial_commands(rig, marks) == []
    assert rig.call("GET", rig.alpha, "adhoc-taken").status_code == 404
    entry = conference_numbers.lookup(rig.api.store, "81010")
    assert entry["account_id"] == rig.beta.account_id


def test_unsupported_parameters_are_400_not_ignored(rig):
    conference_id, room = running_room(rig)
    marks = [len(sim.command_log) for sim in rig.sims]
    for key, value in (("profile_name", "default"), ("target_call_id", "abc-123")):
        reply = dial(rig, conference_id, {"endpoints": ["5550100"], key: value})
        assert reply.status_code == 400, reply.get_json()
        assert key in reply.get_json()["data"]
        assert "not supported" in reply.get_json()["message"]
    assert dial_commands(rig, marks) == []


def test_outbound_call_id_must_be_well_formed_and_not_live(rig):
    conference_id, room = running_room(rig)
    live_member = rig.sims[1].join(rig.room(rig.alpha, conference_id) + "-other", "1002", "Bob")
    live_uuid = live_member.channel.uuid
    device_id = make_device(rig, rig.alpha, "8104")
    marks = [len(sim.command_log) for sim in rig.sims]
    for bad in ("a b", "x;y", "-leading", "z" * 129):
        reply = dial(rig, conference_id, {"endpoints": [device_id], "outbound_call_id": bad})
        assert reply.status_code == 400, (bad, reply.get_json())
        assert "outbound_call_id" in reply.get_json()["data"]
    reply = dial(rig, conference_id, {"endpoints": [device_id], "outbound_call_id": live_uuid})
    assert reply.status_code == 400, reply.get_json()
    assert reply.get_json()["data"]["outbound_call_id"]["invalid"]["message"] \
        == "is already the id of a live call"
    assert any(f"uuid_exists {live_uuid}" in c for c in rig.sims[1].command_log)
    assert dial_commands(rig, marks) == []
    fresh = dial(rig, conference_id, {"endpoints": [device_id], "outbound_call_id": "fresh-1"})
    assert fresh.status_code == 200, fresh.get_json()
    assert fresh.get_json()["data"]["endpoint_responses"][0]["call_id"] == "fresh-1"
