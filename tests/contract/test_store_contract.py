"""One contract suite, run against every store backend through the ``store``
fixture (embedded sqlite and a CouchDB-API server)."""
import base64
import hashlib
import re

import gevent
import pytest

from kzcore.errors import BadRequest, Conflict, DatabaseMissing, NotFound

DB = "account/3a/9f/1b2c3d4e5f60718293a4b5c6d7e8f9"
OTHER_DB = "account/77/01/aa2c3d4e5f60718293a4b5c6d7e8f9"
REV = re.compile(r"^(\d+)-[0-9a-f]{32}$")


def rev_number(rev):
    match = REV.match(rev)
    assert match, rev
    return int(match.group(1))


# --- documents ----------------------------------------------------------------

def test_save_creates_database_and_document(store):
    original = {"name": "Room", "pins": [1, 2]}
    saved = store.save(DB, original)
    assert re.fullmatch(r"[0-9a-f]{32}", saved["_id"])
    assert rev_number(saved["_rev"]) == 1
    assert original == {"name": "Room", "pins": [1, 2]}  # argument not mutated
    assert store.db_exists(DB)
    assert store.get(DB, saved["_id"]) == saved


def test_update_needs_current_rev(store):
    first = store.save(DB, {"_id": "conf1", "name": "a"})
    second = store.save(DB, {**first, "name": "b"})
    assert rev_number(second["_rev"]) == 2
    assert store.get(DB, "conf1")["name"] == "b"
    with pytest.raises(Conflict):
        store.save(DB, {**first, "name": "stale"})
    without_rev = {key: value for key, value in second.items() if key != "_rev"}
    with pytest.raises(Conflict):
        store.save(DB, {**without_rev, "name": "blind"})
    assert store.get(DB, "conf1")["name"] == "b"


def test_delete_needs_current_rev_and_allows_recreate(store):
    first = store.save(DB, {"_id": "gone", "v": 1})
    second = store.save(DB, {**first, "v": 2})
    with pytest.raises(Conflict):
        store.delete(DB, "gone", first["_rev"])
    store.delete(DB, "gone", second["_rev"])
    with pytest.raises(NotFound) as missing:
        store.get(DB, "gone")
    assert not isinstance(missing.value, DatabaseMissing)
    again = store.save(DB, {"_id": "gone", "v": 3})
    assert rev_number(again["_rev"]) > rev_number(second["_rev"])
    assert store.get_or_none(DB, "gone")["v"] == 3


def test_missing_document_and_missing_database(store):
    store.create_db(DB)
    with pytest.raises(NotFound) as missing_doc:
        store.get(DB, "nope")
    assert type(missing_doc.value) is NotFound
    assert store.get_or_none(DB, "nope") is None
    assert not store.db_exists(OTHER_DB)
    with pytest.raises(DatabaseMissing):
        store.get(OTHER_DB, "nope")
    with pytest.raises(DatabaseMissing):
        store.get_attachment(OTHER_DB, "nope", "file.wav")
    assert store.all_docs(OTHER_DB) == []
    assert store.find(OTHER_DB, {"name": "x"}) == []


def test_create_and_delete_db_are_idempotent(store):
    store.create_db(OTHER_DB)
    store.create_db(OTHER_DB)
    assert store.db_exists(OTHER_DB)
    store.save(OTHER_DB, {"_id": "x"})
    store.delete_db(OTHER_DB)
    store.delete_db(OTHER_DB)
    assert not store.db_exists(OTHER_DB)
    assert store.all_docs(OTHER_DB) == []


def test_couchdb_document_rules(store):
    with pytest.raises(BadRequest):
        store.save(DB, {"_id": "x", "_read_only": {}})
    with pytest.raises(BadRequest):
        store.save(DB, {"_id": "_private"})
    with pytest.raises(BadRequest):
        store.save("Not A Valid Name", {"_id": "x"})


def test_slash_database_names_are_separate(store):
    store.save(DB, {"_id": "same", "owner": "first"})
    store.save(OTHER_DB, {"_id": "same", "owner": "second"})
    assert store.get(DB, "same")["owner"] == "first"
    assert store.get(OTHER_DB, "same")["owner"] == "second"
    assert [doc["owner"] for doc in store.all_docs(OTHER_DB)] == ["second"]


def test_unicode_values_and_ids(store):
    doc = {"_id": "déjà-vu ☎", "name": "Zoë ✓ 日本語 🎉", "ключ": ["ü", {"ß": "€"}]}
    store.save(DB, doc)
    loaded = store.get(DB, "déjà-vu ☎")
    assert loaded["name"] == doc["name"] and loaded["ключ"] == doc["ключ"]
    assert store.find(DB, {"name": "Zoë ✓ 日本語 🎉"})[0]["_id"] == "déjà-vu ☎"


