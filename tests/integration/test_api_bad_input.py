"""README: "A bad document gets a Kazoo-shaped validation error (HTTP 400) and
changes nothing" -- checked by re-reading the whole store, not only the reply.

The routes come from the app's url_map, so a resource added later (its PUT,
POST and PATCH) is covered without touching this file. Live actions refused by
crossbar (bad action, bad data, a room not running) change nothing either."""
import re

import pytest

from kzcore import conference_numbers
from kzcore.naming import ACCOUNTS_DB, SCHEMAS_DB, account_db
from tests.integration.test_live_support import rig  # noqa: F401 (fixture)

pytestmark = pytest.mark.both_stores   # embedded and CouchDB-API (tests.support.api)

WRITE_METHODS = ("PUT", "POST", "PATCH")
# PUT on these is not a document write but a live action (no FreeSWITCH in the
# ``api`` app: 503; see the rig tests below); nor are .../api_key (PUT rotates the
# key, whatever the body) and .../raw (audio, not JSON: its own test below).
NOT_DOCUMENTS = {"conferences_action", "participants_action", "participant_action",
                 "webhooks_rotate_secret"}   # takes no body: a new secret whatever is sent
# Invalid for every resource: not JSON, no object under "data", wrong types.
BAD_BODIES = {
    "malformed JSON": '{"data": {"name": ',
    "data not an object": '{"data": "a string"}',
    "data a list": '{"data": [1, 2]}',
    "wrong types": '{"data": {"name": ["not", "a", "string"], "first_name": 7, "last_name": 8}}',
}
README_BAD_CONFERENCE = '{"data": {"name": "x", "conference_numbers": ["not-a-number"]}}'


def store_snapshot(store):
    """``{(db, doc_id): rev}`` of every document crossbar keeps: the accounts, each
    account's database, the number index and the schemas."""
    accounts = [doc["_id"] for doc in store.all_docs(ACCOUNTS_DB)]
    databases = [ACCOUNTS_DB, SCHEMAS_DB, conference_numbers.INDEX_DB] + [
        account_db(account_id) for account_id in accounts]
    return {(db, doc["_id"]): doc["_rev"] for db in databases if store.db_exists(db)
            for doc in store.all_docs(db)}


def seed(api):
    """One document of each collection of the root account, and a child account."""
    base = f"/v2/accounts/{api.root.account_id}"
    ids = {}
    for collection, data in (("conferences", {"name": "Room", "conference_numbers": ["7100"]}),
                             ("users", {"username": "u1", "password": "pw", "first_name": "U",
                                        "last_name": "One"}),
                             ("devices", {"name": "Phone"}),
                             ("media", {"name": "Tune"}),
                             ("webhooks", {"name": "Hook", "uri": "https://hooks.example.com/k",
                                           "hook": "all"}),
                             ("resources", {"name": "Carrier", "rules": ["^\\+1\\d{10}$"],
                                            "gateways": [{"server": "sip.carrier.example"}]})):
        reply = api.call("PUT", f"{base}/{collection}", data, token=api.root.token)
        assert reply.status_code == 201, reply.get_json()
        ids[collection] = reply.get_json()["data"]["id"]
    ids["account"] = api.create_account(api.root, "Child Co").account_id
    return ids


