"""Kazoo blackhole websocket protocol (pure): decode client frames, encode replies and events.

Client -> gateway (one JSON object per text frame)::

    {"action": "subscribe"|"unsubscribe", "auth_token", "request_id",
     "data": {"account_id", "binding": "..." | "bindings": ["...", ...]}}
    {"action": "ping", "request_id"}
    {"action": "resume", "auth_token", "request_id", "data": {"resume_token": "..."}}

Gateway -> client::

    {"action": "reply", "request_id", "status": "success",
     "data": {"subscribed": [...], "resume_token": "..."}}
    {"action": "reply", "request_id", "status": "error",
     "data": {"errors": ["..."], "message": "...", "error_id": "..."}}
    {"action": "event", "subscribed_key", "subscription_key", "name", "routing_key", "data": {...}}
    {"action": "event", "name": "events_dropped", "subscribed_key": null,
     "subscription_key": null, "routing_key": null, "data": {"dropped": N, "total_dropped": M}}

As in Kazoo, ``subscribed_key`` is the binding the client asked for and
``subscription_key`` the bus binding serving it (the same string here), ``name``
is the payload's ``event_name`` and an error reply's ``data.errors`` is a list of
messages. ``events_dropped`` is this gateway's own notice: the client was too
slow, its ``dropped`` oldest events were discarded just before this message.

``resume`` and ``resume_token`` are this gateway's own, beside Kazoo's protocol
(whose clients re-send their subscriptions after a reconnect, which works as
well): every successful reply carries a signed token listing the connection's
subscriptions, and a client that reconnects, to this instance or another one
behind the same load balancer, gets them all back with one ``resume``
(blackhole.resume).
"""
import dataclasses
import json
import re

from kzcore import safejson
from kzcore.bus.topics import matches
from kzcore.naming import is_account_id

ACTIONS = ("ping", "subscribe", "unsubscribe", "resume")
MAX_BINDINGS_PER_REQUEST = 50
MAX_BINDING_LENGTH = 255
# Event keys have four words (conference.event.{conference_id}.{call_id}), so no
# useful binding needs more than two '#' (e.g. conference.#.{call_id}.#); Kazoo's
# own blackhole accepts none. The cap keeps every binding cheap to match.
MAX_HASH_WILDCARDS = 2
EVENT_KEY_WORDS = 4
_WORD_RE = re.compile(r"^(?:[A-Za-z0-9_-]+|\*|#)$")

# error ids (stable, like kzcore.errors)
BAD_REQUEST = "bad_request"
INVALID_CREDENTIALS = "invalid_credentials"
FORBIDDEN = "forbidden"
LIMIT_EXCEEDED = "limit_exceeded"
INVALID_RESUME_TOKEN = "invalid_resume_token"


@dataclasses.dataclass(frozen=True)
class Command:
    action: str
    request_id: object = None
    auth_token: object = None
    account_id: str | None = None
    bindings: tuple = ()
    resume_token: str | None = None


@dataclasses.dataclass(frozen=True)
class ProtocolError:
    """A frame that cannot be acted on; answered with an error reply."""

    request_id: object
    message: str
    error_id: str = BAD_REQUEST


def decode(text):
    """One client text frame -> ``Command`` or ``ProtocolError`` (never raises)."""
    try:
        message = safejson.loads(text)
    except (ValueError, TypeError) as exc:
        return ProtocolError(None, f"invalid JSON: {exc}")
    if not isinstance(message, dict):
        return ProtocolError(None, "a message must be a JSON object")
    request_id = _request_id(message.get("request_id"))
    action = message.get("action")
    if action not in ACTIONS:
        return ProtocolError(request_id, f"unknown action {action!r}; expected one of "
                                         + ", ".join(ACTIONS))
    if action == "ping":
        return Command("ping", request_id)
    if action == "resume":
        return _decode_resume(request_id, message)
    return _decode_subscription(action, request_id, message)


def _decode_resume(request_id, message):
    data = message.get("data", {})
    token = data.get("resume_token") if isinstance(data, dict) else None
    if not isinstance(token, str) or not token:
        return ProtocolError(request_id, "missing required keys : resume_token")
    return Command("resume", request_id, message.get("auth_token"), resume_token=token)


def _request_id(value):
    return value if isinstance(value, (str, int)) and not isinstance(value, bool) else None


