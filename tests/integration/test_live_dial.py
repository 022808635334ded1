"""The dial action (seed 002) against the simulator: devices, users, numbers,
sip: URIs, flags, caller id, custom variables, timeouts, dynamic conferences,
and endpoint_responses filled from what FreeSWITCH reported."""
import time

import pytest

from crossbar.xmlcurl.service import XmlCurlService
from tests.integration.test_live_support import rig  # noqa: F401 (fixture)

pytestmark = pytest.mark.both_stores   # embedded and CouchDB-API (tests.support.api)


def account_realm(rig, account):
    reply = rig.api.call("GET", f"/v2/accounts/{account.account_id}", token=account.token)
    return reply.get_json()["data"]["realm"]


def make_device(rig, account, username, owner_id=None, register=True, behaviour="answer"):
    fields = {"name": f"Phone {username}", "sip": {"username": username, "password": "pw12345"}}
    if owner_id:
        fields["owner_id"] = owner_id
    reply = rig.api.call("PUT", f"/v2/accounts/{account.account_id}/devices", fields,
                         token=account.token)
    assert reply.status_code == 201, reply.get_json()
    if register:
        for sim in rig.sims:
            sim.register_device(username, account_realm(rig, account), behaviour)
    return reply.get_json()["data"]["id"]


def dial(rig, conference_id, data, account=None, **outer):
    return rig.call("PUT", account or rig.alpha, conference_id,
                    body={"action": "dial", "data": {"data": data, **outer}})


def running_room(rig, node=0):
    conference_id = rig.create_conference(rig.alpha)
    room = rig.room(rig.alpha, conference_id)
    rig.sims[node].join(room, "1001", "Alice")
    return conference_id, room


def test_dial_a_device_into_a_running_room(rig):
    conference_id, room = running_room(rig, node=1)
    device_id = make_device(rig, rig.alpha, "2001")
    reply = dial(rig, conference_id, {"endpoints": [device_id], "caller_id_name": "Conference XYZ",
                                      "caller_id_number": "5551212",
                                      "participant_flags": ["mute", "is_moderator"]})
    assert reply.status_code == 200, reply.get_json()
    (leg,) = reply.get_json()["data"]["endpoint_responses"]
    assert leg["status"] == "success" and leg["endpoint_id"] == device_id and leg["job_id"]
    assert leg["message"] == f"dial resulted in call id {leg['call_id']}"
    members = {m["uuid"]: m for m in rig.wire_members(rig.sims[1], room).values()}
    joined = members[leg["call_id"]]
    assert joined["flags"]["is_moderator"] is True and joined["flags"]["can_speak"] is False
    (sent,) = [c for c in rig.sims[1].command_log if " bgdial " in c]
    realm = account_realm(rig, rig.alpha)
    assert sent.startswith(f"conference {room} bgdial {{conference_member_flags=mute|moderator,")
    assert f"}}user/2001@{realm} 5551212 'Conference XYZ'" in sent
    assert not [c for c in rig.sims[0].command_log if " bgdial " in c]


def test_user_id_dials_every_device_of_the_user(rig):
    conference_id, room = running_room(rig)
    user = rig.api.call("PUT", f"/v2/accounts/{rig.alpha.account_id}/users",
                        {"first_name": "Dee", "last_name": "Dialer", "username": "dee",
                         "password": "dee-pass-1"}, token=rig.alpha.token)
    assert user.status_code == 201, user.get_json()
    user_id = user.get_json()["data"]["id"]
    make_device(rig, rig.alpha, "3001", owner_id=user_id)
    make_device(rig, rig.alpha, "3002", owner_id=user_id)
    reply = dial(rig, conference_id, {"endpoints": [user_id]})
    assert reply.status_code == 200, reply.get_json()
    legs = reply.get_json()["data"]["endpoint_responses"]
    assert [leg["endpoint_id"] for leg in legs] == [user_id, user_id]
    assert all(leg["status"] == "success" for leg in legs)
    uuids = {m["uuid"] for m in rig.wire_members(rig.sims[0], room).values()}
    assert {leg["call_id"] for leg in legs} <= uuids


