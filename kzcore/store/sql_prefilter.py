"""Mango selector -> SQL prefilter for the embedded store (pure functions).

The embedded store keeps each body as JSON text. The simple conjuncts of a
selector become SQL conditions that every matching document satisfies (a
superset), so SQLite skips most rows before Python decodes them; the exact
Mango match (kzcore.store.mango) still runs on the rows that are left, so the
semantics do not depend on what is pushed down. Pushed: ``_id`` equality and
ranges, ``pvt_type`` equality (an indexed column), string equality and
``$elemMatch: {$in: [strings]}`` on a path of one or two names (looked up in
kzcore.store.field_index), ``$and``, and an ``$or`` whose every branch is
pushed.
"""
import re

from kzcore.store import field_index
from kzcore.store.mango import split_field

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_ID_OPERATORS = {"$eq": "=", "$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}

TYPE_CONDITION = "pvt_type = ?"
_IN_INDEX = "id IN ("  # + a field_index subquery + ")"


def prefilter(selector, db):
    """``(sql, args, by_type)``: a condition on ``docs`` implied by ``selector``
    ("" if none); ``by_type`` when a top-level ``pvt_type`` equality lets the
    ``(db, pvt_type, id)`` index serve the query in ``_id`` order (without table
    statistics SQLite prefers the primary key for ORDER BY id and reads the
    whole database, so the store names that index) and no field-index lookup
    gives the ids to seek instead."""
    parts = _intersected(_conjuncts(selector, db))
    by_type = any(sql == TYPE_CONDITION for sql, _ in parts) \
        and not any(sql.startswith(_IN_INDEX) for sql, _ in parts)
    return " AND ".join(sql for sql, _ in parts), [arg for _, args in parts for arg in args], \
        by_type


def _conjuncts(selector, db):
    """``[(sql, args)]`` each implied by ``selector`` (on database ``db``)."""
    if not isinstance(selector, dict):
        return []
    found = []
    for key, arg in selector.items():
        if key == "$and" and isinstance(arg, list):
            for sub in arg:
                found += _conjuncts(sub, db)
        elif key == "$or" and isinstance(arg, list) and arg:
            branches = [_conjuncts(sub, db) for sub in arg]
            if all(branches):
                found.append(_any_of(branches))
        elif not key.startswith("$"):
            found += _field_conditions(split_field(key), arg, db)
    return found


def _intersected(parts):
    """Top-level field-index lookups as one id set (an INTERSECT), so SQLite
    seeks only the documents every lookup names."""
    lookups = [part for part in parts if part[0].startswith(_IN_INDEX)]
    if len(lookups) < 2:
        return parts
    inner = " INTERSECT ".join(f"SELECT * FROM ({sql[len(_IN_INDEX):-1]})" for sql, _ in lookups)
    merged = (f"{_IN_INDEX}{inner})", [arg for _, args in lookups for arg in args])
    return [part for part in parts if part not in lookups] + [merged]


def _any_of(branches):
    args = [a for branch in branches for _, args in branch for a in args]
    if all(len(branch) == 1 and branch[0][0].startswith(_IN_INDEX) for branch in branches):
        # one id set (a UNION) lets SQLite seek documents by key; an OR of
        # IN-subqueries would make it walk the database
        union = " UNION ".join(branch[0][0][len(_IN_INDEX):-1] for branch in branches)
        return f"{_IN_INDEX}{union})", args
    sql = " OR ".join("(" + " AND ".join(s for s, _ in branch) + ")" for branch in branches)
    return f"({sql})", args


def _text(value):
    """True for a string SQLite binds and compares exactly like Python does."""
    if not isinstance(value, str) or "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _field_conditions(path, arg, db):
    operators = arg if isinstance(arg, dict) else {"$eq": arg}
    if path == ["_id"]:
        return [(f"id {_ID_OPERATORS[op]} ?", [value]) for op, value in operators.items()
                if op in _ID_OPERATORS and _text(value)]
    if not all(_NAME.fullmatch(name) for name in path):
        return []
    found = []
    for op, value in operators.items():
        if op == "$eq" and path == ["pvt_type"] and _text(value):
            found.append((TYPE_CONDITION, [value]))
        elif op == "$eq" and field_index.indexed(path, value):
            found.append(_lookup(db, path, [value]))
        elif op == "$elemMatch" and _strings_in(value) \
                and all(field_index.indexed(path, item) for item in value["$in"]):
            found.append(_lookup(db, path, value["$in"]))
    return found


def _lookup(db, path, values):
    marks = ", ".join("?" * len(values))
    return (f"{_IN_INDEX}SELECT id FROM field_values WHERE db = ? AND path = ? "
            f"AND value IN ({marks}))", [db, field_index.path_key(path), *values])


def _strings_in(condition):
    """``{"$in": [non-empty list of strings]}`` and nothing else."""
    return isinstance(condition, dict) and list(condition) == ["$in"] \
        and isinstance(condition["$in"], list) and condition["$in"] \
        and all(_text(value) for value in condition["$in"])
