"""blackhole.revocation: the sweep closing sessions of revoked tokens (real
PrincipalCheck on an embedded store; sessions are stand-ins with close())."""
import itertools

import gevent

from blackhole.revocation import RevocationWatch
from kzcore.errors import StoreUnavailable
from kzcore.naming import ACCOUNTS_DB
from kzcore.principals import PrincipalCheck
from kzcore.store.embedded import EmbeddedStore

ALPHA, BETA = "a" * 32, "b" * 32
_ids = itertools.count(1)


class StandInSession:
    def __init__(self):
        self.id, self.closed, self.closed_with = next(_ids), False, None

    def close(self, code, reason):
        self.closed, self.closed_with = True, (code, reason)


def store_with_accounts():
    store = EmbeddedStore(":memory:")
    for account_id in (ALPHA, BETA):
        store.save(ACCOUNTS_DB, {"_id": account_id, "pvt_type": "account", "pvt_tree": []})
    return store


def disable(store, account_id):
    store.save(ACCOUNTS_DB, dict(store.get(ACCOUNTS_DB, account_id), enabled=False))


def test_a_sweep_closes_every_session_of_a_revoked_principal_checking_it_once():
    store = store_with_accounts()
    principals = PrincipalCheck(store, ttl=0)
    watch = RevocationWatch(principals, interval=60)
    first, second, other = StandInSession(), StandInSession(), StandInSession()
    for session, account_id in ((first, ALPHA), (second, ALPHA), (other, BETA)):
        watch.track(session, {"account_id": account_id, "method": "api_auth", "jti": "x"})
    watch.sweep()
    assert not any(s.closed for s in (first, second, other))
    disable(store, ALPHA)
    reads = principals.reads
    watch.sweep()
    assert first.closed_with == second.closed_with == (1008, "auth token revoked: "
                                                             "account disabled")
    assert not other.closed and watch.closed == 2
    assert principals.reads - reads == 2        # one read per principal, not per session
    store.close()


class FailingStore:
    def get(self, db, doc_id):
        raise StoreUnavailable("down")


def test_store_trouble_keeps_sessions_and_the_greenlet_ends_with_its_sessions():
    watch = RevocationWatch(PrincipalCheck(FailingStore(), ttl=0), interval=0.01)
    session = StandInSession()
    watch.track(session, {"account_id": ALPHA})
    gevent.sleep(0.05)
    assert watch.running and not session.closed     # unknown is not revoked
    session.closed = True                       # the peer left
    gevent.sleep(0.05)
    assert not watch.running
