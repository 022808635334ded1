"""Account B knows the id of account A's live conference: every path answers 404
and nothing reaches A's room (its FreeSWITCH name starts with A's account id)."""
import pytest

from tests.integration.test_live_support import rig  # noqa: F401 (fixture)

pytestmark = pytest.mark.both_stores   # embedded and CouchDB-API (tests.support.api)


@pytest.fixture
def alpha_room(rig):
    conference_id = rig.create_conference(rig.alpha)
    room = rig.room(rig.alpha, conference_id)
    member = rig.sims[1].join(room, "1001", "Alice")
    started = rig.call("PUT", rig.alpha, conference_id,
                       body={"action": "record", "data": {"action": "start"}})
    assert started.status_code == 202, started.get_json()
    return conference_id, room, member, started.get_json()["data"]["recording"]["id"]


def paths(conference_id, member_id, recording_id):
    actions = [{"action": name, "data": data} for name, data in (
        ("lock", {}), ("unlock", {}), ("play", {"media_id": "https://x.example/a.wav"}),
        ("record", {"action": "start"}), ("record", {"action": "stop"}))]
    member_actions = [{"data": {"action": name}} for name in
                      ("mute", "unmute", "deaf", "undeaf", "kick")]
    member_actions.append({"data": {"action": "play", "data": {"media_id": "tts://hello"}}})
    bulk = member_actions[:5] + [
        {"data": {"action": "play", "data": {"media_id": "tts://hello"}}},
        {"data": {"action": "relate", "data": {"participant_id": member_id,
                                               "other_participant": member_id}}}]
    yield "GET", "", None
    for body in actions:
        yield "PUT", "", body
    yield "GET", "/participants", None
    for body in bulk:
        yield "PUT", "/participants", body
    yield "GET", f"/participants/{member_id}", None
    for body in member_actions:
        yield "PUT", f"/participants/{member_id}", body
    yield "GET", "/recordings", None
    yield "GET", f"/recordings/{recording_id}", None
    yield "GET", f"/recordings/{recording_id}/raw", None


def test_every_path_is_404_for_another_account(rig, alpha_room):
    conference_id, room, member, recording_id = alpha_room
    before = rig.wire_json_list(rig.sims[1], room)
    marks = [len(sim.command_log) for sim in rig.sims]
    for method, tail, body in paths(conference_id, member.id, recording_id):
        reply = rig.call(method, rig.beta, conference_id, tail, body=body)
        assert reply.status_code == 404, (method, tail, body, reply.get_json())
    for sim, mark in zip(rig.sims, marks):
        touched = [c for c in sim.command_log[mark:] if rig.alpha.account_id in c]
        assert touched == []
    after = rig.wire_json_list(rig.sims[1], room)
    assert after[0]["locked"] == before[0]["locked"]

    def control_state(listed):
        return [(m.get("id"), m.get("type"), {k: (m.get("flags") or {}).get(k) for k in
                                              ("can_speak", "can_hear", "is_moderator")})
                for m in listed[0]["members"]]
    assert control_state(after) == control_state(before)


def test_another_accounts_url_is_forbidden(rig, alpha_room):
    conference_id, _, member, _ = alpha_room
    url = f"/v2/accounts/{rig.alpha.account_id}/conferences/{conference_id}"
    for method, tail in (("GET", ""), ("PUT", ""), ("GET", "/participants"),
                         ("PUT", f"/participants/{member.id}")):
        reply = rig.api.call(method, url + tail, token=rig.beta.token,
                             body={"action": "lock", "data": {"action": "mute"}})
        assert reply.status_code == 403, (method, tail)


