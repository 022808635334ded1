"""Per-app services and per-request context (request id, auth, body parsing)."""
import dataclasses
import uuid
from typing import Any

from flask import current_app, g, request

from kzcore import safejson
from kzcore.errors import BadRequest

EXTENSION = "kz_crossbar"


@dataclasses.dataclass
class Services:
    """What the views need; built once by create_app (the composition root)."""
    config: Any
    store: Any
    schemas: Any
    signer: Any
    live: Any
    node: str
    version: str
    login_throttle: Any = None   # crossbar.auth.throttle.LoginThrottle
    events: Any = None      # bus Publisher for document events (crossbar.conferences.doc_events)
    commands: Any = None    # crossbar.idempotency.CommandLedger (command_id of actions)


@dataclasses.dataclass
class RequestContext:
    """Handed to services that need more than the store (e.g. conference actions)."""
    services: Services
    claims: dict
    request_id: str
    auth_token: str

    @property
    def account_id(self):
        """The account the caller authenticated as."""
        return self.claims.get("account_id")


def services():
    return current_app.extensions[EXTENSION]


def request_id():
    here = g._get_current_object()     # one context lookup (called several times a request)
    known = getattr(here, "kz_request_id", None)
    if known is None:
        known = here.kz_request_id = request_id_from(request.headers.get("X-Request-Id"))
    return known


def request_id_from(given):
    """The client's ``X-Request-Id`` (printable ASCII, at most 128 characters), else a new one."""
    given = (given or "").strip()
    return given[:128] if _printable(given) else uuid.uuid4().hex


def _printable(text):
    return bool(text) and all(33 <= ord(ch) < 127 for ch in text)


def current_context():
    return RequestContext(services(), g.get("kz_claims") or {}, request_id(),
                          g.get("kz_auth_token") or "")


def json_body(required=True):
    """The parsed JSON request body (400 if malformed or nested deeper than
    ``safejson.MAX_DEPTH``; {} if empty and optional)."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        if required:
            raise BadRequest("request body is empty; expected {\"data\": {...}}")
        return {}
    try:
        body = safejson.loads(raw)
    except safejson.TooDeep as exc:
        raise BadRequest("JSON request body nested too deeply",
                         {"message": str(exc), "target": exc.max_depth}) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("malformed JSON request body", {"message": str(exc)}) from exc
    if not isinstance(body, dict):
        raise BadRequest("request body must be a JSON object")
    return body


def request_data(required=True):
    """Kazoo-wrapped ``{"data": {...}}`` -> the inner object."""
    body = json_body(required)
    data = body.get("data", {} if not required else None)
    if not isinstance(data, dict):
        raise BadRequest("request body must be {\"data\": {...}}")
    return data


def split_action(body):
    """``(action, data)`` from an action request. Kazoo documents both shapes:
    ``{"action": "lock", "data": {...}}`` and ``{"data": {"action": "mute", "data": {...}}}``.
    A top-level ``action`` wins (so record's ``data.action`` = start/stop stays data)."""
    inner = body.get("data")
    if "action" in body:
        return body.get("action"), inner if isinstance(inner, dict) else {}
    if isinstance(inner, dict) and "action" in inner:
        nested = inner.get("data")
        return inner.get("action"), nested if isinstance(nested, dict) else {}
    return None, inner if isinstance(inner, dict) else {}


def enum_error(field, allowed, value):
    """Kazoo's validation error for a value outside an enumeration."""
    return {field: {"enum": {"message": "Value not found in enumerated list of values",
                             "target": list(allowed), "value": value}}}
