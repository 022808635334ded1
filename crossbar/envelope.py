"""Kazoo response envelopes (pure functions: no Flask, no I/O)."""
import hashlib
import json
import time


def timestamp(now=None):
    """ISO 8601 UTC, as Kazoo's envelopes carry it."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now if now is not None else time.time()))


def to_json(value, sort_keys=False):
    """The compact JSON text every response body is written in."""
    return json.dumps(value, separators=(",", ":"), default=str, sort_keys=sort_keys)


def _md5(text):
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def data_revision(data):
    """A stable revision for responses that are not one stored document: the md5
    of the data's JSON with sorted keys."""
    return _md5(to_json(data, sort_keys=True))


def _success_fields(meta, revision, page):
    fields = {
        "status": "success",
        "auth_token": meta.get("auth_token") or "",
        "request_id": meta["request_id"],
        "node": meta["node"],
        "timestamp": timestamp(),
        "version": meta["version"],
        "revision": revision,
    }
    fields.update((key, value) for key, value in (page or {}).items() if value is not None)
    return fields


def success(data, *, meta, revision=None, page=None):
    """``meta``: request_id, node, version, auth_token. ``page``: page_size,
    start_key, next_start_key for lists (None values are omitted)."""
    return {"data": data, **_success_fields(meta, revision or data_revision(data), page)}


def success_json(data, *, meta, revision=None, page=None):
    """``success(...)`` as JSON text, the data encoded only once: without a
    ``revision`` the data is written with sorted keys and the revision is the md5
    of that very text (= ``data_revision(data)``)."""
    if revision:
        data_text = to_json(data)
    else:
        data_text = to_json(data, sort_keys=True)
        revision = _md5(data_text)
    rest = to_json(_success_fields(meta, revision, page))
    return '{"data":' + data_text + "," + rest[1:]


def error(code, message, error_id, *, meta, data=None):
    """The error envelope; ``error`` is the HTTP code as a string (Kazoo)."""
    return {
        "data": data if data else {"message": message},
        "status": "error",
        "error": str(code),
        "message": message,
        "error_id": error_id,
        "request_id": meta["request_id"],
        "node": meta["node"],
        "timestamp": timestamp(),
        "version": meta["version"],
        "auth_token": meta.get("auth_token") or "",
    }


def error_json(code, message, error_id, *, meta, data=None):
    """``error(...)`` as the JSON text a response carries."""
    return to_json(error(code, message, error_id, meta=meta, data=data))
