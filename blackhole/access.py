"""Who may see which account's events, with a short-lived cache of hierarchy lookups.

The fan-out asks "may a subscription of account A see an event of account B?"
for every delivered event; the answer (kzcore.accounts.can_access, one store
read) is cached for ``ttl`` seconds so the hot path stays in memory. Errors
from the store deny and are not cached.

``principals`` answers the other access question, "does this token still let
its holder in?" (kzcore.principals, the check crossbar runs on every request):
asked on every subscribe and by the revocation sweep over live subscriptions.
"""
import logging
import time

from kzcore.accounts import can_access
from kzcore.errors import KzError
from kzcore.principals import CACHE_TTL, PrincipalCheck

log = logging.getLogger(__name__)


class AccountScope:
    def __init__(self, store, ttl=30.0, max_entries=10000, clock=time.monotonic,
                 principal_ttl=CACHE_TTL):
        self.principals = PrincipalCheck(store, ttl=principal_ttl, clock=clock)
        self._store = store
        self._ttl = ttl
        self._max_entries = max_entries
        self._clock = clock
        self._cache = {}
        self.lookups = 0

    def allows(self, viewer_account_id, event_account_id):
        """True if ``viewer`` is ``event_account`` or one of its ancestors."""
        if not event_account_id or not viewer_account_id:
            return False
        if viewer_account_id == event_account_id:
            return True
        key = (viewer_account_id, event_account_id)
        now = self._clock()
        cached = self._cache.get(key)
        if cached is not None and cached[1] > now:
            return cached[0]
        allowed = self._lookup(viewer_account_id, event_account_id)
        if allowed is not None:
            if len(self._cache) >= self._max_entries:
                self._cache.clear()
            self._cache[key] = (allowed, now + self._ttl)
        return bool(allowed)

    def _lookup(self, viewer_account_id, event_account_id):
        self.lookups += 1
        try:
            return can_access(self._store, viewer_account_id, event_account_id)
        except KzError as exc:
            log.warning("account lookup failed; denying",
                        extra={"viewer": viewer_account_id, "account_id": event_account_id,
                               "error": exc.error_id})
            return None
        except Exception:  # a broken store must not break the fan-out
            log.exception("account lookup crashed; denying",
                          extra={"viewer": viewer_account_id, "account_id": event_account_id})
            return None
