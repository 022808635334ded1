"""API key rotation (issue 17, item 5): ``PUT /v2/accounts/{id}/api_key`` issues
a new key (shown once in the reply); the old key and every token issued from it
stop working at once. Over HTTP against the whole stack."""
import pytest

from tests.security.auth_support import Api, assert_kazoo_error
from tests.support.stack import stack  # noqa: F401  (fixture)


@pytest.fixture
def api(stack):  # noqa: F811
    return Api(stack)


def test_rotation_kills_the_old_key_and_its_tokens(api):
    tenant = api.child(api.root())
    older = api.token_for(tenant.api_key)
    _, user = api.user(tenant, "kim", "pw-kim", priv_level="admin")
    key = f"/accounts/{tenant.account_id}/api_key"
    rotated = api.call("PUT", key, token=tenant.token)
    assert rotated.status == 201 and rotated.body["status"] == "success"
    new_key = rotated.data["api_key"]
    assert new_key != tenant.api_key and len(new_key) == 64
    assert_kazoo_error(api.api_auth(tenant.api_key), 401)
    for token in (tenant.token, older):
        assert_kazoo_error(api.call("GET", key, token=token), 401, "token_revoked")
    assert api.call("GET", key, token=user).data["api_key"] == new_key   # users' tokens live on
    fresh = api.token_for(new_key)
    assert api.call("GET", f"/accounts/{tenant.account_id}", token=fresh).status == 200


def test_only_admins_of_the_account_or_an_ancestor_rotate(api):
    root = api.root()
    tenant, sibling = api.child(root, "keyed"), api.child(root, "sibling")
    _, user = api.user(tenant, "lea", "pw-lea")
    key = f"/accounts/{tenant.account_id}/api_key"
    assert_kazoo_error(api.call("PUT", key, token=user), 403)
    assert_kazoo_error(api.call("PUT", key, token=sibling.token), 403)
    assert_kazoo_error(api.call("PUT", f"/accounts/{root.account_id}/api_key",
                                token=tenant.token), 403)
    assert api.api_auth(tenant.api_key).status == 201       # nothing rotated so far
    by_parent = api.call("PUT", key, token=root.token)
    assert by_parent.status == 201
    assert_kazoo_error(api.call("GET", key, token=tenant.token), 401, "token_revoked")
    assert api.api_auth(by_parent.data["api_key"]).status == 201


def test_other_methods_on_api_key_stay_405(api):
    tenant = api.child(api.root())
    key = f"/accounts/{tenant.account_id}/api_key"
    for method in ("POST", "PATCH", "DELETE"):
        reply = api.call(method, key, {"api_key": "chosen-by-me"}, token=tenant.token)
        assert_kazoo_error(reply, 405)
    assert api.api_auth(tenant.api_key).status == 201
