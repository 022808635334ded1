"""crossbar.auth.policy, route by route: every admin-only and superduper-only endpoint
named (a typo in the policy's tables would let a user-level token through), and the
exact reasons a refusal gives (killing the mutants bench/mutation.py found alive;
tests/MUTATION.md)."""
import pytest

from crossbar.auth import policy
from crossbar.auth.policy import account_change_refusal, route_refusal, user_change_refusal
from kzcore.principals import Principal

ACCOUNT, ME, OTHER = "a" * 32, "m" * 32, "o" * 32
USER = Principal(ACCOUNT, ME, "user_auth", "user", False)
ADMIN = Principal(ACCOUNT, ME, "user_auth", "admin", False)
API_KEY = Principal(ACCOUNT, None, "api_auth", "admin", False)
SUPERDUPER = Principal(ACCOUNT, None, "api_auth", "admin", True)
SUPERDUPER_USER = Principal(ACCOUNT, ME, "user_auth", "user", True)   # flag without admin level

NEEDS_ADMIN = "this needs an admin (priv_level admin or an API key token)"
NEEDS_SUPERDUPER = "this needs a superduper admin"
ONLY_OWN_USER = "a user-level user may change only its own user"

ADMIN_ONLY = [
    "account_create", "account_create_child", "account_update", "account_patch",
    "account_delete", "account_api_key", "account_api_key_rotate", "account_sign_out",
    "users_create", "users_delete", "webhooks_create", "webhooks_update", "webhooks_patch",
    "webhooks_delete", "webhooks_rotate_secret", "resources_list", "resources_create",
    "resources_get", "resources_update", "resources_patch", "resources_delete",
]
SUPERDUPER_ONLY = [
    "system_resources_list", "system_resources_create", "system_resources_get",
    "system_resources_update", "system_resources_patch", "system_resources_delete",
]


@pytest.mark.parametrize("name", ADMIN_ONLY)
def test_admin_only_routes(name):
    endpoint = f"api.blueprint.{name}"
    assert route_refusal(USER, endpoint, {"account_id": ACCOUNT}) == NEEDS_ADMIN
    for admin in (ADMIN, API_KEY, SUPERDUPER):
        assert route_refusal(admin, endpoint, {"account_id": ACCOUNT}) is None


@pytest.mark.parametrize("name", SUPERDUPER_ONLY)
def test_superduper_only_routes(name):
    for principal in (USER, ADMIN, API_KEY, SUPERDUPER_USER):
        assert route_refusal(principal, f"api.resources.{name}", {}) == NEEDS_SUPERDUPER
    assert route_refusal(SUPERDUPER, f"api.resources.{name}", {}) is None
    assert route_refusal(SUPERDUPER, name, {}) is None            # no blueprint prefix


def test_the_tables_are_exactly_these():
    assert policy.ADMIN_ONLY == frozenset(ADMIN_ONLY)
    assert policy.SUPERDUPER_ONLY == frozenset(SUPERDUPER_ONLY)


@pytest.mark.parametrize("endpoint, view_args", [
    ("api.users.users_update", {"account_id": ACCOUNT, "doc_id": OTHER}),
    ("api.users.users_patch", {"account_id": ACCOUNT, "doc_id": OTHER}),
    ("api.users.user_sign_out", {"account_id": ACCOUNT, "user_id": OTHER}),
    ("api.users.users_patch", {"account_id": OTHER, "doc_id": ME}),
])
def test_a_user_changes_only_itself(endpoint, view_args):
    assert route_refusal(USER, endpoint, view_args) == ONLY_OWN_USER
    own = dict(view_args, account_id=ACCOUNT, **{k: ME for k in ("doc_id", "user_id")
                                                  if k in view_args})
    assert route_refusal(USER, endpoint, own) is None


def test_an_api_key_token_is_no_user_of_its_own():
    key_user = Principal(ACCOUNT, None, "api_auth", "user", False)
    assert route_refusal(key_user, "api.users.users_patch",
                         {"account_id": ACCOUNT, "doc_id": None}) == ONLY_OWN_USER


def test_route_refusal_tolerates_a_missing_endpoint():
    assert route_refusal(USER, None, {}) is None
    assert route_refusal(USER, "", {}) is None


def test_user_change_refusals_are_exact():
    mine = {"_id": ME, "priv_level": "user", "enabled": True}
    assert user_change_refusal(USER, ACCOUNT, None, mine) == ONLY_OWN_USER
    assert user_change_refusal(USER, ACCOUNT, dict(mine, _id=OTHER), mine) == ONLY_OWN_USER
    assert user_change_refusal(USER, ACCOUNT, mine, dict(mine, priv_level="admin")) == \
        "a user-level user may not change its own priv_level"
    assert user_change_refusal(USER, ACCOUNT, mine, dict(mine, enabled=False)) == \
        "a user-level user may not change its own enabled"
    assert user_change_refusal(USER, ACCOUNT, {"_id": ME}, {"_id": ME, "enabled": True}) is None


def test_account_change_refusals_are_exact():
    own = {"_id": ACCOUNT, "enabled": True}
    assert account_change_refusal(USER, ACCOUNT, own, own) == NEEDS_ADMIN
    assert account_change_refusal(API_KEY, ACCOUNT, own, dict(own, enabled=False)) == \
        "an account cannot change its own enabled flag; an ancestor account can"
    assert account_change_refusal(API_KEY, ACCOUNT, {"_id": ACCOUNT}, {"enabled": False}) == \
        "an account cannot change its own enabled flag; an ancestor account can"
    assert account_change_refusal(API_KEY, ACCOUNT, {"_id": ACCOUNT}, {"enabled": True}) is None
    assert account_change_refusal(API_KEY, ACCOUNT, None, {"enabled": False}) is None
    assert account_change_refusal(None, ACCOUNT, own, dict(own, enabled=False)) is None
