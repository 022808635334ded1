"""The pure Mango matcher and sorter (CouchDB mango_selector semantics)."""
import pytest

from kzcore.store import mango

DOC = {
    "_id": "x1",
    "name": "Room 1",
    "size": 10,
    "flags": {"locked": False, "muted": None},
    "members": [{"id": 1, "role": "moderator"}, {"id": 2, "role": "member"}],
    "tags": ["a", "b"],
    "dotted.key": "yes",
    "matrix": [[1, 2], [3]],
}


@pytest.mark.parametrize("selector", [
    {},
    {"name": "Room 1"},
    {"size": 10.0},
    {"flags.locked": False},
    {"flags.muted": None},
    {"flags": {"locked": False}},
    {"members.0.role": "moderator"},
    {"members.1.id": {"$gt": 1}},
    {"dotted\\.key": "yes"},
    {"tags": ["a", "b"]},
    {"tags": {"$in": ["b", "z"]}},
    {"tags": {"$nin": ["z"]}},
    {"tags": {"$all": ["b"]}},
    {"matrix": {"$all": [[1, 2], [3]]}},
    {"tags": {"$size": 2}},
    {"tags": {"$allMatch": {"$in": ["a", "b"]}}},
    {"members": {"$elemMatch": {"role": "member", "id": 2}}},
    {"name": {"$regex": "^Room \\d$"}},
    {"size": {"$mod": [3, 1]}},
    {"size": {"$gte": 10, "$lte": 10}},
    {"missing": {"$exists": False}},
    {"missing": {"$not": {"$eq": 1}}},
    {"$nor": [{"size": 1}, {"size": 2}]},
    {"$or": [{"size": 1}, {"name": {"$gt": "R"}}]},
    {"$not": {"size": {"$lt": 5}}},
    {"size": {"$gt": None}},     # numbers collate after null and booleans
    {"size": {"$lt": "0"}},      # ... and before strings
    {"tags": {"$gt": "zzz"}},    # arrays collate after strings
])
def test_matching_selectors(selector):
    assert mango.matches(DOC, selector)


@pytest.mark.parametrize("selector", [
    {"name": "room 1"},
    {"size": "10"},
    {"tags": "a"},                       # no implicit array membership
    {"members.role": "member"},
    {"members.5.id": 1},
    {"missing": {"$ne": 1}},             # a missing field matches no value operator
    {"missing": {"$nin": [1]}},
    {"missing": None},
    {"flags.locked": {"$exists": False}},
    {"tags": {"$size": 3}},
    {"name": {"$size": 6}},
    {"tags": {"$all": ["a", "z"]}},
    {"tags": {"$elemMatch": {"$eq": "z"}}},
    {"members": {"$elemMatch": {"role": "member", "id": 1}}},
    {"tags": {"$allMatch": {"$eq": "a"}}},
    {"name": {"$regex": "^room"}},
    {"size": {"$regex": "10"}},
    {"size": {"$gt": 5, "$lt": 10}},
    {"$and": [{"size": 10}, {"name": "other"}]},
    {"$or": []},
    {"name": "Room 1", "size": 11},
])
def test_non_matching_selectors(selector):
    assert not mango.matches(DOC, selector)


def test_collation_order_across_types():
    ordered = [None, False, True, -1, 0.5, 2, "", "A", "a", "b", [], [1], [1, 2], [2], {}, {"a": 1}]
    for lower, higher in zip(ordered, ordered[1:]):
        assert mango.collate(lower, higher) == -1, (lower, higher)
        assert mango.collate(higher, lower) == 1
    assert mango.collate(1, 1.0) == 0 and mango.collate(True, 1) != 0


def test_unknown_operator_is_rejected():
    with pytest.raises(ValueError, match=r"\$bogus"):
        mango.matches(DOC, {"size": {"$bogus": 1}})


def test_split_field_honours_escaped_dots():
    assert mango.split_field("a.b\\.c.d") == ["a", "b.c", "d"]


def test_sort_ascending_descending_nested_and_missing_first():
    docs = [{"_id": "1", "n": 2, "o": {"k": "b"}}, {"_id": "2", "n": 1, "o": {"k": "b"}},
            {"_id": "3", "o": {"k": "a"}}, {"_id": "4", "n": 2, "o": {"k": "a"}}]
    assert [d["_id"] for d in mango.sort_docs(docs, ["n"])] == ["3", "2", "1", "4"]
    assert [d["_id"] for d in mango.sort_docs(docs, [{"n": "desc"}])] == ["1", "4", "2", "3"]
    assert [d["_id"] for d in mango.sort_docs(docs, ["o.k", {"n": "desc"}])] == ["4", "3", "1", "2"]


def test_select_filters_orders_by_id_and_limits():
    docs = [{"_id": i, "even": int(i) % 2 == 0} for i in "5318642"]
    assert [d["_id"] for d in mango.select(docs, {"even": True})] == ["2", "4", "6", "8"]
    assert [d["_id"] for d in mango.select(docs, {"even": False}, limit=2)] == ["1", "3"]
    assert [d["_id"] for d in mango.select(docs, {}, limit=2, sort=[{"_id": "desc"}])] == ["8", "6"]
