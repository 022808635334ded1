"""The number index: one lookup per call, self-healing on misses and stale entries."""
import pytest

from callin.directory import INDEX_DB, ConferenceDirectory, index_conference
from callin.documents import EITHER, MEMBER, MODERATOR
from kzcore import naming
from kzcore.errors import StoreUnavailable
from kzcore.store.embedded import EmbeddedStore

A, B = "a" * 32, "b" * 32


@pytest.fixture
def store():
    s = EmbeddedStore(":memory:")
    for account in (A, B):
        s.save(naming.ACCOUNTS_DB, {"_id": account, "pvt_type": "account"})
    yield s
    s.close()


def add(store, account, conference_id, **fields):
    doc = {"_id": conference_id, "pvt_type": "conference", **fields}
    return store.save(naming.account_db(account), doc)


class Clock:
    now = 0.0

    def __call__(self):
        return self.now


def test_numbers_are_found_across_accounts(store):
    add(store, A, "sales", conference_numbers=["100"], moderator={"numbers": ["101"]})
    add(store, B, "board", member={"numbers": ["200"]})
    add(store, B, "junk", member="not an object", conference_numbers=[None, 7])
    store.save(naming.account_db(B), {"_id": "device1", "pvt_type": "device"})
    directory = ConferenceDirectory(store)
    conf, role = directory.find("100")
    assert (conf.account_id, conf.conference_id, role) == (A, "sales", EITHER)
    assert directory.find("101")[1] == MODERATOR
    conf, role = directory.find("+200")
    assert (conf.account_id, conf.fs_name, role) == (B, naming.fs_conference_name(B, "board"), MEMBER)
    assert store.get(INDEX_DB, "200")["conference_id"] == "board"
    assert directory.find("999") is None
    assert directory.find("") is None


def test_misses_rescan_at_most_once_per_interval(store):
    clock = Clock()
    directory = ConferenceDirectory(store, rescan_interval=30.0, clock=clock)
    assert directory.find("300") is None                  # first miss scans (nothing yet)
    add(store, A, "late", conference_numbers=["300"])
    clock.now = 10.0
    assert directory.find("300") is None                  # too soon to scan again
    clock.now = 31.0
    assert directory.find("300")[0].conference_id == "late"
    add(store, A, "pushed", conference_numbers=["301"])
    index_conference(store, A, store.get(naming.account_db(A), "pushed"))
    clock.now = 32.0
    assert directory.find("301")[0].conference_id == "pushed"   # a writer indexed it at once


def test_stale_entries_are_dropped(store):
    saved = add(store, A, "moving", conference_numbers=["400"])
    directory = ConferenceDirectory(store, rescan_interval=0.0)
    assert directory.find("400")
    store.save(naming.account_db(A), dict(saved, conference_numbers=["401"]))
    assert directory.find("400") is None
    assert store.get_or_none(INDEX_DB, "400") is None
    assert directory.find("401")[0].conference_id == "moving"
    current = store.get(naming.account_db(A), "moving")
    store.delete(naming.account_db(A), "moving", current["_rev"])
    assert directory.find("401") is None


def test_a_number_moving_to_another_conference_follows_it(store):
    add(store, A, "one", conference_numbers=["500"])
    directory = ConferenceDirectory(store, rescan_interval=0.0)
    assert directory.find("500")[0].conference_id == "one"
    add(store, B, "two", conference_numbers=["500"])
    index_conference(store, B, store.get(naming.account_db(B), "two"))
    assert directory.find("500")[0].conference_id == "two"


def test_store_outage_is_a_miss_not_a_crash():
    class Down(EmbeddedStore):
        def get(self, db, doc_id):
            raise StoreUnavailable(message="couch down")
    down = Down(":memory:")
    assert ConferenceDirectory(down).find("100") is None
    down.close()
