"""The API contract on both document stores (embedded and a real CouchDB-API
server) through the shared ``store`` fixture."""
import hashlib

import pytest


@pytest.fixture
def backend_api(app_factory, store):
    return app_factory(store=store)


def test_conference_crud_contract(backend_api):
    api = backend_api
    confs = f"/v2/accounts/{api.root.account_id}/conferences"
    reply = api.call("PUT", confs, {"name": "Room", "conference_numbers": ["6000"]},
                     token=api.root.token)
    assert reply.status_code == 201, reply.get_json()
    conf_id = reply.get_json()["data"]["id"]
    rev1 = reply.get_json()["revision"]
    got = api.call("GET", f"{confs}/{conf_id}", token=api.root.token).get_json()
    assert got["data"]["name"] == "Room" and got["data"]["_read_only"]["members"] == 0
    patched = api.call("PATCH", f"{confs}/{conf_id}", {"name": "Room 2"}, token=api.root.token)
    assert patched.status_code == 200 and patched.get_json()["data"]["conference_numbers"] == \
        ["6000"]
    stale = api.call("POST", f"{confs}/{conf_id}", {"name": "Room 3", "_rev": rev1},
                     token=api.root.token)
    assert stale.status_code == 409
    clash = api.call("PUT", confs, {"name": "Other", "member": {"numbers": ["6000"]}},
                     token=api.root.token)
    assert clash.status_code == 400
    assert clash.get_json()["data"]["member.numbers"]["unique"]["message"] == \
        "Numbers already in use"
    listed = api.call("GET", confs, token=api.root.token).get_json()
    assert [item["name"] for item in listed["data"]] == ["Room 2"]
    assert api.call("DELETE", f"{confs}/{conf_id}", token=api.root.token).status_code == 200
    assert api.call("GET", f"{confs}/{conf_id}", token=api.root.token).status_code == 404


def test_pagination_and_filters_contract(backend_api):
    api = backend_api
    confs = f"/v2/accounts/{api.root.account_id}/conferences"
    for n in range(5):
        assert api.call("PUT", confs, {"name": f"room-{n}", "play_name": n % 2 == 0},
                        token=api.root.token).status_code == 201
    first = api.call("GET", confs, token=api.root.token,
                     query_string={"page_size": 2}).get_json()
    second = api.call("GET", confs, token=api.root.token,
                      query_string={"page_size": 10,
                                    "start_key": first["next_start_key"]}).get_json()
    assert len(first["data"]) == 2 and len(second["data"]) == 3
    assert "next_start_key" not in second
    assert {i["name"] for i in first["data"] + second["data"]} == {f"room-{n}" for n in range(5)}
    odd = api.call("GET", confs, token=api.root.token,
                   query_string={"filter_play_name": "false"}).get_json()["data"]
    assert sorted(i["name"] for i in odd) == ["room-1", "room-3"]


def test_media_attachment_and_user_auth_contract(backend_api):
    api = backend_api
    base = f"/v2/accounts/{api.root.account_id}"
    media = api.call("PUT", f"{base}/media", {"name": "m"}, token=api.root.token).get_json()
    media_id = media["data"]["id"]
    audio = bytes(range(256)) * 40
    assert api.client.put(f"{base}/media/{media_id}/raw", data=audio, content_type="audio/wav",
                          headers={"X-Auth-Token": api.root.token}).status_code == 200
    assert api.call("POST", f"{base}/media/{media_id}", {"name": "renamed"},
                    token=api.root.token).status_code == 200
    download = api.client.get(f"{base}/media/{media_id}/raw",
                              headers={"X-Auth-Token": api.root.token})
    assert download.status_code == 200 and download.get_data() == audio
    user = {"username": "carol", "password": "pw", "first_name": "C", "last_name": "D"}
    assert api.call("PUT", f"{base}/users", user, token=api.root.token).status_code == 201
    login = api.call("PUT", "/v2/user_auth", {
        "credentials": hashlib.md5(b"carol:pw").hexdigest(), "account_name": api.root.name})
    assert login.status_code == 201


def test_isolation_contract(backend_api):
    api = backend_api
    alpha, beta = api.create_sibling_pair()
    conf = api.call("PUT", f"/v2/accounts/{beta.account_id}/conferences", {"name": "b"},
                    token=beta.token).get_json()["data"]
    assert api.call("GET", f"/v2/accounts/{beta.account_id}/conferences/{conf['id']}",
                    token=alpha.token).status_code == 403
    assert api.call("GET", f"/v2/accounts/{alpha.account_id}/conferences/{conf['id']}",
                    token=alpha.token).status_code == 404
    assert api.call("GET", f"/v2/accounts/{beta.account_id}/conferences/{conf['id']}",
                    token=api.root.token).status_code == 200


def test_top_level_account_and_user_auth_by_phone_number_contract(backend_api):
    api = backend_api
    top = api.call("PUT", "/v2/accounts", {"name": "Top Co"}, token=api.root.token)
    assert top.status_code == 201, top.get_json()
    top_id = top.get_json()["data"]["id"]
    assert api.store.get("accounts", top_id)["pvt_tree"] == [api.root.account_id]
    child = api.create_account(api.root, "Child Co")
    assert api.call("PUT", "/v2/accounts", {"name": "Refused Co"},
                    token=child.token).status_code == 403
    base = f"/v2/accounts/{top_id}"
    assert api.call("PUT", f"{base}/users", {"username": "tara", "password": "pw",
                                             "first_name": "T", "last_name": "C"},
                    token=api.root.token).status_code == 201
    assert api.call("PUT", f"{base}/conferences", {"name": "r", "conference_numbers": ["6100"]},
                    token=api.root.token).status_code == 201
    assert api.call("PUT", f"/v2/accounts/{child.account_id}/conferences",
                    {"name": "c", "conference_numbers": ["6200"]},
                    token=child.token).status_code == 201
    creds = hashlib.md5(b"tara:pw").hexdigest()
    login = api.call("PUT", "/v2/user_auth", {"credentials": creds, "phone_number": "+6100"})
    assert login.status_code == 201 and login.get_json()["data"]["account_id"] == top_id
    for number in ("6200", "6300"):  # another account's number, an unknown one
        refused = api.call("PUT", "/v2/user_auth", {"credentials": creds, "phone_number": number})
        assert refused.status_code == 401 and refused.get_json()["error_id"] == \
            "invalid_credentials"
