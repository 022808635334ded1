"""Document shaping between clients and the store (pure functions).

Clients never see or set ``pvt_*`` or ``_``-prefixed members; they see ``id``.
"""
import copy
import time

GREGORIAN_OFFSET = 62167219200  # seconds from year 0 to 1970, Kazoo's timestamps


def gregorian_now(now=None):
    return int(now if now is not None else time.time()) + GREGORIAN_OFFSET


def is_private(key):
    return key.startswith("pvt_") or key.startswith("_")


def public_view(doc):
    """The client's view of a stored document."""
    view = {key: value for key, value in doc.items() if not is_private(key)}
    if "_id" in doc:
        view["id"] = doc["_id"]
    return view


def client_data(data):
    """Split client input into (clean fields, revision the client claims to hold)."""
    rev = data.get("_rev") or data.get("rev")
    clean = {key: copy.deepcopy(value) for key, value in data.items()
             if not is_private(key) and key not in ("id", "rev")}
    return clean, rev if isinstance(rev, str) and rev else None


def private_fields(doc):
    """What an update must carry over: ``_id``, ``_rev``, attachment stubs, ``pvt_*``."""
    return {key: value for key, value in doc.items() if is_private(key)}


def deep_merge(base, patch):
    """PATCH semantics: objects merge recursively, other values replace,
    ``null`` removes the key."""
    merged = copy.deepcopy(base)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def new_private(account_id, pvt_type, now=None):
    stamp = gregorian_now(now)
    return {"pvt_type": pvt_type, "pvt_account_id": account_id, "pvt_vsn": "1",
            "pvt_created": stamp, "pvt_modified": stamp}


def touched(private, now=None):
    return {**private, "pvt_modified": gregorian_now(now)}


def get_path(doc, dotted, missing=None):
    """``doc["a"]["b"]`` for ``"a.b"``; ``missing`` if any step is absent."""
    value = doc
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return missing
        value = value[part]
    return value
