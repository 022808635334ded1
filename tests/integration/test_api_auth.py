"""Authentication as a Kazoo client does it (api_auth, user_auth md5/sha1)."""
import hashlib

import pytest

from kzcore.tokens import TokenSigner
from tests.support.api import ADMIN

pytestmark = pytest.mark.both_stores   # embedded and CouchDB-API (tests.support.api)


def _user_auth(api, credentials, **extra):
    return api.call("PUT", "/v2/user_auth", {"credentials": credentials, **extra})


def test_api_auth_returns_token_at_envelope_root_and_account_id(api):
    reply = api.call("PUT", "/v2/api_auth", {"api_key": api.admin["api_key"]})
    body = reply.get_json()
    assert reply.status_code == 201 and body["status"] == "success"
    assert body["data"]["account_id"] == api.admin["account_id"]
    assert body["auth_token"] and reply.headers["X-Request-Id"] == body["request_id"]
    claims = api.call("GET", "/v2/token_auth", token=body["auth_token"]).get_json()["data"]
    assert claims["account_id"] == api.admin["account_id"] and claims["method"] == "api_auth"


def test_api_auth_with_wrong_key_is_401(api):
    reply = api.call("PUT", "/v2/api_auth", {"api_key": "0" * 64})
    assert reply.status_code == 401
    body = reply.get_json()
    assert body["error"] == "401" and body["error_id"] == "invalid_credentials"
    assert "auth_token" in body and body["auth_token"] == ""


def test_user_auth_md5_by_account_name(api):
    creds = hashlib.md5(f"{ADMIN['username']}:{ADMIN['password']}".encode()).hexdigest()
    reply = _user_auth(api, creds, account_name=ADMIN["account_name"])
    body = reply.get_json()
    assert reply.status_code == 201, body
    assert body["data"]["account_id"] == api.admin["account_id"]
    owner_id = body["data"]["owner_id"]
    user = api.call("GET", f"/v2/accounts/{api.admin['account_id']}/users/{owner_id}",
                    token=body["auth_token"]).get_json()["data"]
    assert user["username"] == ADMIN["username"]


def test_user_auth_sha1_and_by_realm(api):
    creds = hashlib.sha1(f"{ADMIN['username']}:{ADMIN['password']}".encode()).hexdigest()
    reply = _user_auth(api, creds, account_realm=ADMIN["realm"], method="sha")
    assert reply.status_code == 201, reply.get_json()
    md5 = hashlib.md5(f"{ADMIN['username']}:{ADMIN['password']}".encode()).hexdigest()
    # an md5 hash presented as sha does not match
    assert _user_auth(api, md5, account_realm=ADMIN["realm"], method="sha").status_code == 401


def test_user_auth_wrong_password_or_account_is_401(api):
    wrong = hashlib.md5(f"{ADMIN['username']}:nope".encode()).hexdigest()
    assert _user_auth(api, wrong, account_name=ADMIN["account_name"]).status_code == 401
    right = hashlib.md5(f"{ADMIN['username']}:{ADMIN['password']}".encode()).hexdigest()
    assert _user_auth(api, right, account_name="no such account").status_code == 401


def test_user_auth_without_credentials_is_kazoo_validation_error(api):
    reply = api.call("PUT", "/v2/user_auth", {"account_name": ADMIN["account_name"]})
    body = reply.get_json()
    assert reply.status_code == 400 and body["message"] == "validation error"
    assert "required" in body["data"]["credentials"]


def test_requests_without_or_with_bad_tokens_are_401(api):
    path = f"/v2/accounts/{api.root.account_id}/conferences"
    assert api.call("GET", path).status_code == 401
    assert api.call("GET", path, token="garbage.token").status_code == 401
    tampered = api.root.token[:-2] + ("AA" if not api.root.token.endswith("AA") else "BB")
    assert api.call("GET", path, token=tampered).status_code == 401
    body = api.call("GET", path).get_json()
    assert body["status"] == "error" and body["error_id"] == "invalid_credentials"


def test_expired_token_is_401(api):
    expired = TokenSigner("test-secret-for-crossbar", 10, clock=lambda: 1000.0).issue(
        {"account_id": api.root.account_id})
    reply = api.call("GET", f"/v2/accounts/{api.root.account_id}", token=expired)
    assert reply.status_code == 401 and "expired" in reply.get_json()["message"]


def test_bearer_authorization_header_is_accepted(api):
    reply = api.client.get(f"/v2/accounts/{api.root.account_id}",
                           headers={"Authorization": f"Bearer {api.root.token}"})
    assert reply.status_code == 200
    assert reply.get_json()["data"]["id"] == api.root.account_id


# --- user_auth by phone_number: the account owning a conference's dialled number ---------

def _tenant(api, name, username, password, **conference):
    """A child account of the root with one user and one conference."""
    account = api.create_account(api.root, name)
    base = f"/v2/accounts/{account.account_id}"
    user = api.call("PUT", f"{base}/users", {"username": username, "password": password,
                                             "first_name": "F", "last_name": "L"},
                    token=account.token)
    assert user.status_code == 201, user.get_json()
    conf = api.call("PUT", f"{base}/conferences", {"name": f"{name} room", **conference},
                    token=account.token)
    assert conf.status_code == 201, conf.get_json()
    return account, user.get_json()["data"]["id"], conf.get_json()["data"]["id"]


