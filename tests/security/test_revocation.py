"""Revocation that revokes (issue 17, item 2), against the whole stack over its
sockets: crossbar over HTTP, the blackhole gateway over a websocket."""
import pytest

from kzcore.errors import DatabaseMissing
from kzcore.naming import ACCOUNTS_DB, account_db

from tests.security.auth_support import Api, Socket, assert_kazoo_error
from tests.support.stack import stack  # noqa: F401  (fixture)

# Kazoo's nested action shape: {"data": {"action": "dial", "data": {...}}}
# The conference's own number: ours, so it goes through the switch's dialplan (other
# numbers go through carriers, and there are none here).
DIAL = {"action": "dial", "data": {"endpoints": ["7301"]}}


@pytest.fixture
def api(stack):  # noqa: F811
    return Api(stack)


def test_a_disabled_accounts_tokens_are_refused_at_once(api):
    root = api.root()
    tenant = api.child(root)
    _, user_token = api.user(tenant, "ann", "pw-ann", priv_level="admin")
    path = f"/accounts/{tenant.account_id}/conferences"
    assert api.call("GET", path, token=tenant.token).status == 200
    api.set_enabled(tenant, False, by=root)
    for token in (tenant.token, user_token):
        assert_kazoo_error(api.call("GET", path, token=token), 401, "token_revoked")
    assert api.api_auth(tenant.api_key).status == 401
    assert api.user_auth("ann", "pw-ann", tenant.name).status == 401
    api.set_enabled(tenant, True, by=root)       # the parent gives access back
    assert api.call("GET", path, token=tenant.token).status == 200


def test_an_account_cannot_re_enable_disable_or_re_parent_itself(api, stack):  # noqa: F811
    root = api.root()
    tenant = api.child(root)
    own = f"/accounts/{tenant.account_id}"
    refused = api.call("PATCH", own, {"enabled": False}, token=tenant.token)
    assert_kazoo_error(refused, 403)
    assert "enabled" in refused.body["message"]
    # private fields are not the client's to set: the tree and the flags stay
    edited = api.call("PATCH", own, {"pvt_tree": [], "pvt_superduper_admin": True,
                                     "pvt_api_key": "mine", "org": "Tenant Ltd"},
                      token=tenant.token)
    assert edited.status == 200 and edited.data["org"] == "Tenant Ltd"
    stored = stack.store.get(ACCOUNTS_DB, tenant.account_id)
    assert stored["pvt_tree"] == [root.account_id]
    assert stored["pvt_superduper_admin"] is False and stored["pvt_api_key"] == tenant.api_key
    api.set_enabled(tenant, False, by=root)
    again = api.call("PATCH", own, {"enabled": True}, token=tenant.token)
    assert_kazoo_error(again, 401, "token_revoked")
    assert stack.store.get(ACCOUNTS_DB, tenant.account_id)["enabled"] is False


def test_a_disabled_or_deleted_users_token_cannot_read_devices(api):
    tenant = api.child(api.root())
    user_id, token = api.user(tenant, "bob", "pw-bob")
    made = api.call("PUT", f"/accounts/{tenant.account_id}/devices",
                    {"name": "desk", "sip": {"username": "bob-desk", "password": "s1p-secret"}},
                    token=tenant.token)
    assert made.status == 201, made.body
    device = f"/accounts/{tenant.account_id}/devices/{made.data['id']}"
    assert api.call("GET", device, token=token).data["sip"]["password"] == "s1p-secret"
    user = f"/accounts/{tenant.account_id}/users/{user_id}"
    assert api.call("PATCH", user, {"enabled": False}, token=tenant.token).status == 200
    assert_kazoo_error(api.call("GET", device, token=token), 401, "token_revoked")
    assert api.call("PATCH", user, {"enabled": True}, token=tenant.token).status == 200
    assert api.call("GET", device, token=token).status == 200
    assert api.call("DELETE", user, token=tenant.token).status == 200
    assert_kazoo_error(api.call("GET", device, token=token), 401, "token_revoked")
    assert api.user_auth("bob", "pw-bob", tenant.name).status == 401


