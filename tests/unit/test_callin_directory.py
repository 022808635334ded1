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


@pytest.mark.parametrize("change", ["disable", "delete", "disable_parent"])
def test_a_disabled_or_deleted_account_takes_no_callers(store, change):
    parent = "c" * 32
    store.save(naming.ACCOUNTS_DB, {"_id": parent, "pvt_type": "account"})
    account = store.get(naming.ACCOUNTS_DB, A)
    store.save(naming.ACCOUNTS_DB, {**account, "pvt_tree": [parent]})
    add(store, A, "sales", conference_numbers=["100"])
    directory = ConferenceDirectory(store)
    assert directory.find("100")[0].conference_id == "sales"
    target = parent if change == "disable_parent" else A
    doc = store.get(naming.ACCOUNTS_DB, target)
    if change == "delete":
        store.delete(naming.ACCOUNTS_DB, target, doc["_rev"])
    else:
        store.save(naming.ACCOUNTS_DB, {**doc, "enabled": False})
    assert directory.find("100") is None
    store_doc = store.get(naming.account_db(A), "sales")
    assert store_doc["conference_numbers"] == ["100"]      # nothing was changed, only refused
    if change != "delete":
        store.save(naming.ACCOUNTS_DB, {**store.get(naming.ACCOUNTS_DB, target), "enabled": True})
        assert directory.find("100")[0].conference_id == "sales"


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


def test_a_number_stays_with_its_first_owner_until_it_lets_go(store, caplog):
    add(store, A, "one", conference_numbers=["500"])
    directory = ConferenceDirectory(store, rescan_interval=0.0)
    assert directory.find("500")[0].conference_id == "one"
    add(store, B, "two", conference_numbers=["500"])
    index_conference(store, B, store.get(naming.account_db(B), "two"))
    assert directory.rebuild() == 1  # "two"'s 500 is a conflict, not indexed
    assert directory.find("500")[0].conference_id == "one"
    assert any("conflict" in r.getMessage() for r in caplog.records)
    # "one" lets the number go: its entry is stale and "two" may take it
    one = store.get(naming.account_db(A), "one")
    store.save(naming.account_db(A), dict(one, conference_numbers=[]))
    index_conference(store, B, store.get(naming.account_db(B), "two"))
    assert directory.find("500")[0].conference_id == "two"


def test_rebuild_gives_a_disputed_number_to_the_oldest_conference(store):
    add(store, B, "newer", conference_numbers=["600"], pvt_created=200)
    add(store, A, "older", conference_numbers=["600"], pvt_created=100)
    directory = ConferenceDirectory(store, rescan_interval=0.0)
    directory.rebuild()
    entry = store.get(INDEX_DB, "600")
    assert (entry["account_id"], entry["conference_id"]) == (A, "older")
    directory.rebuild()
    assert store.get(INDEX_DB, "600")["conference_id"] == "older"


def test_a_fresh_claim_is_held_until_its_grace_ends(store):
    from kzcore import conference_numbers as cn
    assert cn.claim(store, "700", A, "pending-one", pending=True)[0] == cn.CREATED
    # the document is not saved yet: another conference cannot take the number
    assert cn.claim(store, "700", B, "other")[0] == cn.REFUSED
    entry = store.get(INDEX_DB, "700")
    assert cn.still_holds(store, entry, now=entry["claimed_at"] + cn.CLAIM_GRACE + 1) is False
    store.save(INDEX_DB, dict(entry, claimed_at=entry["claimed_at"] - cn.CLAIM_GRACE - 1))
    assert cn.claim(store, "700", B, "other")[0] == cn.TAKEN


def test_store_outage_is_a_miss_not_a_crash():
    class Down(EmbeddedStore):
        def get(self, db, doc_id):
            raise StoreUnavailable(message="couch down")
    down = Down(":memory:")
    assert ConferenceDirectory(down).find("100") is None
    down.close()
