"""Pure Mango selector matching and sorting (CouchDB ``_find`` semantics).

Follows CouchDB's ``mango_selector``: no implicit array membership (``{"tags":
"a"}`` does not match ``["a", "b"]``; use ``$elemMatch``/``$all``/``$in``), a
missing field matches nothing except ``{"$exists": false}`` and negations, and
comparisons use CouchDB's type collation (null < false < true < numbers <
strings < arrays < objects). Strings compare by code point (CouchDB's ICU
collation differs for mixed case). Sorting puts documents lacking a sort field
first, so both store backends can sort client-side identically.
"""
import functools
import re

_MISSING = object()


def split_field(field):
    """``"a.b\\.c"`` -> ``["a", "b.c"]`` (a backslash escapes a dot)."""
    return list(_split_cached(field))


@functools.lru_cache(maxsize=4096)
def _split_cached(field):
    """``split_field`` as a tuple, computed once per field name (matching runs it
    for every document a selector is tried on)."""
    parts = re.split(r"(?<!\\)\.", field)
    return tuple(part.replace("\\.", ".") for part in parts)


def get_field(doc, path):
    """The value at a dotted path (list of names), or ``_MISSING``."""
    value = doc
    for name in path:
        if isinstance(value, dict):
            value = value.get(name, _MISSING)
        elif isinstance(value, list) and name.isdigit() and int(name) < len(value):
            value = value[int(name)]
        else:
            return _MISSING
        if value is _MISSING:
            return value
    return value


# --- collation ----------------------------------------------------------

def _type_rank(value):
    if value is None:
        return 0
    if value is False:
        return 1
    if value is True:
        return 2
    if isinstance(value, (int, float)):
        return 3
    if isinstance(value, str):
        return 4
    if isinstance(value, list):
        return 5
    return 6


def collate(a, b):
    """-1, 0 or 1 in CouchDB's view collation order."""
    rank_a, rank_b = _type_rank(a), _type_rank(b)
    if rank_a != rank_b:
        return -1 if rank_a < rank_b else 1
    if rank_a == 5:
        return _collate_sequences(a, b)
    if rank_a == 6:
        return _collate_sequences(sorted(a.items()), sorted(b.items()))
    if rank_a in (3, 4):
        return (a > b) - (a < b)
    return 0


def _collate_sequences(a, b):
    for item_a, item_b in zip(a, b):
        order = collate(list(item_a), list(item_b)) if isinstance(item_a, tuple) \
            else collate(item_a, item_b)
        if order:
            return order
    return (len(a) > len(b)) - (len(a) < len(b))


def _equal(a, b):
    return collate(a, b) == 0


# --- operators on a present value -----------------------------------------

def _op_in(value, args):
    values = value if isinstance(value, list) else [value]
    return any(_equal(item, arg) for item in values for arg in args)


def _op_all(value, args):
    if not isinstance(value, list):
        return False
    return all(any(_equal(item, arg) for item in value) for arg in args) or _equal(value, args)


def _op_regex(value, pattern):
    return isinstance(value, str) and re.search(pattern, value) is not None


def _op_mod(value, args):
    divisor, remainder = args
    return isinstance(value, int) and not isinstance(value, bool) and value % divisor == remainder


VALUE_OPERATORS = {
    "$eq": _equal,
    "$ne": lambda value, arg: not _equal(value, arg),
    "$gt": lambda value, arg: collate(value, arg) > 0,
    "$gte": lambda value, arg: collate(value, arg) >= 0,
    "$lt": lambda value, arg: collate(value, arg) < 0,
    "$lte": lambda value, arg: collate(value, arg) <= 0,
    "$in": _op_in,
    "$nin": lambda value, args: not _op_in(value, args),
    "$all": _op_all,
    "$size": lambda value, arg: isinstance(value, list) and len(value) == arg,
    "$regex": _op_regex,
    "$mod": _op_mod,
    "$elemMatch": lambda value, cond: isinstance(value, list)
    and any(match_value(item, cond) for item in value),
    "$allMatch": lambda value, cond: isinstance(value, list) and bool(value)
    and all(match_value(item, cond) for item in value),
}


# --- selectors ------------------------------------------------------------

def matches(doc, selector):
    """True when ``doc`` satisfies the Mango ``selector``."""
    return match_value(doc, selector)


def match_value(value, condition):
    """Match one value against a condition: a literal (implicit ``$eq``) or a
    dict of operators and/or sub-field conditions (implicitly and-ed)."""
    if not isinstance(condition, dict):
        if type(condition) is str:  # the common case; same result as _equal
            return isinstance(value, str) and value == condition
        return value is not _MISSING and _equal(value, condition)
    return all(_match_key(value, key, arg) for key, arg in condition.items())


def _match_key(value, key, arg):
    if key == "$and":
        return all(match_value(value, sub) for sub in arg)
    if key == "$or":
        return any(match_value(value, sub) for sub in arg)
    if key == "$nor":
        return not any(match_value(value, sub) for sub in arg)
    if key == "$not":
        return not match_value(value, arg)
    if key == "$exists":
        return (value is not _MISSING) == bool(arg)
    if key.startswith("$"):
        operator = VALUE_OPERATORS.get(key)
        if operator is None:
            raise ValueError(f"unsupported Mango operator {key}")
        return value is not _MISSING and operator(value, arg)
    return match_value(get_field(value, _split_cached(key)), arg)


# --- sorting --------------------------------------------------------------

def parse_sort(sort):
    """``["a", {"b": "desc"}]`` -> ``[(["a"], False), (["b"], True)]``."""
    fields = []
    for item in sort or ():
        if isinstance(item, dict):
            (name, direction), = item.items()
            fields.append((split_field(name), str(direction).lower() == "desc"))
        else:
            fields.append((split_field(item), False))
    return fields


def _compare_missing_first(a, b):
    if a is _MISSING or b is _MISSING:
        return (b is _MISSING) - (a is _MISSING)
    return collate(a, b)


def sort_docs(docs, sort):
    """Sort documents by the given Mango sort spec (stable; ``_id`` breaks ties)."""
    ordered = sorted(docs, key=lambda doc: doc.get("_id", ""))
    for path, descending in reversed(parse_sort(sort)):
        key = functools.cmp_to_key(
            lambda a, b, path=path: _compare_missing_first(get_field(a, path), get_field(b, path)))
        ordered.sort(key=key, reverse=descending)
    return ordered


def select(docs, selector, limit=None, sort=None):
    """Filter, sort (by ``_id`` unless ``sort``) and limit documents."""
    found = [doc for doc in docs if matches(doc, selector)]
    found = sort_docs(found, sort) if sort else sorted(found, key=lambda d: d.get("_id", ""))
    return found if limit is None else found[:limit]