def test_concurrent_saves_of_one_revision_exactly_one_wins(store):
    base = store.save(DB, {"_id": "race", "n": 0})
    outcomes = []

    def attempt(n):
        try:
            store.save(DB, {**base, "n": n})
            outcomes.append(("ok", n))
        except Conflict:
            outcomes.append(("conflict", n))

    gevent.joinall([gevent.spawn(attempt, n) for n in range(1, 21)], timeout=30, raise_error=True)
    winners = [n for kind, n in outcomes if kind == "ok"]
    assert len(outcomes) == 20 and len(winners) == 1
    current = store.get(DB, "race")
    assert current["n"] == winners[0] and rev_number(current["_rev"]) == 2


# --- listing ------------------------------------------------------------------

def test_all_docs_ordered_paginated_without_design_docs(store):
    for doc_id in ["m", "c", "x", "a", "k"]:
        store.save(DB, {"_id": doc_id, "v": doc_id})
    store.save(DB, {"_id": "_design/kazoo", "views": {}})
    assert [d["_id"] for d in store.all_docs(DB)] == ["a", "c", "k", "m", "x"]
    assert [d["_id"] for d in store.all_docs(DB, limit=2)] == ["a", "c"]
    assert [d["_id"] for d in store.all_docs(DB, start_key="k", limit=2)] == ["k", "m"]
    assert [d["_id"] for d in store.all_docs(DB, start_key="d")] == ["k", "m", "x"]
    assert all(d["v"] == d["_id"] and REV.match(d["_rev"]) for d in store.all_docs(DB))


PEOPLE = [
    {"_id": "a", "name": "alice", "age": 30, "tags": ["red", "blue"],
     "address": {"city": "Oslo"}, "scores": [{"v": 5}, {"v": 9}]},
    {"_id": "b", "name": "bob", "age": 25, "tags": ["blue"],
     "address": {"city": "Rome"}, "scores": [{"v": 1}]},
    {"_id": "c", "name": "carol", "age": 35, "tags": [], "nick": "cc",
     "address": {"city": "Oslo"}, "scores": []},
    {"_id": "d", "name": "dave", "age": 40, "tags": ["red", "green", "blue"],
     "address": {"city": "Paris"}, "scores": [{"v": 7}]},
]


@pytest.fixture
def people(store):
    for person in reversed(PEOPLE):
        store.save(DB, person)
    store.save(DB, {"_id": "_design/people", "language": "query"})
    return store


@pytest.mark.parametrize("selector, expected", [
    ({"name": "bob"}, "b"),
    ({"address.city": "Oslo"}, "ac"),
    ({"address": {"city": "Oslo"}}, "ac"),
    ({"age": {"$eq": 25}}, "b"),
    ({"age": {"$ne": 25}}, "acd"),
    ({"age": {"$gt": 30}}, "cd"),
    ({"age": {"$gte": 30}}, "acd"),
    ({"age": {"$lt": 30}}, "b"),
    ({"age": {"$lte": 30}}, "ab"),
    ({"age": {"$gt": 20, "$lt": 35}}, "ab"),
    ({"name": {"$in": ["alice", "dave", "zed"]}}, "ad"),
    ({"name": {"$nin": ["alice", "dave"]}}, "bc"),
    ({"nick": {"$exists": True}}, "c"),
    ({"nick": {"$exists": False}}, "abd"),
    ({"tags": {"$elemMatch": {"$eq": "green"}}}, "d"),
    ({"scores": {"$elemMatch": {"v": {"$gt": 6}}}}, "ad"),
    ({"tags": {"$all": ["red", "blue"]}}, "ad"),
    ({"tags": {"$size": 1}}, "b"),
    ({"tags": "red"}, ""),
    ({"age": {"$gt": 20}, "address.city": "Oslo"}, "ac"),
    ({"$and": [{"age": {"$gt": 26}}, {"address.city": "Oslo"}]}, "ac"),
    ({"$or": [{"name": "bob"}, {"age": 40}]}, "bd"),
    ({"age": {"$gt": 0}, "$not": {"address.city": "Oslo"}}, "bd"),
])
def test_find_operators(people, selector, expected):
    assert "".join(doc["_id"] for doc in people.find(DB, selector)) == expected


def test_find_sort_and_limit(people):
    def ids(**options):
        return "".join(doc["_id"] for doc in people.find(DB, {"age": {"$gt": 0}}, **options))
    assert ids() == "abcd"
    assert ids(sort=["age"]) == "bacd"
    assert ids(sort=[{"age": "desc"}]) == "dcab"
    assert ids(sort=["address.city", "name"]) == "acdb"
    assert ids(sort=["age"], limit=2) == "ba"
    assert ids(limit=3) == "abc"
    found = people.find_one(DB, {"name": "carol"})
    assert found["nick"] == "cc" and REV.match(found["_rev"])
    assert people.find_one(DB, {"name": "nobody"}) is None


