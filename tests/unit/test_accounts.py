"""kzcore.accounts: who sees which account, and which account owns a dialled number
(the two answers that keep one tenant out of another's data and calls)."""
import pytest

from kzcore import accounts
from kzcore.conference_numbers import INDEX_DB
from kzcore.naming import ACCOUNTS_DB, account_db
from kzcore.store.embedded import EmbeddedStore

ROOT, CHILD, GRANDCHILD, OTHER = ("a" * 32, "b" * 32, "c" * 32, "d" * 32)


@pytest.fixture
def store():
    store = EmbeddedStore(":memory:")
    store.create_db(ACCOUNTS_DB)
    store.create_db(INDEX_DB)
    for account_id, tree in ((ROOT, []), (CHILD, [ROOT]), (GRANDCHILD, [ROOT, CHILD]),
                             (OTHER, [])):
        store.save(ACCOUNTS_DB, {"_id": account_id, "pvt_type": "account", "pvt_tree": tree,
                                 "name": account_id[:4]})
    return store


@pytest.mark.parametrize("actor, target, expected", [
    (ROOT, ROOT, True), (ROOT, CHILD, True), (ROOT, GRANDCHILD, True), (CHILD, GRANDCHILD, True),
    (CHILD, ROOT, False), (GRANDCHILD, CHILD, False), (OTHER, CHILD, False), (ROOT, OTHER, False),
    (CHILD, CHILD, True),
])
def test_an_account_sees_itself_and_its_descendants_only(store, actor, target, expected):
    assert accounts.can_access(store, actor, target) is expected


@pytest.mark.parametrize("actor, target", [
    ("not-an-id", CHILD), (ROOT, "not-an-id"), (None, None), ("x" * 32, "x" * 32),
    ("A" * 32, "A" * 32),
])
def test_malformed_ids_see_nothing_not_even_themselves(store, actor, target):
    assert accounts.can_access(store, actor, target) is False


def test_a_missing_target_account_is_refused(store):
    assert accounts.can_access(store, ROOT, "f" * 32) is False


def test_an_account_without_a_tree_has_no_ancestors(store):
    store.save(ACCOUNTS_DB, {"_id": "f" * 32, "pvt_type": "account"})
    assert accounts.can_access(store, ROOT, "f" * 32) is False
    assert accounts.can_access(store, "f" * 32, "f" * 32) is True


def _conference(store, account_id, conf_id, numbers, **extra):
    db = account_db(account_id)
    store.create_db(db)
    doc = {"_id": conf_id, "pvt_type": "conference", "conference_numbers": numbers, **extra}
    store.save(db, doc)
    return doc


def _index(store, number, account_id, conf_id):
    store.save(INDEX_DB, {"_id": number, "account_id": account_id, "conference_id": conf_id})


def test_the_owner_of_a_listed_number_is_its_account_document(store):
    _conference(store, CHILD, "conf1", ["5551000"])
    _index(store, "5551000", CHILD, "conf1")
    owner = accounts.owner_of_number(store, "5551000")
    assert owner["_id"] == CHILD and owner["pvt_type"] == "account"


def test_member_and_moderator_numbers_count_too(store):
    _conference(store, CHILD, "conf1", [], member={"numbers": ["5552000"]},
                moderator={"numbers": ["5553000"]})
    _index(store, "5552000", CHILD, "conf1")
    _index(store, "5553000", CHILD, "conf1")
    assert accounts.owner_of_number(store, "5552000")["_id"] == CHILD
    assert accounts.owner_of_number(store, "5553000")["_id"] == CHILD


@pytest.mark.parametrize("number", [None, 5551000, "", "555-1000", "+5551000", "5551000 "])
def test_only_digit_strings_are_looked_up(store, number):
    _conference(store, CHILD, "conf1", ["5551000"])
    _index(store, "5551000", CHILD, "conf1")
    assert accounts.owner_of_number(store, number) is None


def test_an_unindexed_number_has_no_owner(store):
    _conference(store, CHILD, "conf1", ["5551000"])
    assert accounts.owner_of_number(store, "5551000") is None


@pytest.mark.parametrize("account_id, conf_id", [
    ("not-an-id", "conf1"), (CHILD, None), (CHILD, ""), (CHILD, "_design/x"), (CHILD, 7),
])
def test_malformed_index_entries_own_nothing(store, account_id, conf_id):
    _conference(store, CHILD, "conf1", ["5551000"])
    store.save(INDEX_DB, {"_id": "5551000", "account_id": account_id, "conference_id": conf_id})
    assert accounts.owner_of_number(store, "5551000") is None


def test_a_conference_that_no_longer_lists_the_number_owns_nothing(store):
    _conference(store, CHILD, "conf1", ["5559999"])
    _index(store, "5551000", CHILD, "conf1")
    assert accounts.owner_of_number(store, "5551000") is None


def test_a_deleted_or_missing_conference_owns_nothing(store):
    _conference(store, CHILD, "conf1", ["5551000"], pvt_deleted=True)
    _index(store, "5551000", CHILD, "conf1")
    assert accounts.owner_of_number(store, "5551000") is None
    _index(store, "5554000", CHILD, "never-saved")
    assert accounts.owner_of_number(store, "5554000") is None


def test_a_missing_account_database_owns_nothing(store):
    _index(store, "5551000", GRANDCHILD, "conf1")   # GRANDCHILD's database never created
    assert accounts.owner_of_number(store, "5551000") is None


def test_a_document_that_is_not_a_conference_owns_nothing(store):
    _conference(store, CHILD, "conf1", ["5551000"], pvt_type="user")
    _index(store, "5551000", CHILD, "conf1")
    assert accounts.owner_of_number(store, "5551000") is None


def test_the_account_must_exist_and_be_an_account(store):
    _conference(store, "e" * 32, "conf1", ["5551000"])    # no account document
    _index(store, "5551000", "e" * 32, "conf1")
    assert accounts.owner_of_number(store, "5551000") is None
    store.save(ACCOUNTS_DB, {"_id": "e" * 32, "pvt_type": "user"})
    assert accounts.owner_of_number(store, "5551000") is None


def test_only_digit_numbers_are_owned_even_when_indexed(store):
    """A number with a '+' (or any non-digit) owns nothing, whatever the index says."""
    _conference(store, CHILD, "conf1", ["+5551000"])
    _index(store, "+5551000", CHILD, "conf1")
    assert accounts.owner_of_number(store, "+5551000") is None


def test_a_malformed_actor_sees_nothing_even_when_named_in_a_tree(store):
    store.save(ACCOUNTS_DB, {"_id": "f" * 32, "pvt_type": "account", "pvt_tree": ["not-an-id"]})
    assert accounts.can_access(store, "not-an-id", "f" * 32) is False


class ReadLog:
    """The store, with the ids read from it noted."""

    def __init__(self, store):
        self.store, self.read = store, []

    def get(self, db, doc_id):
        self.read.append(doc_id)
        return self.store.get(db, doc_id)

    def get_or_none(self, db, doc_id):
        return self.store.get_or_none(db, doc_id)


def test_a_design_document_is_never_read_as_a_conference(store):
    _index(store, "5551000", CHILD, "_design/conferences")
    reads = ReadLog(store)
    assert accounts.owner_of_number(reads, "5551000") is None
    assert reads.read == []
