"""Live subscriptions end when their token is revoked.

Every session that subscribed is tracked with the claims of the tokens it
used. A sweep greenlet re-checks them every ``interval`` seconds through the
same ``kzcore.principals.PrincipalCheck`` crossbar uses on each request (its
cache, ``CACHE_TTL``, bounds how stale a document may be), and closes every
session whose token no longer lets its holder in (account, ancestor or user
disabled or deleted, signed out, API key rotated) with code 1008 and the
reason. A disabled account's socket therefore closes within
``interval + CACHE_TTL`` of the change, whichever process made it.

Each distinct principal is checked once per sweep, however many sessions use
it. Sessions are held weakly and closed ones are dropped; the greenlet runs
only while something is tracked.
"""
import logging
import weakref

import gevent

from kzcore.errors import KzError
from kzcore.principals import Revoked

log = logging.getLogger(__name__)

SWEEP_INTERVAL = 0.25
POLICY_VIOLATION = 1008
CLAIM_KEYS = ("account_id", "owner_id", "method", "agen", "ugen", "kgen")


def principal_key(claims):
    """What makes two tokens' revocation answers the same (not their jti or expiry)."""
    return tuple(claims.get(key) for key in CLAIM_KEYS)


class RevocationWatch:
    def __init__(self, principals, interval=SWEEP_INTERVAL):
        self._principals = principals
        self._interval = interval
        self._claims = {}        # principal key -> claims
        self._sessions = {}      # principal key -> WeakSet of sessions
        self._greenlet = None
        self.closed = 0

    def track(self, session, claims):
        key = principal_key(claims)
        self._claims.setdefault(key, dict(claims))
        self._sessions.setdefault(key, weakref.WeakSet()).add(session)
        if not self.running:
            self._greenlet = gevent.spawn(self._run)

    @property
    def running(self):
        return self._greenlet is not None and not self._greenlet.dead

    def _run(self):
        while self._sessions:
            gevent.sleep(self._interval)
            try:
                self.sweep()
            except Exception:  # the sweep must outlive any one bad check
                log.exception("revocation sweep failed")

    def sweep(self):
        """Close the sessions of revoked tokens; forget closed sessions."""
        for key in list(self._sessions):
            sessions = [s for s in list(self._sessions.get(key, ())) if not s.closed]
            if not sessions:
                self._forget(key)
                continue
            reason = self._revocation(self._claims[key])
            if reason:
                self._forget(key)
                for session in sessions:
                    self._close(session, key, reason)

    def _revocation(self, claims):
        try:
            self._principals.check(claims)
        except Revoked as exc:
            return exc.message
        except KzError as exc:   # store trouble: keep the sessions, ask again next sweep
            log.warning("revocation check failed; sessions kept",
                        extra={"account_id": claims.get("account_id"), "error": exc.error_id})
        return None

    def _close(self, session, key, reason):
        log.info("websocket closed: token revoked", extra={
            "session": session.id, "account_id": key[0], "owner_id": key[1], "reason": reason})
        self.closed += 1
        session.close(POLICY_VIOLATION, reason)

    def _forget(self, key):
        self._sessions.pop(key, None)
        self._claims.pop(key, None)