def _md5(username, password):
    return hashlib.md5(f"{username}:{password}".encode()).hexdigest()


def _refusal(reply):
    """What a 401 says, less what differs between any two requests."""
    body = reply.get_json()
    return reply.status_code, {k: v for k, v in body.items()
                               if k not in ("request_id", "timestamp")}


def test_user_auth_by_phone_number_finds_the_account_owning_the_number(api):
    account, user_id, _conf = _tenant(api, "Numbered Co", "nina", "pw-n",
                                      conference_numbers=["14155550100"],
                                      member={"numbers": ["14155550101"]},
                                      moderator={"numbers": ["14155550102"]})
    for number in ("14155550100", "+1 (415) 555-0101", "1-415-555-0102"):
        reply = _user_auth(api, _md5("nina", "pw-n"), phone_number=number)
        body = reply.get_json()
        assert reply.status_code == 201, (number, body)
        assert body["data"]["account_id"] == account.account_id
        assert body["data"]["owner_id"] == user_id
        claims = api.call("GET", "/v2/token_auth", token=body["auth_token"]).get_json()["data"]
        assert (claims["account_id"], claims["owner_id"]) == (account.account_id, user_id)
    sha = hashlib.sha1(b"nina:pw-n").hexdigest()
    assert _user_auth(api, sha, phone_number="14155550100", method="sha").status_code == 201
    # the /v1 alias takes the same body
    v1 = api.call("PUT", "/v1/user_auth", {"credentials": _md5("nina", "pw-n"),
                                           "phone_number": "14155550100"})
    assert v1.status_code == 201 and v1.get_json()["data"]["account_id"] == account.account_id


def test_user_auth_by_phone_number_refusals_all_look_alike(api):
    _tenant(api, "Alpha Numbers", "alice", "pw-a", conference_numbers=["5550001"])
    _tenant(api, "Beta Numbers", "bob", "pw-b", conference_numbers=["5550002"])
    wrong_password = _user_auth(api, _md5("alice", "nope"), phone_number="5550001")
    unknown_number = _user_auth(api, _md5("alice", "pw-a"), phone_number="5559999")
    # a number of Beta with the credentials of a user of Alpha: Alpha's user is not
    # looked for outside the account the number names
    other_account = _user_auth(api, _md5("alice", "pw-a"), phone_number="5550002")
    not_digits = _user_auth(api, _md5("alice", "pw-a"), phone_number="not a number")
    refusals = [_refusal(r) for r in (wrong_password, unknown_number, other_account, not_digits)]
    assert refusals[0][0] == 401
    assert refusals[0][1]["error"] == "401" and refusals[0][1]["status"] == "error"
    assert refusals[0][1]["error_id"] == "invalid_credentials"
    assert all(refusal == refusals[0] for refusal in refusals), refusals
    # the same credentials with their own account's number do work
    assert _user_auth(api, _md5("alice", "pw-a"), phone_number="5550001").status_code == 201
    assert _user_auth(api, _md5("bob", "pw-b"), phone_number="5550002").status_code == 201


def test_user_auth_phone_number_is_used_alone_not_as_one_of_several(api):
    """phone_number wins over account_name (Kazoo looks it up first) and a miss
    does not fall through to the name: that would tell numbers that exist apart."""
    _tenant(api, "Gamma Numbers", "gina", "pw-g", conference_numbers=["5550003"])
    creds = _md5(ADMIN["username"], ADMIN["password"])
    assert _user_auth(api, creds, account_name=ADMIN["account_name"]).status_code == 201
    for number in ("5550003", "5559998"):
        reply = _user_auth(api, creds, phone_number=number, account_name=ADMIN["account_name"])
        assert reply.status_code == 401, number


def test_a_number_stops_naming_its_account_when_its_conference_drops_it(api):
    account, _user_id, conf_id = _tenant(api, "Moving Co", "mo", "pw-m",
                                         conference_numbers=["5550004", "5550005"])
    creds = _md5("mo", "pw-m")
    conf = f"/v2/accounts/{account.account_id}/conferences/{conf_id}"
    assert _user_auth(api, creds, phone_number="5550004").status_code == 201
    patched = api.call("PATCH", conf, {"conference_numbers": ["5550005"]}, token=account.token)
    assert patched.status_code == 200, patched.get_json()
    assert _user_auth(api, creds, phone_number="5550004").status_code == 401
    assert _user_auth(api, creds, phone_number="5550005").status_code == 201
    assert api.call("DELETE", conf, token=account.token).status_code == 200
    assert _user_auth(api, creds, phone_number="5550005").status_code == 401


def test_a_stale_index_entry_names_no_account(api):
    """An index entry whose conference does not list the number (or was never
    saved) does not make its account the owner of the number."""
    from kzcore import conference_numbers
    account, _user_id, conf_id = _tenant(api, "Stale Co", "sam", "pw-s")
    api.store.save(conference_numbers.INDEX_DB, {
        "_id": "5550006", "account_id": account.account_id, "conference_id": conf_id})
    api.store.save(conference_numbers.INDEX_DB, {
        "_id": "5550007", "account_id": account.account_id, "conference_id": "0" * 32,
        "claimed_at": 9e12})
    for number in ("5550006", "5550007"):
        assert _user_auth(api, _md5("sam", "pw-s"), phone_number=number).status_code == 401
