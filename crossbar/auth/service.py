"""api_auth / user_auth: find the account (and user), then issue a token."""
import hmac
import logging

from crossbar.auth.credentials import normalize_account_name, normalize_phone_number
from kzcore.accounts import owner_of_number
from kzcore.errors import Unauthorized, ValidationFailed
from kzcore.naming import ACCOUNTS_DB, account_db
from kzcore.principals import chain_problem, generation_claims, load_chain

log = logging.getLogger(__name__)

REQUIRED = {"required": {"message": "Field is required but missing"}}


def _auth_reply(signer, account, method, user=None):
    """The token carries the generations it is issued under (kzcore.principals):
    a later sign-out or key rotation bumps them and so revokes it."""
    owner_id = user["_id"] if user else None
    claims = {"account_id": account["_id"], "method": method,
              **generation_claims(account, user, method)}
    if owner_id:
        claims["owner_id"] = owner_id
    data = {"account_id": account["_id"], "account_name": account.get("name"),
            "is_reseller": bool(account.get("pvt_reseller")), "reseller_id": None,
            "language": account.get("language", "en-us"), "apps": []}
    if owner_id:
        data["owner_id"] = owner_id
    return signer.issue(claims), data


def api_auth(store, signer, data):
    """``{"api_key"}`` -> (token, data)."""
    api_key = data.get("api_key")
    if not isinstance(api_key, str) or not api_key:
        raise ValidationFailed(data={"api_key": REQUIRED})
    account = store.find_one(ACCOUNTS_DB, {"pvt_type": "account", "pvt_api_key": api_key})
    if account is None or not hmac.compare_digest(account.get("pvt_api_key", ""), api_key):
        raise Unauthorized("invalid credentials")
    _require_enabled(store, account)
    return _auth_reply(signer, account, "api_auth")


def user_auth(store, signer, data):
    """``{"credentials", "phone_number"|"account_name"|"account_realm", "method"?}``
    -> (token, data). The user is looked for in the one account found."""
    credentials = data.get("credentials")
    if not isinstance(credentials, str) or not credentials:
        raise ValidationFailed(data={"credentials": REQUIRED})
    account = find_login_account(store, data)
    field = "pvt_sha1_auth" if str(data.get("method", "md5")).lower() in ("sha", "sha1") \
        else "pvt_md5_auth"
    user = store.find_one(account_db(account["_id"]),
                          {"pvt_type": "user", field: credentials.lower()})
    if user is None or user.get("enabled") is False:
        raise Unauthorized("invalid credentials")
    _require_enabled(store, account)
    return _auth_reply(signer, account, "user_auth", user=user)


def find_login_account(store, data):
    """The one account named by ``phone_number`` (Kazoo looks it up first), else
    ``account_name``, else ``account_realm``. No fall-through to another
    identifier: an unknown number answers exactly as a number of another
    account would (401, as for a wrong password), so nothing tells a caller
    whether a number or a name exists."""
    number, name, realm = (data.get(key) for key in
                           ("phone_number", "account_name", "account_realm"))
    if isinstance(number, str) and number:
        digits = normalize_phone_number(number)
        account = owner_of_number(store, digits) if digits else None
    elif isinstance(name, str) and name:
        account = _account_where(store, "pvt_normalized_name", normalize_account_name(name))
    elif isinstance(realm, str) and realm:
        account = _account_where(store, "realm", realm.lower())
    else:
        raise ValidationFailed(data={"account_name": REQUIRED})
    if account is None:
        raise Unauthorized("invalid credentials")
    return account


def _account_where(store, field, value):
    return store.find_one(ACCOUNTS_DB, {"pvt_type": "account", field: value})


def _require_enabled(store, account):
    """The account and every ancestor enabled (a grandchild cannot sign in while any
    account above it is disabled). The answer is the one a wrong password gets: a
    disabled account is not confirmed to whoever guesses its password."""
    problem = chain_problem(account, load_chain(store, account))
    if problem:
        log.info("login refused", extra={"account_id": account.get("_id"), "reason": problem})
        raise Unauthorized("invalid credentials")
