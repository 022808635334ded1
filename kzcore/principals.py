"""Is the holder of a signed token still allowed in? Shared by crossbar (every
request) and blackhole (every subscribe, and a sweep over live subscriptions).

A token stays valid only while its account exists and is enabled, every
ancestor account (``pvt_tree``) exists and is enabled, its user (``owner_id``)
exists and is enabled, and the generations it was issued under are current:

- ``agen``: the account's ``pvt_token_generation`` ("sign out everywhere" for
  the whole account bumps it),
- ``ugen``: the user's ``pvt_token_generation`` (the user's own sign-out),
- ``kgen``: the account's ``pvt_api_key_generation`` (API key rotation; only
  ``api_auth`` tokens carry it).

Counters rather than timestamps: nothing depends on clocks agreeing between
hosts, and a token issued in the same second as a sign-out is not ambiguous.
Tokens from before these claims existed count as generation 0.

``PrincipalCheck`` caches each document for ``ttl`` seconds (bounded staleness
for changes made by another process); changes made through this process's API
drop the cached copies at once (``forget_account`` / ``forget_user``).
"""
import dataclasses
import logging
import time

from kzcore.errors import NotFound, Unauthorized
from kzcore.naming import ACCOUNTS_DB, account_db, is_account_id

log = logging.getLogger(__name__)

TOKEN_GENERATION = "pvt_token_generation"     # on accounts and on users
API_KEY_GENERATION = "pvt_api_key_generation"  # on accounts
CACHE_TTL = 0.5
ADMIN, USER = "admin", "user"


class Revoked(Unauthorized):
    """A well-signed token whose account, ancestor or user no longer lets it in."""

    error_id = "token_revoked"
    default_message = "auth token revoked"


@dataclasses.dataclass(frozen=True)
class Principal:
    """Who a valid token speaks for, as of now (levels are read from the
    documents, not from the token: a demotion applies on the next request)."""
    account_id: str
    user_id: str | None
    method: str | None
    priv_level: str          # "admin" for API-key tokens
    superduper: bool

    @property
    def is_admin(self):
        return self.priv_level == ADMIN


# --- pure rules ----------------------------------------------------------------------
def generation_claims(account, user=None, method=None):
    """The generation claims a token issued now for ``account`` (and ``user``) carries."""
    claims = {"agen": _generation(account, TOKEN_GENERATION)}
    if method == "api_auth":
        claims["kgen"] = _generation(account, API_KEY_GENERATION)
    if user is not None:
        claims["ugen"] = _generation(user, TOKEN_GENERATION)
    return claims


def chain_problem(account, ancestors):
    """Why ``account`` (a document or None) with its ``ancestors`` (documents or
    None, root first) may not be used, or None."""
    if not _live(account, "account"):
        return "account deleted"
    if account.get("enabled") is False:
        return "account disabled"
    for ancestor in ancestors:
        if not _live(ancestor, "account"):
            return "parent account deleted"
        if ancestor.get("enabled") is False:
            return "parent account disabled"
    return None


def token_problem(claims, account, ancestors, user):
    """Why a token with ``claims`` is no longer valid, or None."""
    problem = chain_problem(account, ancestors)
    if problem:
        return problem
    if _claimed(claims, "agen") != _generation(account, TOKEN_GENERATION):
        return "signed out: account tokens revoked"
    if claims.get("method") == "api_auth" \
            and _claimed(claims, "kgen") != _generation(account, API_KEY_GENERATION):
        return "api key rotated"
    if claims.get("owner_id"):
        if not _live(user, "user"):
            return "user deleted"
        if user.get("enabled") is False:
            return "user disabled"
        if _claimed(claims, "ugen") != _generation(user, TOKEN_GENERATION):
            return "signed out: user tokens revoked"
    return None


def principal_of(claims, account, user):
    level = ADMIN if not claims.get("owner_id") else \
        (ADMIN if (user or {}).get("priv_level") == ADMIN else USER)
    return Principal(account["_id"], claims.get("owner_id"), claims.get("method"), level,
                     account.get("pvt_superduper_admin") is True)


def _live(doc, pvt_type):
    """A live document of that type (the accounts database holds nothing but
    accounts, so an account document without ``pvt_type`` counts)."""
    default = "account" if pvt_type == "account" else None
    return isinstance(doc, dict) and doc.get("pvt_type", default) == pvt_type \
        and not doc.get("pvt_deleted")


def _generation(doc, field):
    value = doc.get(field, 0)
    return value if isinstance(value, int) else 0


def _claimed(claims, key):
    value = claims.get(key, 0)
    return value if isinstance(value, int) else -1


# --- the cached check ----------------------------------------------------------------
class PrincipalCheck:
    def __init__(self, store, ttl=CACHE_TTL, clock=time.monotonic, max_entries=10000):
        self._store = store
        self._ttl = ttl
        self._clock = clock
        self._max_entries = max_entries
        self._cache = {}     # ("account", id) | ("user", account_id, id) -> (doc|None, expiry)
        self.reads = 0

    def check(self, claims):
        """The token's ``Principal``, or ``Revoked`` with the reason. Store
        failures propagate (the caller decides: 503 for an API request)."""
        account_id = claims.get("account_id")
        if not is_account_id(account_id):
            raise Revoked("auth token revoked: account deleted")
        account = self.account(account_id)
        ancestors = self.ancestors(account)
        owner_id = claims.get("owner_id")
        user = self.user(account_id, owner_id) if owner_id else None
        problem = token_problem(claims, account, ancestors, user)
        if problem:
            raise Revoked(f"auth token revoked: {problem}",
                          {"cause": problem, "account_id": account_id})
        return principal_of(claims, account, user)

    def account(self, account_id):
        return self._cached(("account", account_id), ACCOUNTS_DB, account_id)

    def ancestors(self, account):
        tree = (account or {}).get("pvt_tree") or []
        return [self.account(ancestor) if is_account_id(ancestor) else None
                for ancestor in tree]

    def user(self, account_id, user_id):
        if not isinstance(user_id, str) or not user_id or user_id.startswith("_"):
            return None
        return self._cached(("user", account_id, user_id), account_db(account_id), user_id)

    def forget_account(self, account_id):
        self._cache.pop(("account", account_id), None)

    def forget_user(self, account_id, user_id):
        self._cache.pop(("user", account_id, user_id), None)

    def _cached(self, key, db, doc_id):
        now = self._clock()
        hit = self._cache.get(key)
        if hit is not None and hit[1] > now:
            return hit[0]
        self.reads += 1
        try:
            doc = self._store.get(db, doc_id)
        except NotFound:  # DatabaseMissing included: a deleted account's users
            doc = None
        if len(self._cache) >= self._max_entries:
            self._cache.clear()
        self._cache[key] = (doc, now + self._ttl)
        return doc


def load_chain(store, account):
    """``account``'s ancestors read straight from the store (for logins)."""
    found = []
    for ancestor in (account or {}).get("pvt_tree") or []:
        try:
            found.append(store.get(ACCOUNTS_DB, ancestor) if is_account_id(ancestor) else None)
        except NotFound:
            found.append(None)
    return found
