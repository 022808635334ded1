"""The embedded store's SQL prefilter never changes what find() returns: each
selector gives exactly what the pure Mango matcher gives over every document."""
import sqlite3

import pytest

from kzcore.store import mango
from kzcore.store.embedded import EmbeddedStore
from kzcore.store.sql_prefilter import prefilter

DB = "account/aa/bb/prefilter"
DOCS = [
    {"_id": "a1", "pvt_type": "conference", "name": "Zoë", "conference_numbers": ["100"],
     "member": {"numbers": ["200", "201"]}},
    {"_id": "a2", "pvt_type": "conference", "name": "x", "conference_numbers": [100],
     "member": {"numbers": [["300"]]}},
    {"_id": "b1", "pvt_type": ["conference"], "name": "x", "conference_numbers": "100"},
    {"_id": "b2", "pvt_type": "user", "name": "x\u0000y", "username": "bob"},
    {"_id": "c1", "pvt_type": 7, "name": 1, "member": {"numbers": {"k": "200"}}},
    {"_id": "c2", "name": None, "conference_numbers": ["100", "300"]},
    {"_id": "d1", "pvt_type": "conference", "name": "x", "pvt_deleted": True},
    {"_id": "_design/x", "pvt_type": "conference"},
]
NUMBER_FIELDS = ("conference_numbers", "member.numbers")
SELECTORS = [
    {"pvt_type": "conference"},
    {"pvt_type": {"$eq": "conference"}, "name": "x"},
    {"pvt_type": "conference", "pvt_deleted": {"$exists": False}},
    {"name": "Zoë"},
    {"name": "x\u0000y"},
    {"name": 1},
    {"name": None},
    {"pvt_type": 7},
    {"_id": "b1"},
    {"_id": {"$gte": "a2", "$lt": "c2"}},
    {"_id": {"$gt": 5}},
    {"$and": [{"pvt_type": "conference"}, {"_id": {"$lte": "a2"}}]},
    {"$or": [{"pvt_type": "user"}, {"name": "Zoë"}]},
    {"$or": [{"pvt_type": "user"}, {"name": {"$regex": "^x"}}]},
    {"pvt_type": "conference", "$or": [{f: {"$elemMatch": {"$in": ["100", "300"]}}}
                                       for f in NUMBER_FIELDS]},
    {"$or": [{f: {"$elemMatch": {"$in": ["200"]}}} for f in NUMBER_FIELDS]},
    {"conference_numbers": {"$elemMatch": {"$in": [100]}}},
    {"member.numbers": {"$elemMatch": {"$in": ["300"]}}},
]


@pytest.fixture(scope="module")
def store():
    store = EmbeddedStore()
    for doc in DOCS:
        store.save(DB, doc)
    yield store
    store.close()


@pytest.mark.parametrize("selector", SELECTORS)
def test_find_equals_pure_mango(store, selector):
    everything = [doc for doc in store.all_docs(DB)]
    expected = mango.select(everything, selector)
    assert store.find(DB, selector) == expected
    assert store.find(DB, selector, limit=1) == expected[:1]


def test_pushdown_uses_the_type_index(store):
    where, args, by_type = prefilter({"pvt_type": "conference", "name": {"$regex": "x"}}, DB)
    assert (where, args, by_type) == ("pvt_type = ?", ["conference"], True)
    plan = store._conn.execute(
        f"EXPLAIN QUERY PLAN SELECT id FROM docs INDEXED BY docs_by_type WHERE db = ? AND "
        f"deleted = 0 AND {where} ORDER BY id", [DB, *args]).fetchall()
    assert any("docs_by_type (db=? AND pvt_type=?)" in row[-1] for row in plan), plan
    assert prefilter({"$or": [{"pvt_type": "a", "x": "b"}, {"pvt_type": "c"}]}, DB)[2] is False


def test_old_file_gets_the_index_on_open(tmp_path):
    path = str(tmp_path / "old.sqlite3")
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE dbs (name TEXT PRIMARY KEY);"
        "CREATE TABLE docs (db TEXT NOT NULL, id TEXT NOT NULL, rev TEXT NOT NULL, deleted"
        " INTEGER NOT NULL, body TEXT NOT NULL, stubs TEXT, PRIMARY KEY (db, id)) WITHOUT ROWID;"
        f"INSERT INTO dbs VALUES ('{DB}');"
        f"INSERT INTO docs VALUES ('{DB}', 'old', '1-x', 0, "
        "'{\"pvt_type\": \"user\", \"member\": {\"numbers\": [\"42\"]}}', NULL);")
    conn.commit()
    conn.close()
    store = EmbeddedStore(path)
    try:
        assert [d["_id"] for d in store.find(DB, {"pvt_type": "user"})] == ["old"]
        numbers = {"member.numbers": {"$elemMatch": {"$in": ["42"]}}}
        assert [d["_id"] for d in store.find(DB, numbers)] == ["old"]
    finally:
        store.close()


def test_numbers_in_use_seeks_documents_by_key(store):
    selector = {"pvt_type": "conference", "$or": [
        {field: {"$elemMatch": {"$in": ["100"]}}} for field in NUMBER_FIELDS]}
    where, args, by_type = prefilter(selector, DB)
    assert by_type is False and where.count("UNION") == 1
    plan = store._conn.execute(
        f"EXPLAIN QUERY PLAN SELECT id FROM docs WHERE db = ? AND deleted = 0 AND {where} "
        "ORDER BY id", [DB, *args]).fetchall()
    assert any("PRIMARY KEY (db=? AND id=?)" in row[-1] for row in plan), plan


def test_field_index_follows_updates_and_deletes(store):
    db = "account/aa/bb/arrays"
    saved = store.save(db, {"_id": "r1", "pvt_type": "conference", "conference_numbers": ["7"]})
    in_use = {"conference_numbers": {"$elemMatch": {"$in": ["7"]}}}
    assert [d["_id"] for d in store.find(db, in_use)] == ["r1"]
    saved = store.save(db, {**saved, "conference_numbers": ["8"]})
    assert store.find(db, in_use) == []
    store.save(db, {**saved, "conference_numbers": ["7"]})
    store.delete(db, "r1", store.get(db, "r1")["_rev"])
    assert store.find(db, in_use) == []
