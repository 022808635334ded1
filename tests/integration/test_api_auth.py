"""Authentication as a Kazoo client does it (api_auth, user_auth md5/sha1)."""
import hashlib

from kzcore.tokens import TokenSigner
from tests.support.api import ADMIN


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