def _decode_subscription(action, request_id, message):
    data = message.get("data", {})
    if not isinstance(data, dict):
        return ProtocolError(request_id, "data must be a JSON object")
    account_id = data.get("account_id")
    if account_id is not None and not is_account_id(account_id):
        return ProtocolError(request_id, "data.account_id must be a 32 hex character account id")
    if action == "subscribe" and account_id is None:
        return ProtocolError(request_id, "missing required keys : account_id")
    bindings = _requested_bindings(data)
    if isinstance(bindings, str):
        return ProtocolError(request_id, bindings)
    if action == "subscribe" and not bindings:
        return ProtocolError(request_id, "missing required keys : binding")
    for binding in bindings:
        problem = binding_problem(binding)
        if problem:
            return ProtocolError(request_id, problem)
    return Command(action, request_id, message.get("auth_token"), account_id, bindings)


def _requested_bindings(data):
    """``binding`` wins over ``bindings`` (as in Kazoo); a str return is an error."""
    if "binding" in data:
        requested = [data["binding"]]
    elif "bindings" in data:
        requested = data["bindings"]
        if not isinstance(requested, list):
            return "data.bindings must be a list of strings"
    else:
        return ()
    if len(requested) > MAX_BINDINGS_PER_REQUEST:
        return f"at most {MAX_BINDINGS_PER_REQUEST} bindings per request"
    if not all(isinstance(binding, str) for binding in requested):
        return "bindings must be strings"
    return tuple(dict.fromkeys(requested))


def binding_problem(binding):
    """None if ``binding`` is an offered topic, else a message saying why not.

    Only conference events are offered: the binding must be an AMQP topic that
    can match some ``conference.event.{conference_id}.{call_id|conference}`` key.
    """
    if not binding or len(binding) > MAX_BINDING_LENGTH:
        return f"invalid binding {binding!r}: empty or too long"
    words = binding.split(".")
    if not all(_WORD_RE.fullmatch(word) for word in words):
        return (f"invalid binding {binding!r}: words are letters, digits, '_' or '-', "
                "or the wildcards '*' and '#'")
    if words[0] != "conference":
        return (f"unsupported binding {binding!r}: only conference events are offered "
                "(conference.event.{conference_id}.{call_id}, wildcards * and #)")
    if words.count("#") > MAX_HASH_WILDCARDS:
        return (f"unsupported binding {binding!r}: at most {MAX_HASH_WILDCARDS} '#' wildcards "
                "per binding (event keys are conference.event.{conference_id}.{call_id})")
    if not _can_match_event_key(binding, words):
        return (f"unsupported binding {binding!r}: it matches no conference event; expected "
                "conference.event.{conference_id}.{call_id} (wildcards * and #)")
    return None


def _can_match_event_key(binding, words):
    if sum(1 for w in words if w != "#") > EVENT_KEY_WORDS:
        return False        # every word but '#' takes one of the key's four
    # Any literal that could fill the id positions is one of the binding's own words.
    fillers = {w for w in words if w not in ("*", "#")} | {"x"}
    return any(matches(binding, f"conference.event.{conference}.{call}")
               for conference in fillers for call in fillers)


# --- gateway -> client -----------------------------------------------------

def _dumps(value):
    return json.dumps(value, separators=(",", ":"))


def encode_reply(request_id, data):
    return _dumps({"action": "reply", "request_id": request_id, "status": "success",
                   "data": data})


def encode_error(request_id, message, error_id=BAD_REQUEST):
    return _dumps({"action": "reply", "request_id": request_id, "status": "error",
                   "data": {"errors": [message], "message": message, "error_id": error_id}})


def encode_protocol_error(error):
    return encode_error(error.request_id, error.message, error.error_id)


def pong_data():
    return {"response": "pong"}


def subscribed_data(bindings, unsubscribed=None, resume_token=None, refused=None):
    data = {"subscribed": list(bindings)}
    if unsubscribed is not None:
        data["unsubscribed"] = list(unsubscribed)
    if refused:
        data["refused"] = list(refused)
    if resume_token is not None:
        data["resume_token"] = resume_token
    return data


def encode_event(binding, routing_key, name, data_json):
    """An event message; ``data_json`` is the payload already encoded once for all
    subscribers (the fan-out builds each distinct message only once)."""
    head = _dumps({"action": "event", "subscribed_key": binding, "subscription_key": binding,
                   "name": name, "routing_key": routing_key})
    return f'{head[:-1]},"data":{data_json}}}'


def event_name(payload):
    return payload.get("event_name") or payload.get("event") or "event"


def encode_events_dropped(dropped, total_dropped):
    return _dumps({"action": "event", "name": "events_dropped", "subscribed_key": None,
                   "subscription_key": None, "routing_key": None,
                   "data": {"dropped": dropped, "total_dropped": total_dropped}})