def test_dial_with_the_same_id_makes_the_other_accounts_own_room(rig, alpha_room):
    conference_id, room, _, _ = alpha_room
    rig.create_conference(rig.beta, conference_numbers=["5550199"])   # ours: the dialplan
    rig.sims[0].add_extension(r"^5550199$", lambda channel, match: channel.answer())
    reply = rig.call("PUT", rig.beta, conference_id,
                     body={"action": "dial", "data": {"data": {"endpoints": ["5550199"]}}})
    assert reply.status_code == 200, reply.get_json()
    assert reply.get_json()["data"]["endpoint_responses"][0]["status"] == "success"
    assert len(rig.wire_members(rig.sims[1], room)) == 1  # A's room untouched
    beta_room = rig.room(rig.beta, conference_id)
    assert any(rig.wire_json_list(sim, beta_room) for sim in rig.sims)
    beta_view = rig.call("GET", rig.beta, conference_id).get_json()["data"]["_read_only"]
    alpha_view = rig.call("GET", rig.alpha, conference_id).get_json()["data"]["_read_only"]
    assert {p["call_id"] for p in beta_view["participants"]}.isdisjoint(
        {p["call_id"] for p in alpha_view["participants"]})


def test_alpha_cannot_ring_betas_devices(rig):
    from tests.integration.test_live_dial import account_realm, make_device
    beta_realm = account_realm(rig, rig.beta)
    user = rig.api.call("PUT", f"/v2/accounts/{rig.beta.account_id}/users",
                        {"first_name": "Bea", "last_name": "Beta", "username": "bea",
                         "password": "bea-pass-1"}, token=rig.beta.token)
    assert user.status_code == 201, user.get_json()
    beta_user = user.get_json()["data"]["id"]
    beta_device = make_device(rig, rig.beta, "7777", owner_id=beta_user)  # registered on both sims
    conference_id = rig.create_conference(rig.alpha)
    room = rig.room(rig.alpha, conference_id)
    rig.sims[0].join(room, "1001", "Alice")
    marks = [len(sim.command_log) for sim in rig.sims]

    def dial(endpoint):
        return rig.call("PUT", rig.alpha, conference_id, body={
            "action": "dial", "data": {"data": {"endpoints": [endpoint]}}})

    by_object = dial({"name": "B phone", "sip": {"username": "7777", "realm": beta_realm}})
    assert by_object.status_code == 400, by_object.get_json()
    assert "endpoints.0.sip.realm" in by_object.get_json()["data"]
    routed = dial({"name": "B route", "sip": {"invite_format": "route",
                                           "route": f"sip:7777@{beta_realm}"}})
    assert routed.status_code == 400, routed.get_json()
    for uri in (f"sip:7777@{beta_realm}", f"sip:7777@{beta_realm.upper()}:5060"):
        by_uri = dial(uri)
        assert by_uri.status_code == 400, (uri, by_uri.get_json())
        assert "endpoints.0" in by_uri.get_json()["data"]
    for doc_id in (beta_device, beta_user):
        by_id = dial(doc_id)
        assert by_id.status_code == 404, (doc_id, by_id.get_json())
    for sim, mark in zip(rig.sims, marks):
        assert not [c for c in sim.command_log[mark:] if "dial" in c or beta_realm in c]


def test_a_device_cannot_name_another_accounts_realm(rig):
    from tests.integration.test_live_dial import account_realm
    beta_realm = account_realm(rig, rig.beta)
    base = f"/v2/accounts/{rig.alpha.account_id}/devices"
    reply = rig.api.call("PUT", base, {"name": "Sneaky", "sip": {
        "username": "7777", "password": "pw12345", "realm": beta_realm}}, token=rig.alpha.token)
    assert reply.status_code == 400, reply.get_json()
    assert reply.get_json()["data"]["sip.realm"]["invalid"]["message"] \
        == "sip.realm must be the account's realm"
    own = rig.api.call("PUT", base, {"name": "Fine", "sip": {
        "username": "7778", "password": "pw12345",
        "realm": account_realm(rig, rig.alpha).upper()}}, token=rig.alpha.token)
    assert own.status_code == 201, own.get_json()
