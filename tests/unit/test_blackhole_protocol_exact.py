"""blackhole.protocol, frame by frame: the exact commands decoded, the exact error a
client reads for each bad frame, the exact bytes encoded (killing the mutants
bench/mutation.py found alive; tests/MUTATION.md)."""
import json

import pytest

from blackhole import protocol as p
from blackhole.protocol import Command, ProtocolError

ACCOUNT = "a" * 32
KEY = "conference.event.c1.call1"


def frame(**message):
    return json.dumps(message)


def test_ping_and_resume_decode_to_their_commands():
    assert p.decode(frame(action="ping", request_id="r1")) == Command("ping", "r1")
    assert p.decode(frame(action="resume", request_id=7, auth_token="t",
                          data={"resume_token": "tok"})) == \
        Command("resume", 7, "t", resume_token="tok")


@pytest.mark.parametrize("data", [None, {}, {"resume_token": ""}, {"resume_token": 5}, "tok"])
def test_resume_needs_a_token(data):
    message = {"action": "resume", "request_id": "r"} | ({"data": data} if data is not None else {})
    assert p.decode(json.dumps(message)) == \
        ProtocolError("r", "missing required keys : resume_token")


@pytest.mark.parametrize("message, error", [
    ([1], "a message must be a JSON object"),
    ({"action": "dance", "request_id": "r"},
     "unknown action 'dance'; expected one of ping, subscribe, unsubscribe, resume"),
    ({"action": "subscribe", "request_id": "r", "data": []}, "data must be a JSON object"),
    ({"action": "subscribe", "request_id": "r", "data": {"account_id": "x", "binding": KEY}},
     "data.account_id must be a 32 hex character account id"),
    ({"action": "subscribe", "request_id": "r", "data": {"binding": KEY}},
     "missing required keys : account_id"),
    ({"action": "subscribe", "request_id": "r", "data": {"account_id": ACCOUNT}},
     "missing required keys : binding"),
    ({"action": "subscribe", "request_id": "r", "data": {"account_id": ACCOUNT, "bindings": KEY}},
     "data.bindings must be a list of strings"),
    ({"action": "subscribe", "request_id": "r", "data": {"account_id": ACCOUNT, "bindings": [KEY, 1]}},
     "bindings must be strings"),
    ({"action": "subscribe", "request_id": "r",
      "data": {"account_id": ACCOUNT, "bindings": [f"conference.event.c{i}.*" for i in range(51)]}},
     "at most 50 bindings per request"),
])
def test_each_bad_frame_gets_its_own_message(message, error):
    decoded = p.decode(json.dumps(message))
    request_id = message.get("request_id") if isinstance(message, dict) else None
    assert decoded == ProtocolError(request_id, error)
    assert decoded.error_id == "bad_request"


def test_invalid_json_says_so():
    decoded = p.decode("{nope")
    assert decoded.request_id is None and decoded.message.startswith("invalid JSON: ")


def test_fifty_bindings_are_accepted():
    bindings = [f"conference.event.c{i}.*" for i in range(50)]
    decoded = p.decode(frame(action="subscribe", request_id="r", auth_token="t",
                             data={"account_id": ACCOUNT, "bindings": bindings}))
    assert decoded == Command("subscribe", "r", "t", ACCOUNT, tuple(bindings))


