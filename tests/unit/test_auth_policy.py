"""crossbar.auth.policy: the privilege rules, as a table (pure)."""
import pytest

from crossbar.auth.policy import account_change_refusal, route_refusal, user_change_refusal
from kzcore.principals import Principal

ACCOUNT, CHILD, ME, OTHER = "a" * 32, "c" * 32, "m" * 32, "o" * 32
USER = Principal(ACCOUNT, ME, "user_auth", "user", False)
ADMIN_USER = Principal(ACCOUNT, ME, "user_auth", "admin", False)
API_KEY = Principal(ACCOUNT, None, "api_auth", "admin", False)
SUPERDUPER = Principal(ACCOUNT, None, "api_auth", "admin", True)


@pytest.mark.parametrize("endpoint, view_args, refused", [
    ("api.accounts.account_api_key", {"account_id": ACCOUNT}, True),
    ("api.accounts.account_api_key_rotate", {"account_id": ACCOUNT}, True),
    ("api.accounts.account_patch", {"account_id": ACCOUNT}, True),
    ("api.accounts.account_update", {"account_id": ACCOUNT}, True),
    ("api.accounts.account_create_child", {"account_id": ACCOUNT}, True),
    ("api.accounts.account_delete", {"account_id": CHILD}, True),
    ("api.accounts.account_sign_out", {"account_id": ACCOUNT}, True),
    ("api.users.users_create", {"account_id": ACCOUNT}, True),
    ("api.users.users_delete", {"account_id": ACCOUNT, "doc_id": ME}, True),
    ("api.users.users_patch", {"account_id": ACCOUNT, "doc_id": OTHER}, True),
    ("api.users.users_patch", {"account_id": CHILD, "doc_id": ME}, True),
    ("api.users.user_sign_out", {"account_id": ACCOUNT, "user_id": OTHER}, True),
    ("api.users.users_patch", {"account_id": ACCOUNT, "doc_id": ME}, False),
    ("api.users.users_update", {"account_id": ACCOUNT, "doc_id": ME}, False),
    ("api.users.user_sign_out", {"account_id": ACCOUNT, "user_id": ME}, False),
    ("api.users.users_list", {"account_id": ACCOUNT}, False),
    ("api.accounts.account_get", {"account_id": ACCOUNT}, False),
    ("api.conferences.conference_action", {"account_id": ACCOUNT}, False),
])
def test_user_level_routes(endpoint, view_args, refused):
    assert bool(route_refusal(USER, endpoint, view_args)) is refused
    for admin in (ADMIN_USER, API_KEY):
        assert route_refusal(admin, endpoint, view_args) is None


def test_a_user_level_user_edits_only_its_own_harmless_fields():
    mine = {"_id": ME, "priv_level": "user", "enabled": True, "first_name": "A"}
    assert user_change_refusal(USER, ACCOUNT, mine, dict(mine, first_name="B")) is None
    assert user_change_refusal(USER, ACCOUNT, mine, dict(mine, priv_level="admin"))
    assert user_change_refusal(USER, ACCOUNT, mine, dict(mine, enabled=False))
    assert user_change_refusal(USER, ACCOUNT, {"_id": ME}, {"_id": ME, "priv_level": "user"}) \
        is None                                           # the schema default is no change
    assert user_change_refusal(USER, ACCOUNT, dict(mine, _id=OTHER), dict(mine, _id=OTHER))
    assert user_change_refusal(USER, ACCOUNT, None, {"priv_level": "user"})
    assert user_change_refusal(ADMIN_USER, ACCOUNT, mine, dict(mine, priv_level="admin")) is None
    assert user_change_refusal(None, ACCOUNT, None, {"priv_level": "admin"}) is None


def test_enabled_is_changed_only_by_an_ancestor_or_a_superduper_admin():
    own = {"_id": ACCOUNT, "enabled": True, "name": "x"}
    child = {"_id": CHILD, "enabled": True, "name": "y"}
    assert account_change_refusal(API_KEY, ACCOUNT, own, dict(own, enabled=False))
    assert account_change_refusal(API_KEY, ACCOUNT, own, dict(own, name="z")) is None
    assert account_change_refusal(API_KEY, CHILD, child, dict(child, enabled=False)) is None
    assert account_change_refusal(SUPERDUPER, ACCOUNT, own, dict(own, enabled=False)) is None
    assert account_change_refusal(USER, ACCOUNT, own, dict(own, name="z"))
