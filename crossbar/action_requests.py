"""Action requests: ``PUT`` on a conference, its participants or one participant,
in Kazoo's two shapes (``{"action", "data"}`` or ``{"data": {"action", "data"}}``),
with an optional ``command_id`` beside ``action`` (or inside the action's data).

Validation is two steps against the action schema: the request as a whole (the
action's name, with Kazoo's enum error naming the allowed ones, and the
command_id), then the action's own definition
(``<schema>#/definitions/<action>``), strict, with its errors under ``data.``.
Anything else in the body is refused (additionalProperties), as the OpenAPI
document (crossbar.openapi) describes it: one schema per action from the same
definitions.
"""
import dataclasses
import hashlib
import json

FIELDS = ("action", "data", "command_id")   # what an action request may hold


@dataclasses.dataclass(frozen=True)
class ActionRequest:
    action: object
    data: dict
    command_id: object = None
    extra: dict = dataclasses.field(default_factory=dict)   # anything else sent: refused


def unwrap(data):
    """Seed 002 nests an action's parameters either way: ``{"data": {...}}`` inside
    the action's data (with e.g. ``custom_application_vars`` beside it) or flat."""
    inner = data.get("data")
    if not isinstance(inner, dict):
        return dict(data)
    merged = {key: value for key, value in data.items() if key != "data"}
    merged.update(inner)
    return merged


def _request_part(body):
    """The ``{"action", "data", "command_id"}`` part of a body in either shape, and
    what else the body holds (the nested shape's wrapper may hold only ``data``)."""
    if "action" in body or not isinstance(body.get("data"), dict):
        return body, {}
    return body["data"], {key: value for key, value in body.items() if key != "data"}


def parse(body):
    """The ActionRequest a request body holds (nothing is checked yet; a ``data``
    that is not an object is kept as it is, for the schema to refuse)."""
    part, outside = _request_part(body)
    action, data = part.get("action"), part.get("data", {})
    extra = {**outside, **{key: value for key, value in part.items() if key not in FIELDS}}
    command_id = part.get("command_id")
    if isinstance(data, dict) and "command_id" in data:   # also accepted inside the data
        command_id = data["command_id"] if command_id is None else command_id
        data = {key: value for key, value in data.items() if key != "command_id"}
    return ActionRequest(action, data, command_id, extra)


def validated(schemas, schema_id, request):
    """The action's parameters (its data, unwrapped), checked and with defaults."""
    whole = {**request.extra, "action": request.action, "data": request.data}
    if request.command_id is not None:
        whole["command_id"] = request.command_id
    schemas.validate(schema_id, whole)
    checked = schemas.validate(f"{schema_id}#/definitions/{request.action}",
                               {"action": request.action, "data": unwrap(request.data)})
    return checked["data"]


def fingerprint(scope, request):
    """What one command is: where it goes, the action and its data (PURE)."""
    text = json.dumps([scope, request.action, request.data], sort_keys=True,
                      separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
