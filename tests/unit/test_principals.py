"""kzcore.principals: the revocation rules (pure) and the cached check on a real
embedded store."""
import pytest

from kzcore.naming import ACCOUNTS_DB, account_db
from kzcore.principals import (PrincipalCheck, Revoked, chain_problem, generation_claims,
                               token_problem)
from kzcore.store.embedded import EmbeddedStore

ROOT, MID, LEAF = "a" * 32, "b" * 32, "c" * 32
USER = "u" * 32


def account(account_id, tree, **extra):
    return {"_id": account_id, "pvt_type": "account", "pvt_tree": tree, **extra}


def user(**extra):
    return {"_id": USER, "pvt_type": "user", "priv_level": "user", **extra}


def test_chain_problems_name_the_first_broken_link():
    assert chain_problem(account(LEAF, [ROOT, MID]), [account(ROOT, []),
                                                      account(MID, [ROOT])]) is None
    assert chain_problem(None, []) == "account deleted"
    assert chain_problem(account(LEAF, [], enabled=False), []) == "account disabled"
    assert chain_problem(account(LEAF, [], pvt_deleted=True), []) == "account deleted"
    assert chain_problem(account(LEAF, [ROOT, MID]),
                         [account(ROOT, []), account(MID, [ROOT], enabled=False)]) \
        == "parent account disabled"
    assert chain_problem(account(LEAF, [ROOT, MID]), [account(ROOT, []), None]) \
        == "parent account deleted"
    assert chain_problem({"_id": LEAF, "pvt_type": "user"}, []) == "account deleted"


@pytest.mark.parametrize("claims, acct, usr, problem", [
    ({"account_id": LEAF, "method": "api_auth"}, {}, None, None),       # old tokens: gen 0
    ({"agen": 1}, {"pvt_token_generation": 2}, None, "signed out: account tokens revoked"),
    ({"method": "api_auth", "kgen": 0}, {"pvt_api_key_generation": 1}, None, "api key rotated"),
    ({"method": "user_auth", "kgen": 0}, {"pvt_api_key_generation": 1}, user(), None),
    ({"owner_id": USER}, {}, None, "user deleted"),
    ({"owner_id": USER}, {}, user(enabled=False), "user disabled"),
    ({"owner_id": USER}, {}, {"_id": USER, "pvt_type": "device"}, "user deleted"),
    ({"owner_id": USER, "ugen": 0}, {}, user(pvt_token_generation=1),
     "signed out: user tokens revoked"),
    ({"owner_id": USER, "ugen": "0"}, {}, user(), "signed out: user tokens revoked"),
])
def test_token_problems(claims, acct, usr, problem):
    assert token_problem(claims, account(LEAF, [], **acct), [], usr) == problem


def test_generation_claims_are_what_a_check_accepts():
    acct = account(LEAF, [], pvt_token_generation=3, pvt_api_key_generation=5)
    usr = user(pvt_token_generation=7)
    assert generation_claims(acct, method="api_auth") == {"agen": 3, "kgen": 5}
    claims = {"owner_id": USER, **generation_claims(acct, usr, "user_auth")}
    assert claims == {"owner_id": USER, "agen": 3, "ugen": 7}
    assert token_problem(claims, acct, [], usr) is None


@pytest.fixture
def store():
    store = EmbeddedStore(":memory:")
    store.save(ACCOUNTS_DB, account(ROOT, [], pvt_superduper_admin=True))
    store.save(ACCOUNTS_DB, account(MID, [ROOT]))
    store.create_db(account_db(MID))
    store.save(account_db(MID), user(priv_level="admin"))
    yield store
    store.close()


def test_the_check_caches_for_its_ttl_and_forgets_on_demand(store):
    clock = [0.0]
    check = PrincipalCheck(store, ttl=0.5, clock=lambda: clock[0])
    claims = {"account_id": MID, "owner_id": USER, "method": "user_auth"}
    principal = check.check(claims)
    assert (principal.account_id, principal.user_id, principal.is_admin,
            principal.superduper) == (MID, USER, True, False)
    assert check.check({"account_id": ROOT, "method": "api_auth"}).superduper
    reads = check.reads
    root = store.get(ACCOUNTS_DB, ROOT)
    store.save(ACCOUNTS_DB, dict(root, enabled=False))
    assert check.check(claims) and check.reads == reads        # cached: no store read
    clock[0] = 0.6
    with pytest.raises(Revoked, match="parent account disabled"):
        check.check(claims)
    store.save(ACCOUNTS_DB, dict(store.get(ACCOUNTS_DB, ROOT), enabled=True))
    check.forget_account(ROOT)                                 # a change made here: at once
    assert check.check(claims).user_id == USER
    store.delete_db(account_db(MID))
    check.forget_user(MID, USER)
    with pytest.raises(Revoked, match="user deleted"):
        check.check(claims)
    with pytest.raises(Revoked, match="account deleted"):
        check.check({"account_id": "not-an-account"})