def document_routes(app):
    """``(method, rule)`` of every document write under an account."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        endpoint = rule.endpoint.rsplit(".", 1)[-1]
        if "<account_id>" not in rule.rule or endpoint in NOT_DOCUMENTS \
                or rule.rule.endswith(("/raw", "/api_key")):
            continue
        for method in WRITE_METHODS:
            if method in rule.methods:
                yield method, rule


def fill(rule, root_id, ids):
    collection = re.search(r"/accounts/<account_id>/(\w+)/<", rule.rule)

    def value(match):
        name = match.group(1)
        if name == "account_id":
            return ids["account"] if rule.rule == "/v2/accounts/<account_id>" else root_id
        return ids[collection.group(1)]
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", value, rule.rule)


def send(api, method, path, text):
    return api.client.open(path, method=method, data=text, content_type="application/json",
                           headers={"X-Auth-Token": api.root.token})


def test_every_bad_document_write_is_400_and_changes_nothing(api):
    ids = seed(api)
    before = store_snapshot(api.store)
    checked = set()
    for method, rule in document_routes(api.app):
        path = fill(rule, api.root.account_id, ids)
        for label, text in BAD_BODIES.items():
            reply = send(api, method, path, text)
            assert reply.status_code == 400, (method, path, label, reply.get_json())
            body = reply.get_json()
            assert body["status"] == "error" and body["error"] == "400", (method, path, label)
            assert store_snapshot(api.store) == before, (method, path, label)
        checked.add((method, rule.rule))
    conference = "/v2/accounts/<account_id>/conferences/<conference_id>"
    assert {("POST", conference), ("PATCH", conference),
            ("PUT", "/v2/accounts/<account_id>/conferences"),
            ("PUT", "/v2/accounts/<account_id>/users"), ("PUT", "/v2/accounts/<account_id>/devices"),
            ("PUT", "/v2/accounts/<account_id>/media"), ("PUT", "/v2/accounts/<account_id>"),
            ("PATCH", "/v2/accounts/<account_id>/users/<doc_id>")} <= checked


def test_the_readme_bad_conference_is_a_validation_error_and_changes_nothing(api):
    ids = seed(api)
    before = store_snapshot(api.store)
    base = f"/v2/accounts/{api.root.account_id}/conferences"
    for method, path in (("PUT", base), ("POST", f"{base}/{ids['conferences']}"),
                         ("PATCH", f"{base}/{ids['conferences']}")):
        reply = send(api, method, path, README_BAD_CONFERENCE)
        assert reply.status_code == 400
        errors = reply.get_json()["data"]
        assert "conference_numbers.0" in errors or "conference_numbers" in errors, errors
        assert store_snapshot(api.store) == before, (method, path)
    assert conference_numbers.lookup(api.store, "not-a-number") is None


def test_a_refused_media_upload_changes_nothing(api):
    ids = seed(api)
    before = store_snapshot(api.store)
    raw = f"/v2/accounts/{api.root.account_id}/media/{ids['media']}/raw"
    for method in ("PUT", "POST"):
        reply = api.client.open(raw, method=method, data=b"<script>", content_type="text/html",
                                headers={"X-Auth-Token": api.root.token})
        assert reply.status_code == 400, reply.get_json()
    assert store_snapshot(api.store) == before


# --- live actions refused by crossbar ----------------------------------------

def room_with_a_member(rig):
    conference_id = rig.create_conference(rig.alpha)
    member = rig.sims[0].join(rig.room(rig.alpha, conference_id), "1001", "Alice")
    return conference_id, member


REFUSED_ACTIONS = [   # (tail, body, expected status): crossbar refuses before the switch
    ("", {"action": "explode", "data": {}}, 400),
    ("", {"action": "play", "data": {}}, 400),
    ("", {"action": "play", "data": {"media_id": "0" * 32}}, 404),
    ("", {"action": "record", "data": {"action": "sideways"}}, 400),
    ("", {"action": "dial", "data": {"data": {"endpoints": []}}}, 400),
    ("", {"action": "dial", "data": {"data": {"endpoints": ["1000"],
                                              "participant_flags": ["fly"]}}}, 400),
    ("/participants", {"data": {"action": "explode"}}, 400),
    ("/participants/{member}", {"data": {"action": "explode"}}, 400),
    ("/participants/99999", {"data": {"action": "mute"}}, 404),
]


ACTION_FLAGS = ("can_hear", "can_speak", "is_moderator", "hold")   # not the floor: it moves


def room_state(rig, conference_id):
    """What an action could change on the switch: lock, members and their flags."""
    (room,) = rig.wire_json_list(rig.sims[0], rig.room(rig.alpha, conference_id))
    members = {m["id"]: {flag: m["flags"][flag] for flag in ACTION_FLAGS}
               for m in room["members"] if m.get("type") == "caller"}
    return room["locked"], room["recording"], members


def reads_only(commands):
    return all(c.endswith((" json_list", " list count", " list")) for c in commands)


def test_refused_conference_actions_change_nothing(rig):
    conference_id, member = room_with_a_member(rig)
    before_store = store_snapshot(rig.api.store)
    before_wire = room_state(rig, conference_id)
    for tail, body, status in REFUSED_ACTIONS:
        marks = [len(sim.command_log) for sim in rig.sims]
        reply = rig.call("PUT", rig.alpha, conference_id, tail.format(member=member.id), body=body)
        assert reply.status_code == status, (tail, body, reply.get_json())
        assert store_snapshot(rig.api.store) == before_store, (tail, body)
        sent = [c for sim, mark in zip(rig.sims, marks) for c in sim.command_log[mark:]]
        if status == 400:          # refused by crossbar: nothing but reads reached a switch
            assert reads_only(sent), (body, sent)
    assert room_state(rig, conference_id) == before_wire


def test_a_refused_dial_into_an_unknown_conference_creates_no_document(rig):
    before = store_snapshot(rig.api.store)
    new_id = "e" * 32
    reply = rig.call("PUT", rig.alpha, new_id, body={"action": "dial", "data": {
        "data": {"endpoints": ["1000"], "participant_flags": ["fly"]}}})
    assert reply.status_code == 400
    assert store_snapshot(rig.api.store) == before
    assert rig.api.call("GET", rig.url(rig.alpha, new_id), token=rig.alpha.token).status_code == 404