@pytest.mark.parametrize("binding, problem", [
    ("", "invalid binding '': empty or too long"),
    ("conference.event.c1." + "x" * 236,
     "invalid binding 'conference.event.c1." + "x" * 236 + "': empty or too long"),
    ("conference.event.c 1.*", "invalid binding 'conference.event.c 1.*': words are letters, "
                               "digits, '_' or '-', or the wildcards '*' and '#'"),
    ("other.event.*.*", "unsupported binding 'other.event.*.*': only conference events are "
                        "offered (conference.event.{conference_id}.{call_id}, wildcards * and #)"),
    ("conference.#.#.#", "unsupported binding 'conference.#.#.#': at most 2 '#' wildcards per "
                         "binding (event keys are conference.event.{conference_id}.{call_id})"),
    ("conference.event.c1.call1.more", "unsupported binding 'conference.event.c1.call1.more': it "
     "matches no conference event; expected conference.event.{conference_id}.{call_id} "
     "(wildcards * and #)"),
    ("conference.event.*.*.*", "unsupported binding 'conference.event.*.*.*': it matches no "
     "conference event; expected conference.event.{conference_id}.{call_id} (wildcards * and #)"),
    ("conference.other.*.*", "unsupported binding 'conference.other.*.*': it matches no "
     "conference event; expected conference.event.{conference_id}.{call_id} (wildcards * and #)"),
])
def test_binding_problems_are_exact(binding, problem):
    assert p.binding_problem(binding) == problem


@pytest.mark.parametrize("binding", [
    "conference.event.c1." + "x" * 235, "conference.#", "conference.#.call1.#",
    "conference.event.#", "conference.*.*.*", "conference.event.c1.x", "conference.#.x",
    "conference.event.*.conference",
])
def test_offered_bindings(binding):
    assert p.binding_problem(binding) is None
    assert p.MAX_BINDING_LENGTH == 255


def test_replies_are_exact_json():
    assert p.encode_reply("r", p.pong_data()) == \
        '{"action":"reply","request_id":"r","status":"success","data":{"response":"pong"}}'
    assert p.encode_protocol_error(ProtocolError(3, "bad", p.INVALID_RESUME_TOKEN)) == \
        ('{"action":"reply","request_id":3,"status":"error","data":{"errors":["bad"],'
         '"message":"bad","error_id":"invalid_resume_token"}}')
    assert p.FORBIDDEN == "forbidden"


def test_subscribed_data_lists_what_was_refused_only_when_something_was():
    assert p.subscribed_data(["a"], ["b"], "tok", ["c"]) == \
        {"subscribed": ["a"], "unsubscribed": ["b"], "refused": ["c"], "resume_token": "tok"}
    assert p.subscribed_data(("a",), refused=[]) == {"subscribed": ["a"]}


def test_events_are_exact_json():
    assert p.encode_event("conference.#", KEY, "participant_event", '{"x":1}') == \
        ('{"action":"event","subscribed_key":"conference.#","subscription_key":"conference.#",'
         '"name":"participant_event","routing_key":"conference.event.c1.call1","data":{"x":1}}')
    assert p.encode_events_dropped(2, 5) == \
        ('{"action":"event","name":"events_dropped","subscribed_key":null,'
         '"subscription_key":null,"routing_key":null,"data":{"dropped":2,"total_dropped":5}}')


def test_event_names():
    assert p.event_name({"event_name": "a", "event": "b"}) == "a"
    assert p.event_name({"event": "b"}) == "b"
    assert p.event_name({}) == "event"


def test_commands_and_errors_are_values():
    command = Command("ping")
    with pytest.raises(AttributeError):
        command.action = "x"
    with pytest.raises(AttributeError):
        ProtocolError(None, "m").message = "x"


def test_a_ping_is_a_ping_whatever_else_the_frame_carries():
    assert p.decode(frame(action="ping", request_id="r", data="junk")) == Command("ping", "r")


def test_a_binding_is_checked_with_at_most_25_key_matches(monkeypatch):
    """Every word but '#' takes one of the event key's four: a longer binding is refused
    before any matching (a 255-character binding must not cost thousands of matches)."""
    calls = []
    real = p.matches
    monkeypatch.setattr(p, "matches", lambda *a: calls.append(a) or real(*a))
    assert p.binding_problem("conference.event.c1.call1.more").endswith(
        "it matches no conference event; expected conference.event.{conference_id}.{call_id} "
        "(wildcards * and #)")
    assert calls == []
    long_binding = "conference." + ".".join(f"w{i}" for i in range(60))
    assert p.binding_problem(long_binding) is not None and calls == []
    assert p.binding_problem("conference.#.event.c1.call1") is None
    assert 0 < len(calls) <= 25
