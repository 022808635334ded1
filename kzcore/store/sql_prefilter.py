"""Mango selector -> SQL prefilter for the embedded store (pure functions).

The embedded store keeps each body as JSON text. The simple conjuncts of a
selector become SQL conditions that every matching document satisfies (a
superset), so SQLite skips most rows before Python decodes them; the exact
Mango match (kzcore.store.mango) still runs on the rows that are left, so the
semantics do not depend on what is pushed down. Pushed: ``_id`` equality and
ranges, string equality on a top-level field (``pvt_type`` is an indexed
column), ``$elemMatch: {$in: [strings]}`` on a dotted path (the
numbers-in-use check), ``$and``, and an ``$or`` whose every branch is pushed.
"""
import re

from kzcore.store.mango import split_field

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_ID_OPERATORS = {"$eq": "=", "$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}
INDEXED_COLUMNS = ("pvt_type",)


TYPE_CONDITION = "pvt_type = ?"


def prefilter(selector):
    """``(sql, args, by_type)``: a condition on ``docs`` implied by ``selector``
    ("" if none); ``by_type`` when a top-level ``pvt_type`` equality lets the
    ``(db, pvt_type, id)`` index serve the query in ``_id`` order. (Without table
    statistics SQLite prefers the primary key for ORDER BY id and reads the
    whole database, so the store names that index.)"""
    parts = _conjuncts(selector)
    return (" AND ".join(sql for sql, _ in parts), [arg for _, args in parts for arg in args],
            any(sql == TYPE_CONDITION for sql, _ in parts))


def _conjuncts(selector):
    """``[(sql, args)]`` each implied by ``selector``."""
    if not isinstance(selector, dict):
        return []
    found = []
    for key, arg in selector.items():
        if key == "$and" and isinstance(arg, list):
            for sub in arg:
                found += _conjuncts(sub)
        elif key == "$or" and isinstance(arg, list) and arg:
            branches = [_conjuncts(sub) for sub in arg]
            if all(branches):
                found.append(_any_of(branches))
        elif not key.startswith("$"):
            found += _field_conditions(split_field(key), arg)
    return found


def _any_of(branches):
    sql = " OR ".join("(" + " AND ".join(s for s, _ in branch) + ")" for branch in branches)
    return f"({sql})", [a for branch in branches for _, args in branch for a in args]


def _text(value):
    """True for a string SQLite binds and compares exactly like Python does."""
    if not isinstance(value, str) or "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _field_conditions(path, arg):
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
        elif op == "$elemMatch" and _strings_in(value):
            marks = ", ".join("?" * len(value["$in"]))
            # json_tree, not json_each: $in also matches inside a nested list item
            found.append((f"EXISTS (SELECT 1 FROM json_tree(docs.body, ?) WHERE value IN "
                          f"({marks}))", ["$." + ".".join(path), *value["$in"]]))
    return found


def _strings_in(condition):
    """``{"$in": [non-empty list of strings]}`` and nothing else."""
    return isinstance(condition, dict) and list(condition) == ["$in"] \
        and isinstance(condition["$in"], list) and condition["$in"] \
        and all(_text(value) for value in condition["$in"])


def _column(name):
    return name if name in INDEXED_COLUMNS else f"json_extract(docs.body, '$.{name}')"
