"""Mango selector -> SQL prefilter for the embedded store (pure functions).

The embedded store keeps each body as JSON text. The simple conjuncts of a
selector become SQL conditions that every matching document satisfies (a
superset), so SQLite skips most rows before Python decodes them; the exact
Mango match (kzcore.store.mango) still runs on the rows that are left, so the
semantics do not depend on what is pushed down. Pushed: ``_id`` equality and
ranges, string equality on a top-level field (``pvt_type`` is an indexed
column), ``$elemMatch: {$in: [strings]}`` on a path of one or two names (the
numbers-in-use check: looked up in kzcore.store.array_index), ``$and``, and
an ``$or`` whose every branch is pushed.
"""
import re

from kzcore.store import array_index
from kzcore.store.mango import split_field

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_ID_OPERATORS = {"$eq": "=", "$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}
INDEXED_COLUMNS = ("pvt_type",)


TYPE_CONDITION = "pvt_type = ?"
_IN_ARRAYS = "id IN ("  # + an array_index subquery + ")"


def prefilter(selector, db):
    """``(sql, args, by_type)``: a condition on ``docs`` implied by ``selector``
    ("" if none); ``by_type`` when a top-level ``pvt_type`` equality lets the
    ``(db, pvt_type, id)`` index serve the query in ``_id`` order (without table
    statistics SQLite prefers the primary key for ORDER BY id and reads the
    whole database, so the store names that index) and no array lookup gives
    the ids to seek instead."""
    parts = _conjuncts(selector, db)
    by_type = any(sql == TYPE_CONDITION for sql, _ in parts) \
        and not any(sql.startswith(_IN_ARRAYS) for sql, _ in parts)
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


def _any_of(branches):
    args = [a for branch in branches for _, args in branch for a in args]
    if all(len(branch) == 1 and branch[0][0].startswith(_IN_ARRAYS) for branch in branches):
        # one id set (a UNION) lets SQLite seek documents by key; an OR of
        # IN-subqueries would make it walk the database
        union = " UNION ".join(branch[0][0][len(_IN_ARRAYS):-1] for branch in branches)
        return f"{_IN_ARRAYS}{union})", args
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
    if not all(_NAME.match(name) for name in path):
        return []
    found = []
    for op, value in operators.items():
        if op == "$eq" and len(path) == 1 and _text(value):
            found.append((f"{_column(path[0])} = ?", [value]))
        elif op == "$elemMatch" and _strings_in(value) and array_index.indexed_path(path):
            marks = ", ".join("?" * len(value["$in"]))
            found.append((f"{_IN_ARRAYS}SELECT id FROM array_values WHERE db = ? AND path = ? "
                          f"AND value IN ({marks}))",
                          [db, array_index.path_key(path), *value["$in"]]))
    return found


def _strings_in(condition):
    """``{"$in": [non-empty list of strings]}`` and nothing else."""
    return isinstance(condition, dict) and list(condition) == ["$in"] \
        and isinstance(condition["$in"], list) and condition["$in"] \
        and all(_text(value) for value in condition["$in"])


def _column(name):
    return name if name in INDEXED_COLUMNS else f"json_extract(docs.body, '$.{name}')"
