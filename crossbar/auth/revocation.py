"""Revoking tokens by bumping the generations they were issued under
(kzcore.principals): API key rotation, and "sign out everywhere" for an
account or for one user. Each change drops the cached document so that this
process refuses the old tokens on the very next request (other processes
within ``kzcore.principals.CACHE_TTL``)."""
import logging

from crossbar import documents
from crossbar.accounts.service import new_api_key
from kzcore.errors import Conflict, NotFound
from kzcore.naming import ACCOUNTS_DB, account_db
from kzcore.principals import API_KEY_GENERATION, TOKEN_GENERATION

log = logging.getLogger(__name__)
ATTEMPTS = 3


def rotate_api_key(store, principals, account_id):
    """A new API key for the account; the old key and every token issued from
    it stop working. Returns the new key (shown to the caller once)."""
    key = new_api_key()

    def change(doc):
        doc["pvt_api_key"] = key
        doc[API_KEY_GENERATION] = _next(doc, API_KEY_GENERATION)
    saved = _update(store, ACCOUNTS_DB, account_id, "account", change)
    principals.forget_account(account_id)
    log.info("api key rotated", extra={"account_id": account_id,
                                       "generation": saved[API_KEY_GENERATION]})
    return key


def sign_out_account(store, principals, account_id):
    """Revoke every token issued for the account until now (users' and API
    keys'); returns the new generation."""
    saved = _update(store, ACCOUNTS_DB, account_id, "account", _bump_tokens)
    principals.forget_account(account_id)
    log.info("account signed out everywhere", extra={"account_id": account_id})
    return saved[TOKEN_GENERATION]


def sign_out_user(store, principals, account_id, user_id):
    """Revoke every token issued for the user until now; returns the new generation."""
    saved = _update(store, account_db(account_id), user_id, "user", _bump_tokens)
    principals.forget_user(account_id, user_id)
    log.info("user signed out everywhere", extra={"account_id": account_id,
                                                   "user_id": user_id})
    return saved[TOKEN_GENERATION]


def _bump_tokens(doc):
    doc[TOKEN_GENERATION] = _next(doc, TOKEN_GENERATION)


def _next(doc, field):
    value = doc.get(field, 0)
    return (value if isinstance(value, int) else 0) + 1


def _update(store, db, doc_id, pvt_type, change):
    """Read, ``change(doc)``, save; a concurrent writer makes it read again."""
    for _ in range(ATTEMPTS):
        doc = store.get_or_none(db, doc_id) if not doc_id.startswith("_") else None
        if doc is None or doc.get("pvt_type", pvt_type) != pvt_type or doc.get("pvt_deleted"):
            raise NotFound("bad identifier", {"cause": doc_id})
        doc = documents.touched(doc)
        change(doc)
        try:
            return store.save(db, doc)
        except Conflict:
            continue
    raise Conflict("document changed meanwhile; try again", {"cause": doc_id})
