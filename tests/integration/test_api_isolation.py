"""Tenant isolation, generated from the app's url_map so no route is forgotten:
a token of account A gets 403/404 on every path and method of a sibling B, B's
documents named under A's own account are 404, and nothing of B changes."""
import re

import pytest

from kzcore.naming import ACCOUNTS_DB, account_db

pytestmark = pytest.mark.both_stores   # embedded and CouchDB-API (tests.support.api)

IGNORED_METHODS = {"HEAD", "OPTIONS"}
# Routes handing the conference to the live-control part: with no FreeSWITCH node
# configured they answer 503 before any lookup of a live conference.
LIVE_ENDPOINTS = {"conferences_action", "participants_list", "participants_action",
                  "participant_get", "participant_action", "recordings_list", "recording_get",
                  "recording_raw", "recording_delete", "recording_playback_link",
                  "transcripts_list", "transcript_get", "transcript_raw", "transcript_delete"}


def _account_routes(app):
    for rule in app.url_map.iter_rules():
        if "<account_id>" in rule.rule:
            for method in sorted(rule.methods - IGNORED_METHODS):
                yield rule, method


def _fill(rule, account_id, docs):
    collection = re.search(r"/accounts/<account_id>/(\w+)/<doc_id>", rule.rule)

    def value(match):
        name = match.group(1)
        if name == "account_id":
            return account_id
        if name == "doc_id":
            return docs[collection.group(1)]
        if name == "conference_id":
            return docs["conferences"]
        return "1"
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", value, rule.rule)


# Valid bodies, so that a refusal can only come from the access rules.
ACTION_BODIES = {"conferences_action": {"action": "lock", "data": {}},
                 "participants_action": {"data": {"action": "mute"}},
                 "participant_action": {"data": {"action": "mute"}}}


def _request(api, method, path, token, endpoint=""):
    if path.endswith("/raw") and method in ("PUT", "POST"):
        return api.client.open(path, method=method, data=b"RIFFdata", content_type="audio/wav",
                               headers={"X-Auth-Token": token})
    body = ACTION_BODIES.get(endpoint.rsplit(".", 1)[-1], {"data": {"name": "intruder"}})
    return api.call(method, path, body=body if method in ("PUT", "POST", "PATCH") else None,
                    token=token)


def _seed(api, account):
    base = f"/v2/accounts/{account.account_id}"
    ids = {}
    for collection, data in (("conferences", {"name": "B conf"}),
                             ("users", {"username": "bee", "password": "pw",
                                        "first_name": "B", "last_name": "User"}),
                             ("devices", {"name": "B phone"}),
                             ("media", {"name": "B media"}),
                             ("webhooks", {"name": "B hook", "hook": "all",
                                           "uri": "https://hooks.example.com/b"}),
                             ("resources", {"name": "B carrier",
                                            "gateways": [{"server": "sip.b.example"}]})):
        reply = api.call("PUT", f"{base}/{collection}", data, token=account.token)
        assert reply.status_code == 201, reply.get_json()
        ids[collection] = reply.get_json()["data"]["id"]
    media_raw = api.client.put(f"{base}/media/{ids['media']}/raw", data=b"RIFFb",
                               content_type="audio/wav", headers={"X-Auth-Token": account.token})
    assert media_raw.status_code == 200
    return ids


def _snapshot(store, account_id):
    docs = {doc["_id"]: doc["_rev"] for doc in store.all_docs(account_db(account_id))}
    docs["account"] = store.get(ACCOUNTS_DB, account_id)["_rev"]
    return docs


@pytest.fixture
def siblings(api):
    alpha, beta = api.create_sibling_pair()
    return alpha, beta, _seed(api, alpha), _seed(api, beta)


def test_sibling_token_gets_403_or_404_on_every_account_path(api, siblings):
    alpha, beta, _alpha_ids, beta_ids = siblings
    before = _snapshot(api.store, beta.account_id)
    checked = []
    for rule, method in _account_routes(api.app):
        path = _fill(rule, beta.account_id, beta_ids)
        reply = _request(api, method, path, alpha.token, rule.endpoint)
        assert reply.status_code in (403, 404), (method, path, reply.status_code)
        assert reply.get_json()["status"] == "error"
        checked.append((method, rule.rule))
    assert len(checked) >= 35
    assert _snapshot(api.store, beta.account_id) == before


def test_sibling_document_ids_under_own_account_are_404(api, siblings):
    alpha, beta, _alpha_ids, beta_ids = siblings
    before = _snapshot(api.store, beta.account_id)
    for rule, method in _account_routes(api.app):
        if "<doc_id>" not in rule.rule and "<conference_id>" not in rule.rule:
            continue
        path = _fill(rule, alpha.account_id, beta_ids)
        reply = _request(api, method, path, alpha.token, rule.endpoint)
        allowed = (404, 503) if rule.endpoint.rsplit(".", 1)[-1] in LIVE_ENDPOINTS else (404,)
        assert reply.status_code in allowed, (method, path, reply.status_code)
    assert _snapshot(api.store, beta.account_id) == before


def test_parent_reaches_child_on_every_read_path(api, siblings):
    _alpha, beta, _alpha_ids, beta_ids = siblings
    for rule, method in _account_routes(api.app):
        if method != "GET":
            continue
        path = _fill(rule, beta.account_id, beta_ids)
        reply = _request(api, method, path, api.root.token, rule.endpoint)
        endpoint = rule.endpoint.rsplit(".", 1)[-1]
        expected = (503,) if endpoint in LIVE_ENDPOINTS else (200,)
        assert reply.status_code in expected, (path, reply.status_code)


def test_child_cannot_reach_parent_or_sibling_and_root_can_write_child(api, siblings):
    alpha, beta, _alpha_ids, _beta_ids = siblings
    assert api.call("GET", f"/v2/accounts/{api.root.account_id}",
                    token=alpha.token).status_code == 403
    assert api.call("PUT", f"/v2/accounts/{beta.account_id}", {"name": "Sneaky Sub"},
                    token=alpha.token).status_code == 403
    reply = api.call("PUT", f"/v2/accounts/{beta.account_id}/conferences", {"name": "by root"},
                     token=api.root.token)
    assert reply.status_code == 201


WRITE_METHODS = {"PUT", "POST", "PATCH", "DELETE"}


def test_account_less_write_routes_refuse_a_plain_account(api, siblings):
    """Every non-public write route without ``<account_id>`` (PUT /v2/accounts:
    top-level accounts) is for superduper admins only: a sibling's token gets 403
    and no account document or database appears or changes."""
    alpha, beta, _alpha_ids, _beta_ids = siblings
    accounts_before = {doc["_id"]: doc["_rev"] for doc in api.store.all_docs(ACCOUNTS_DB)}
    before = _snapshot(api.store, beta.account_id)
    checked = []
    for rule in api.app.url_map.iter_rules():
        view = api.app.view_functions[rule.endpoint]
        if "<account_id>" in rule.rule or not rule.rule.startswith("/v2") \
                or getattr(view, "kz_public", False):
            continue
        for method in sorted(rule.methods & WRITE_METHODS):
            reply = _request(api, method, rule.rule, alpha.token, rule.endpoint)
            assert reply.status_code == 403, (method, rule.rule, reply.status_code)
            assert reply.get_json()["status"] == "error"
            checked.append((method, rule.rule))
    assert ("PUT", "/v2/accounts") in checked
    assert {doc["_id"]: doc["_rev"] for doc in api.store.all_docs(ACCOUNTS_DB)} == accounts_before
    assert _snapshot(api.store, beta.account_id) == before
