"""Privilege levels that hold (issue 17, item 5): a ``priv_level: "user"`` user
reads no API key, creates no admin, promotes nobody (itself included), changes
no account and manages no other user; its own harmless fields stay its own.
Over HTTP against the whole stack."""
import pytest

from tests.security.auth_support import Api, assert_kazoo_error
from tests.support.stack import stack  # noqa: F401  (fixture)


@pytest.fixture
def api(stack):  # noqa: F811
    return Api(stack)


@pytest.fixture
def tenant(api):
    return api.child(api.root())


def test_a_user_level_user_cannot_read_or_rotate_the_api_key(api, tenant):
    _, user = api.user(tenant, "uma", "pw-uma")
    _, admin = api.user(tenant, "ada", "pw-ada", priv_level="admin")
    key = f"/accounts/{tenant.account_id}/api_key"
    assert_kazoo_error(api.call("GET", key, token=user), 403)
    assert_kazoo_error(api.call("PUT", key, token=user), 403)
    assert api.call("GET", key, token=admin).data["api_key"] == tenant.api_key
    assert api.api_auth(tenant.api_key).status == 201     # the key was not rotated


def test_a_user_level_user_cannot_create_an_admin_nor_any_user(api, tenant):
    _, user = api.user(tenant, "ulf", "pw-ulf")
    users = f"/accounts/{tenant.account_id}/users"
    for level in ("admin", "user"):
        made = api.call("PUT", users, {"username": f"new-{level}", "password": "pw",
                                       "first_name": "N", "last_name": "U",
                                       "priv_level": level}, token=user)
        assert_kazoo_error(made, 403)
    names = {entry["username"] for entry in api.call("GET", users, token=tenant.token).data}
    assert names == {"ulf"}
    _, admin = api.user(tenant, "amy", "pw-amy", priv_level="admin")
    made = api.call("PUT", users, {"username": "second-admin", "password": "pw",
                                   "first_name": "S", "last_name": "A",
                                   "priv_level": "admin"}, token=admin)
    assert made.status == 201 and made.data["priv_level"] == "admin"


def test_a_user_level_user_cannot_promote_itself_or_anyone(api, tenant):
    me, token = api.user(tenant, "una", "pw-una")
    other, _ = api.user(tenant, "uri", "pw-uri")
    users = f"/accounts/{tenant.account_id}/users"
    promote = {"priv_level": "admin"}
    assert_kazoo_error(api.call("PATCH", f"{users}/{me}", promote, token=token), 403)
    assert_kazoo_error(api.call("PATCH", f"{users}/{other}", promote, token=token), 403)
    assert_kazoo_error(api.call("PATCH", f"{users}/{me}", {"enabled": False}, token=token), 403)
    replaced = api.call("GET", f"{users}/{me}", token=token).data
    replaced.update(priv_level="admin")
    assert_kazoo_error(api.call("POST", f"{users}/{me}", replaced, token=token), 403)
    assert_kazoo_error(api.call("DELETE", f"{users}/{other}", token=token), 403)
    stored = api.call("GET", f"{users}/{me}", token=tenant.token).data
    assert stored["priv_level"] == "user"
    # its own harmless fields stay its own (Kazoo: a user edits its own profile)
    edited = api.call("PATCH", f"{users}/{me}", {"first_name": "Una-Maria",
                                                 "password": "new-pw"}, token=token)
    assert edited.status == 200 and edited.data["first_name"] == "Una-Maria"
    assert api.user_auth("una", "new-pw", tenant.name).status == 201


def test_a_user_level_user_cannot_change_accounts(api, tenant):
    _, user = api.user(tenant, "ugo", "pw-ugo")
    own = f"/accounts/{tenant.account_id}"
    assert api.call("GET", own, token=user).status == 200        # reading is fine
    for method, data in (("PATCH", {"name": "Renamed"}), ("POST", {"name": "Renamed"}),
                         ("PUT", {"name": "A Child"}), ("DELETE", None)):
        assert_kazoo_error(api.call(method, own, data, token=user), 403)
    assert api.call("GET", own, token=tenant.token).data["name"] == tenant.name
    assert api.call("GET", f"{own}/children", token=tenant.token).data == []


def test_a_demotion_applies_to_the_next_request(api, tenant):
    admin_id, admin = api.user(tenant, "ida", "pw-ida", priv_level="admin")
    key = f"/accounts/{tenant.account_id}/api_key"
    assert api.call("GET", key, token=admin).status == 200
    demoted = api.call("PATCH", f"/accounts/{tenant.account_id}/users/{admin_id}",
                       {"priv_level": "user"}, token=tenant.token)
    assert demoted.status == 200
    assert_kazoo_error(api.call("GET", key, token=admin), 403)


def test_a_user_level_user_reads_webhooks_but_cannot_manage_them(api, tenant):
    _, user = api.user(tenant, "wes", "pw-wes")
    hooks = f"/accounts/{tenant.account_id}/webhooks"
    spec = {"name": "h", "uri": "http://127.0.0.1:9/h", "hook": "all"}
    assert_kazoo_error(api.call("PUT", hooks, spec, token=user), 403)
    made = api.call("PUT", hooks, spec, token=tenant.token)
    assert made.status == 201
    one = f"{hooks}/{made.data['id']}"
    assert_kazoo_error(api.call("PATCH", one, {"enabled": False}, token=user), 403)
    assert_kazoo_error(api.call("POST", f"{one}/secret", token=user), 403)
    assert_kazoo_error(api.call("DELETE", one, token=user), 403)
    assert api.call("GET", one, token=user).data["enabled"] is True
    assert [h["id"] for h in api.call("GET", hooks, token=user).data] == [made.data["id"]]
