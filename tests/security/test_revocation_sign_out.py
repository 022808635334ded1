"""Sign out everywhere (issue 17, item 2: tokens carry an id and the generations
they were issued under, so that a sign-out revokes every one issued before it,
and none issued after it, even within the same second)."""
import pytest

from tests.security.auth_support import Api, assert_kazoo_error
from tests.support.stack import stack  # noqa: F401  (fixture)


@pytest.fixture
def api(stack):  # noqa: F811
    return Api(stack)


def test_a_user_signs_out_everywhere(api):
    tenant = api.child(api.root())
    user_id, phone = api.user(tenant, "cat", "pw-cat")
    laptop = api.user_auth("cat", "pw-cat", tenant.name).body["auth_token"]
    _, colleague = api.user(tenant, "dan", "pw-dan")
    own = f"/accounts/{tenant.account_id}/users/{user_id}"
    claims = api.call("GET", "/token_auth", token=laptop).data
    assert claims["jti"] and claims["iat"] and claims["owner_id"] == user_id
    # a user-level user signs out itself only
    other = api.call("DELETE", f"/accounts/{tenant.account_id}/users/{user_id}/user_auth",
                     token=colleague)
    assert_kazoo_error(other, 403)
    signed_out = api.call("DELETE", f"{own}/user_auth", token=phone)
    assert signed_out.status == 200 and signed_out.data["signed_out"] is True
    for token in (phone, laptop):
        assert_kazoo_error(api.call("GET", own, token=token), 401, "token_revoked")
    fresh = api.user_auth("cat", "pw-cat", tenant.name)   # same second: still a valid login
    assert fresh.status == 201
    assert api.call("GET", own, token=fresh.body["auth_token"]).status == 200
    assert api.call("GET", own, token=colleague).status == 200   # others keep theirs


def test_an_admin_signs_the_whole_account_out(api):
    root = api.root()
    tenant = api.child(root)
    _, user_token = api.user(tenant, "eve", "pw-eve")
    neighbour = api.child(root, "neighbour")
    path = f"/accounts/{tenant.account_id}"
    assert_kazoo_error(api.call("DELETE", f"{path}/user_auth", token=user_token), 403)
    assert api.call("DELETE", f"{path}/user_auth", token=tenant.token).status == 200
    for token in (tenant.token, user_token):
        assert_kazoo_error(api.call("GET", path, token=token), 401, "token_revoked")
    assert api.call("GET", f"/accounts/{neighbour.account_id}",
                    token=neighbour.token).status == 200
    again = api.token_for(tenant.api_key)     # the key itself still works
    assert api.call("GET", path, token=again).status == 200
    # an ancestor may sign a descendant out; the descendant never its ancestor
    assert_kazoo_error(api.call("DELETE", f"/accounts/{root.account_id}/user_auth",
                                token=again), 403)
    assert api.call("DELETE", f"{path}/user_auth", token=root.token).status == 200
    assert_kazoo_error(api.call("GET", path, token=again), 401, "token_revoked")
