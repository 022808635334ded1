"""The login throttle shared through the store (crossbar.auth.throttle_shared):
two throttles on one store stand for two crossbar processes. Failures made on
either lock both; the store writes stay bounded however many names and
addresses an attacker makes up; the client address behind a trusted proxy."""
import ipaddress

import gevent
import pytest

from crossbar.auth.throttle import LoginThrottle, client_address
from crossbar.auth.throttle_shared import (DB, SharedLoginThrottle, digest, merge_failures,
                                           pruned)
from kzcore.errors import TooManyAttempts
from kzcore.store.embedded import EmbeddedStore

SYNC = 0.02
NAME = ("name", "victim")


def make(store, buckets=8, max_entries=500):
    local = LoginThrottle(max_failures=4, max_failures_per_address=1000, lockout=30.0,
                          max_lockout=600.0, window=600.0)
    return SharedLoginThrottle(local, store, buckets=buckets, sync_interval=SYNC,
                               max_entries=max_entries)


@pytest.fixture
def store():
    made = EmbeddedStore(":memory:")
    yield made
    made.close()


def settle():
    gevent.sleep(4 * SYNC)      # every flush written, every cached bucket stale


def test_failures_on_two_processes_lock_the_name_on_both(store):
    one, two = make(store), make(store)
    for throttle in (one, two, one, two):
        throttle.check([NAME])
        throttle.failed([NAME])
    one.local.check([NAME])                     # each alone saw 2 of 4: not locked
    two.local.check([NAME])
    settle()
    for throttle in (one, two):
        with pytest.raises(TooManyAttempts) as refused:
            throttle.check([NAME])
        assert 25 < refused.value.retry_after <= 30
    assert one.stats()["shared_throttled"] == 1


def test_a_success_clears_the_shared_count_of_its_name(store):
    one, two = make(store), make(store)
    for _ in range(3):
        one.failed([NAME])
    settle()
    two.check([NAME])                           # reads the bucket: 3 failures
    two.succeeded([NAME])
    settle()
    one.local.succeeded([NAME])
    one.failed([NAME])
    settle()
    one.check([NAME])                           # 1 failure since the success: open


def test_writes_are_bounded_by_the_buckets_not_by_the_attempts(store):
    throttle = make(store, buckets=8, max_entries=50)
    for n in range(2000):                       # made-up names, made-up addresses
        throttle.failed([("address", f"10.0.{n // 250}.{n % 250}"), ("name", f"guess-{n}")])
    settle()
    assert throttle.writes <= 8                 # one write per dirty bucket
    docs = store.all_docs(DB)
    assert len(docs) <= 8
    assert all(len(doc["entries"]) <= 50 for doc in docs)
    for _ in range(100):
        throttle.failed([NAME])
    settle()
    assert throttle.writes <= 9
    with pytest.raises(TooManyAttempts):
        make(store).check([NAME])               # another process sees the lock


def test_a_locked_entry_survives_a_flood_of_made_up_names(store):
    throttle = make(store, buckets=1, max_entries=10)
    for _ in range(4):
        throttle.failed([NAME])
    settle()
    for n in range(200):
        throttle.failed([("name", f"flood-{n}")])
    settle()
    entries = store.get(DB, "bucket-0")["entries"]
    assert digest(NAME) in entries and len(entries) <= 10
    with pytest.raises(TooManyAttempts):
        make(store, buckets=1).check([NAME])


def test_merged_counts_follow_the_local_rules():
    rules = LoginThrottle(max_failures=3, max_failures_per_address=5, lockout=2.0,
                          max_lockout=5.0, window=60.0)
    entry = merge_failures(None, 2, 100.0, rules)
    assert (entry["n"], entry["until"]) == (2, 0.0)
    entry = merge_failures(entry, 1, 101.0, rules)
    assert entry["until"] == 103.0              # the third: locked for `lockout`
    entry = merge_failures(entry, 2, 104.0, rules)
    assert entry["until"] == 109.0              # capped at max_lockout (2 * 2**2 > 5)
    assert merge_failures(entry, 1, 500.0, rules)["n"] == 1   # a window later: forgotten
    address = merge_failures({"kind": "address"}, 4, 10.0, rules)
    assert address["until"] == 0.0             # addresses have their own limit


def test_pruning_keeps_locks_and_drops_what_the_window_forgot():
    entries = {"old": {"n": 1, "last": 0.0, "until": 0.0},
               "locked": {"n": 9, "last": 0.0, "until": 1000.0},
               "a": {"n": 1, "last": 500.0, "until": 0.0},
               "b": {"n": 1, "last": 600.0, "until": 0.0}}
    assert set(pruned(entries, 700.0, 300.0, 10)) == {"locked", "a", "b"}
    assert set(pruned(entries, 700.0, 300.0, 2)) == {"locked", "b"}


def test_the_client_address_behind_a_trusted_proxy():
    trusted = (ipaddress.ip_network("10.0.0.0/8"),)
    assert client_address("10.0.0.5", "203.0.113.9", trusted) == "203.0.113.9"
    assert client_address("10.0.0.5", "198.51.100.1, 203.0.113.9, 10.0.0.7", trusted) \
        == "203.0.113.9"                        # the right-most hop not ours
    assert client_address("198.51.100.7", "203.0.113.9", trusted) == "198.51.100.7"
    assert client_address("10.0.0.5", None, trusted) == "10.0.0.5"
    assert client_address("10.0.0.5", "203.0.113.9", ()) == "10.0.0.5"


def test_a_store_that_stays_away_costs_a_bounded_number_of_retries(monkeypatch):
    import crossbar.auth.throttle_shared as shared
    monkeypatch.setattr(shared, "MAX_FAILED_ROUNDS", 3)
    gone = EmbeddedStore(":memory:")
    throttle = make(gone)
    gone.close()                                 # every read and write fails from now on
    for _ in range(4):
        throttle.failed([NAME])
    gevent.sleep(10 * SYNC)
    assert throttle.conflicts == 3               # three rounds tried, then given up
    assert throttle._flusher.dead and not throttle._pending
    with pytest.raises(TooManyAttempts):         # this process still counts for itself
        throttle.local.check([NAME])
