"""cJSON's printer, formatted and compact (pure). Objects are lists of (key, value)
pairs so key order and duplicates survive; a list of pairs is an object, other lists are
arrays. Formatted output: tabs for indentation, ``"key":\\tvalue``, arrays on one line
joined by ", ", an empty object printed as "{\\n<indent>}"."""
import json


def _is_object(value):
    return isinstance(value, list) and all(
        isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)
        for item in value) and (value or False)


def _scalar(value):
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def dumps(value, compact=False):
    return _compact(value) if compact else _pretty(value, 0)


def _compact(value, as_object=None):
    if isinstance(value, dict):
        value = list(value.items())
        as_object = True
    if isinstance(value, list):
        if as_object or _is_object(value):
            return "{" + ",".join(f"{_scalar(k)}:{_compact(v, _obj_hint(k))}"
                                  for k, v in value) + "}"
        return "[" + ",".join(_compact(item) for item in value) + "]"
    return _scalar(value)


# Keys whose value is always an object, even when empty.
OBJECT_KEYS = {"variables", "flags"}


def _obj_hint(key):
    return True if key in OBJECT_KEYS else None


def _pretty(value, depth, as_object=None):
    if isinstance(value, dict):
        value = list(value.items())
        as_object = True
    if isinstance(value, list):
        if as_object or _is_object(value):
            inner = "\t" * (depth + 1)
            items = ",\n".join(f"{inner}{_scalar(k)}:\t{_pretty(v, depth + 1, _obj_hint(k))}"
                               for k, v in value)
            return "{\n" + (items + "\n" if items else "") + "\t" * depth + "}"
        return "[" + ", ".join(_pretty(item, depth + 1) for item in value) + "]"
    return _scalar(value)