def test_failures_come_back_per_endpoint(rig):
    conference_id, room = running_room(rig)
    ok = make_device(rig, rig.alpha, "4001")
    offline = make_device(rig, rig.alpha, "4002")
    realm = account_realm(rig, rig.alpha)
    for sim in rig.sims:
        sim.unregister_device("4002", realm)
    reply = dial(rig, conference_id, {"endpoints": [ok, offline]})
    assert reply.status_code == 200, reply.get_json()
    good, bad = reply.get_json()["data"]["endpoint_responses"]
    assert good["status"] == "success"
    assert bad["status"] == "error" and bad["message"] == "dial failed: USER_NOT_REGISTERED"


def test_all_endpoints_failing_is_422_with_the_reasons(rig):
    conference_id, room = running_room(rig)
    reply = dial(rig, conference_id, {"endpoints": ["sip:nobody@127.0.0.1:5099"]})
    assert reply.status_code == 422, reply.get_json()
    body = reply.get_json()
    assert "NORMAL_TEMPORARY_FAILURE" in body["message"]
    assert body["data"]["endpoint_responses"][0]["status"] == "error"


def test_sip_uri_and_number_endpoints(rig):
    """A number that is ours (a conference number) goes through the dialplan; other
    numbers go through carriers (tests/integration/test_live_carriers.py)."""
    conference_id, room = running_room(rig)
    rig.create_conference(rig.alpha, conference_numbers=["5550100"])
    rig.sims[0].register_device("5001", "127.0.0.1", contact="127.0.0.1:5073")
    rig.sims[0].add_extension(r"^5550100$", lambda channel, match: channel.answer())
    reply = dial(rig, conference_id, {"endpoints": ["sip:5001@127.0.0.1:5073", "5550100"]})
    assert reply.status_code == 200, reply.get_json()
    sip_leg, number_leg = reply.get_json()["data"]["endpoint_responses"]
    assert sip_leg["status"] == "success" and number_leg["status"] == "success", (sip_leg, number_leg)
    sent = [c for c in rig.sims[0].command_log if " bgdial " in c]
    assert "}sofia/internal/5001@127.0.0.1:5073" in sent[0]
    assert "}loopback/5550100/default" in sent[1]
    assert len(rig.wire_members(rig.sims[0], room)) == 3


def test_custom_vars_outbound_call_id_and_timeout_go_on_the_channel(rig):
    conference_id, room = running_room(rig)
    device_id = make_device(rig, rig.alpha, "6001")
    reply = dial(rig, conference_id, {"endpoints": [device_id], "outbound_call_id": "xyz-abc",
                                      "timeout": 20},
                 custom_application_vars={"foo": "bar"})
    assert reply.status_code == 200, reply.get_json()
    (sent,) = [c for c in rig.sims[0].command_log if " bgdial " in c]
    assert "origination_uuid=xyz-abc" in sent and "originate_timeout=20" in sent
    assert "kz_foo=bar" in sent
    (leg,) = reply.get_json()["data"]["endpoint_responses"]
    channel = rig.sims[0].channel(leg["call_id"])
    assert channel is not None and channel.variables.get("kz_foo") == "bar"


