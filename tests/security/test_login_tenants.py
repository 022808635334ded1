"""What a login or a rename tells about other tenants, over HTTP: a disabled
account answers exactly like a wrong password, and renaming your account to
another tenant's name or realm gets one answer that neither echoes the value
nor says whose it is (names and realms stay unique: they are login keys)."""
import pytest
import requests

from tests.security.limits_support import crossbar_server, md5_credentials


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    made = crossbar_server(tmp_path_factory.mktemp("tenants"))
    yield made
    made.stop()


def _call(server, method, path, token, data=None):
    reply = requests.request(method, server.url(path), timeout=5, headers={"X-Auth-Token": token},
                             json=None if data is None else {"data": data})
    return reply.status_code, reply.json()


def _tenant(server, root_token, name, realm):
    status, body = _call(server, "PUT", f"/v2/accounts/{server.admin['account_id']}", root_token,
                         {"name": name, "realm": realm})
    assert status == 201, body
    account_id = body["data"]["id"]
    status, body = _call(server, "PUT", f"/v2/accounts/{account_id}/users", root_token,
                         {"username": "owner", "password": "right-pass",
                          "first_name": "O", "last_name": "W"})
    assert status == 201, body
    _, body = _call(server, "GET", f"/v2/accounts/{account_id}/api_key", root_token)
    token = requests.put(server.url("/v2/api_auth"), json={"data": {"api_key": body["data"][
        "api_key"]}}, timeout=5).json()["auth_token"]
    return account_id, token


def _user_auth(server, account_name, password):
    reply = requests.put(server.url("/v2/user_auth"), timeout=5, json={"data": {
        "credentials": md5_credentials("owner", password), "account_name": account_name}})
    body = reply.json()
    return reply.status_code, {k: body.get(k) for k in ("data", "error", "error_id", "message")}


def test_a_disabled_account_answers_like_a_wrong_password(server):
    root = server.token()
    account_id, _ = _tenant(server, root, "Sleepy Co", "sleepy.test.local")
    assert _user_auth(server, "Sleepy Co", "right-pass")[0] == 201
    status, _ = _call(server, "PATCH", f"/v2/accounts/{account_id}", root, {"enabled": False})
    assert status == 200
    right = _user_auth(server, "Sleepy Co", "right-pass")
    wrong = _user_auth(server, "Sleepy Co", "wrong-pass")
    unknown = _user_auth(server, "No Such Co", "right-pass")
    assert right == wrong == unknown
    assert right[0] == 401 and right[1]["message"] == "invalid credentials"


def test_renaming_to_another_tenants_name_or_realm_reveals_nothing_about_it(server):
    root = server.token()
    victim_id, _ = _tenant(server, root, "Victim Corp", "victim.test.local")
    probe_id, probe = _tenant(server, root, "Probe Corp", "probe.test.local")
    answers = []
    for change in ({"name": "victim corp"}, {"realm": "victim.test.local"},
                   {"name": "VICTIM-CORP", "realm": "victim.test.local"}):
        status, body = _call(server, "PATCH", f"/v2/accounts/{probe_id}", probe, change)
        assert status == 400, body
        text = str((body["message"], body["data"])).lower()
        assert "victim" not in text and victim_id not in text
        answers.append((body["message"], body["data"]))
    assert answers[0] == answers[1] == answers[2]
    message, data = answers[0]
    assert message == "validation error"
    assert data == {"name": {"unique": {"message": "Account name or realm unavailable"}},
                    "realm": {"unique": {"message": "Account name or realm unavailable"}}}
    status, body = _call(server, "GET", f"/v2/accounts/{probe_id}", probe)
    assert (body["data"]["name"], body["data"]["realm"]) == ("Probe Corp", "probe.test.local")
