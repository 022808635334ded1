"""Kazoo response envelopes (pure functions: no Flask, no I/O)."""
import hashlib
import json
import time


def timestamp(now=None):
    """ISO 8601 UTC, as Kazoo's envelopes carry it."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now if now is not None else time.time()))


def data_revision(data):
    """A stable revision for responses that are not one stored document."""
    blob = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.md5(blob.encode("utf-8")).hexdigest()


def success(data, *, meta, revision=None, page=None):
    """``meta``: request_id, node, version, auth_token. ``page``: page_size,
    start_key, next_start_key for lists (None values are omitted)."""
    body = {
        "data": data,
        "status": "success",
        "auth_token": meta.get("auth_token") or "",
        "request_id": meta["request_id"],
        "node": meta["node"],
        "timestamp": timestamp(),
        "version": meta["version"],
        "revision": revision or data_revision(data),
    }
    for key, value in (page or {}).items():
        if value is not None:
            body[key] = value
    return body


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