def test_a_deleted_account_cannot_write_recreate_its_db_claim_numbers_or_dial(
        api, stack):  # noqa: F811
    root = api.root()
    doomed, other = api.child(root, "doomed"), api.child(root, "other")
    conferences = f"/accounts/{doomed.account_id}/conferences"
    made = api.call("PUT", conferences, {"name": "before", "conference_numbers": ["7301"]},
                    token=doomed.token)
    assert made.status == 201, made.body
    mark = len(stack.sim.core.command_log)
    api.call("PUT", f"{conferences}/{made.data['id']}", DIAL, token=doomed.token)
    assert dial_commands(stack, mark), "the dial did not reach the switch before the delete"
    assert api.call("DELETE", f"/accounts/{doomed.account_id}", token=root.token).status == 200

    create = api.call("PUT", conferences, {"name": "after", "conference_numbers": ["7302"]},
                      token=doomed.token)
    assert_kazoo_error(create, 401, "token_revoked")
    mark = len(stack.sim.core.command_log)
    dialed = api.call("PUT", f"{conferences}/{made.data['id']}", DIAL, token=doomed.token)
    assert_kazoo_error(dialed, 401, "token_revoked")
    assert not dial_commands(stack, mark)
    assert not stack.store.db_exists(account_db(doomed.account_id))
    with pytest.raises(DatabaseMissing):   # not even a write racing the delete recreates it
        stack.store.save(account_db(doomed.account_id), {"pvt_type": "conference"})
    assert not stack.store.db_exists(account_db(doomed.account_id))
    for number in ("7301", "7302"):        # its numbers are free for everyone else
        claimed = api.call("PUT", f"/accounts/{other.account_id}/conferences",
                           {"name": f"takes {number}", "conference_numbers": [number]},
                           token=other.token)
        assert claimed.status == 201, claimed.body


def dial_commands(stack, mark):  # noqa: F811
    return [entry for entry in stack.sim.core.command_log[mark:] if "dial" in entry["command"]]


def test_a_websocket_is_closed_within_a_second_of_disabling_its_account(api, stack):  # noqa: F811
    root = api.root()
    tenant = api.child(root)
    socket = Socket(stack.ws_url)
    try:
        assert socket.subscribe(tenant.token, tenant.account_id)["status"] == "success"
        api.set_enabled(tenant, False, by=root)
        code, reason, waited = socket.wait_close(timeout=3.0)
    finally:
        socket.close()
    assert code == 1008 and "account disabled" in reason
    assert waited < 1.0, f"closed after {waited:.2f}s"
    again = Socket(stack.ws_url)
    try:
        refused = again.subscribe(tenant.token, tenant.account_id)
    finally:
        again.close()
    assert refused["status"] == "error"
    assert refused["data"]["error_id"] == "invalid_credentials"
    assert "account disabled" in refused["data"]["message"]


def test_a_grandchild_cannot_sign_in_while_its_parent_is_disabled(api):
    root = api.root()
    parent = api.child(root, "parent")
    grandchild = api.child(parent, "grandchild")
    _, token = api.user(grandchild, "gus", "pw-gus", priv_level="admin")
    api.set_enabled(parent, False, by=root)
    assert_kazoo_error(api.user_auth("gus", "pw-gus", grandchild.name), 401)
    assert_kazoo_error(api.api_auth(grandchild.api_key), 401)
    own = f"/accounts/{grandchild.account_id}"
    for held in (token, grandchild.token):
        assert_kazoo_error(api.call("GET", own, token=held), 401, "token_revoked")
    api.set_enabled(parent, True, by=root)
    assert api.user_auth("gus", "pw-gus", grandchild.name).status == 201
    assert api.call("GET", own, token=token).status == 200