# --- attachments ----------------------------------------------------------------

BINARY = bytes(range(256)) * 40 + b"\r\n\x00end"


def md5_digest(content):
    return "md5-" + base64.b64encode(hashlib.md5(content).digest()).decode()


def test_attachment_round_trip_and_stub(store):
    doc = store.save(DB, {"_id": "media1", "name": "greeting"})
    rev = store.put_attachment(DB, "media1", doc["_rev"], "greeting.wav", BINARY, "audio/wav")
    assert rev_number(rev) == 2
    content, content_type = store.get_attachment(DB, "media1", "greeting.wav")
    assert content == BINARY and content_type == "audio/wav"
    loaded = store.get(DB, "media1")
    assert loaded["_rev"] == rev and loaded["name"] == "greeting"
    assert loaded["_attachments"] == {"greeting.wav": {
        "content_type": "audio/wav", "length": len(BINARY), "digest": md5_digest(BINARY),
        "stub": True, "revpos": 2}}
    with pytest.raises(Conflict):
        store.put_attachment(DB, "media1", doc["_rev"], "other.wav", b"x", "audio/wav")
    with pytest.raises(NotFound):
        store.get_attachment(DB, "media1", "other.wav")


def test_attachment_replace_and_delete(store):
    doc = store.save(DB, {"_id": "media2"})
    rev = store.put_attachment(DB, "media2", doc["_rev"], "a.mp3", b"first", "audio/mpeg")
    rev = store.put_attachment(DB, "media2", rev, "a.mp3", b"second!", "audio/mpeg")
    assert store.get_attachment(DB, "media2", "a.mp3") == (b"second!", "audio/mpeg")
    assert store.get(DB, "media2")["_attachments"]["a.mp3"]["length"] == 7
    with pytest.raises(Conflict):
        store.delete_attachment(DB, "media2", doc["_rev"], "a.mp3")
    after = store.delete_attachment(DB, "media2", rev, "a.mp3")
    assert rev_number(after) == rev_number(rev) + 1
    assert "_attachments" not in store.get(DB, "media2")
    with pytest.raises(NotFound):
        store.get_attachment(DB, "media2", "a.mp3")


def test_update_keeps_attachments_listed_as_stubs_and_drops_omitted(store):
    doc = store.save(DB, {"_id": "media3", "v": 1})
    store.put_attachment(DB, "media3", doc["_rev"], "a.txt", b"keep me", "text/plain")
    loaded = store.get(DB, "media3")
    kept = store.save(DB, {**loaded, "v": 2})
    assert store.get_attachment(DB, "media3", "a.txt") == (b"keep me", "text/plain")
    assert store.get(DB, "media3")["_attachments"]["a.txt"]["revpos"] == 2
    omitted = {key: value for key, value in kept.items() if key != "_attachments"}
    store.save(DB, {**omitted, "v": 3})  # CouchDB drops attachments an update omits
    assert "_attachments" not in store.get(DB, "media3")
    with pytest.raises(NotFound):
        store.get_attachment(DB, "media3", "a.txt")


def test_attachment_on_slash_database_and_design_of_listing(store):
    doc = store.save(OTHER_DB, {"_id": "m"})
    store.put_attachment(OTHER_DB, "m", doc["_rev"], "x.bin", b"\x00\x01", "application/octet-stream")
    listed = store.all_docs(OTHER_DB)
    assert listed[0]["_attachments"]["x.bin"]["stub"] is True
    assert store.find(OTHER_DB, {"_id": "m"})[0]["_attachments"]["x.bin"]["length"] == 2


def test_attachment_without_rev_creates_the_document(store):
    store.create_db(DB)
    rev = store.put_attachment(DB, "fresh", None, "hello.txt", b"hi", "text/plain")
    assert rev_number(rev) == 1
    assert store.get(DB, "fresh")["_attachments"]["hello.txt"]["revpos"] == 1
    assert store.get_attachment(DB, "fresh", "hello.txt") == (b"hi", "text/plain")


def test_large_attachment_round_trip(store):
    content = bytes(range(256)) * 4096  # 1 MiB: streamed, not buffered, by the HTTP client
    doc = store.save(DB, {"_id": "big"})
    store.put_attachment(DB, "big", doc["_rev"], "big.bin", content, "application/octet-stream")
    assert store.get_attachment(DB, "big", "big.bin")[0] == content


def test_save_with_deleted_flag_deletes(store):
    doc = store.save(DB, {"_id": "flagged"})
    store.save(DB, {**doc, "_deleted": True})
    assert store.get_or_none(DB, "flagged") is None
    assert [d["_id"] for d in store.all_docs(DB)] == []