def test_dial_creates_a_dynamic_conference_with_the_request_parameters(rig):
    device_id = make_device(rig, rig.alpha, "7001")
    conference_id = "adhoc-room-1"
    reply = dial(rig, conference_id, {"endpoints": [device_id], "play_entry_tone": False,
                                      "name": "Ad hoc", "member": {"join_muted": True},
                                      "max_participants": 7})
    assert reply.status_code == 200, reply.get_json()
    (leg,) = reply.get_json()["data"]["endpoint_responses"]
    assert leg["status"] == "success", leg
    stored = rig.call("GET", rig.alpha, conference_id)
    assert stored.status_code == 200, stored.get_json()
    doc = stored.get_json()["data"]
    assert doc["name"] == "Ad hoc" and doc["play_entry_tone"] is False
    assert doc["member"]["join_muted"] is True
    assert doc["_read_only"]["members"] == 1
    assert doc["_read_only"]["participants"][0]["call_id"] == leg["call_id"]
    # FreeSWITCH's profile for the room (mod_xml_curl) is served from that document
    profile = XmlCurlService(rig.api.store).answer({
        "section": "configuration", "key_value": "conference.conf",
        "conference_name": rig.room(rig.alpha, conference_id), "profile_name": "default"})
    assert '<param name="max-members" value="7"/>' in profile


def test_dial_into_a_stored_conference_not_running_starts_it(rig):
    conference_id = rig.create_conference(rig.alpha)
    device_id = make_device(rig, rig.alpha, "8001")
    reply = dial(rig, conference_id, {"endpoints": [device_id]})
    assert reply.status_code == 200, reply.get_json()
    room = rig.room(rig.alpha, conference_id)
    listed = [sim for sim in rig.sims if rig.wire_json_list(sim, room)]
    assert len(listed) == 1


def test_unknown_device_id_is_404_and_bad_flags_400_before_dialing(rig):
    conference_id, room = running_room(rig)
    mark = len(rig.sims[0].command_log)
    unknown = dial(rig, conference_id, {"endpoints": ["0" * 32]})
    assert unknown.status_code == 404 and "endpoints.0" in unknown.get_json()["data"]
    flags = dial(rig, conference_id, {"endpoints": ["1000"], "participant_flags": ["sing"]})
    assert flags.status_code == 400
    assert not [c for c in rig.sims[0].command_log[mark:] if "dial" in c]


def test_timeout_becomes_originate_timeout_and_no_answer_is_reported(rig):
    conference_id, room = running_room(rig)
    device_id = make_device(rig, rig.alpha, "9001", behaviour="no_answer")
    started = time.monotonic()
    reply = dial(rig, conference_id, {"endpoints": [device_id], "timeout": 1})
    assert reply.status_code == 422, reply.get_json()
    (leg,) = reply.get_json()["data"]["endpoint_responses"]
    assert leg["status"] == "error" and leg["message"] == "dial failed: NO_ANSWER"
    assert time.monotonic() - started < 3.5
    (sent,) = [c for c in rig.sims[0].command_log if " bgdial " in c]
    assert "originate_timeout=1" in sent


def test_device_object_endpoint(rig):
    conference_id, room = running_room(rig)
    realm = account_realm(rig, rig.alpha)
    rig.sims[0].register_device("9101", realm)
    device = {"id": "inline-phone", "name": "Inline phone",
              "sip": {"username": "9101", "password": "pw12345"}}
    reply = dial(rig, conference_id, {"endpoints": [device]})
    assert reply.status_code == 200, reply.get_json()
    (leg,) = reply.get_json()["data"]["endpoint_responses"]
    assert leg["endpoint_id"] == "inline-phone" and leg["status"] == "success"
    assert any(f"}}user/9101@{realm}" in c for c in rig.sims[0].command_log if " bgdial " in c)


def test_a_sip_uri_at_the_accounts_own_realm_is_its_registered_device(rig):
    conference_id, room = running_room(rig)
    realm = account_realm(rig, rig.alpha)
    rig.sims[0].register_device("9201", realm)
    reply = dial(rig, conference_id, {"endpoints": [f"sip:9201@{realm.upper()}:5060"]})
    assert reply.status_code == 200, reply.get_json()
    assert reply.get_json()["data"]["endpoint_responses"][0]["status"] == "success"
    (sent,) = [c for c in rig.sims[0].command_log if " bgdial " in c]
    assert f"}}user/9201@{realm} " in sent + " "
