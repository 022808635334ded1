"""Values that could smuggle a second command, argument, variable or destination
into FreeSWITCH are refused with 400 before anything is sent: both simulators'
command logs stay untouched."""
import urllib.parse

import pytest

from tests.integration.test_live_support import rig  # noqa: F401 (fixture)

NASTY = ["a\nb", "a\r\napi shutdown", "a b", "a'b", 'a"b', "a{b}", "}{"]


@pytest.fixture
def room(rig):
    conference_id = rig.create_conference(rig.alpha)
    member = rig.sims[0].join(rig.room(rig.alpha, conference_id), "1001", "Alice")
    return conference_id, member




def check(rig, send):
    marks = [len(sim.command_log) for sim in rig.sims]
    reply = send()
    assert reply.status_code == 400, (reply.status_code, reply.get_json())
    assert reply.get_json()["status"] == "error"
    assert [sim.command_log[mark:] for sim, mark in zip(rig.sims, marks)] == [[], []]


@pytest.mark.parametrize("value", NASTY + ["tts://hi\napi x", "tts://{x}", "http://x/a b.wav",
                                           "https://x/'a'.wav", "file:///etc/passwd"])
def test_media_ids(rig, room, value):
    conference_id, member = room
    body = {"action": "play", "data": {"media_id": value}}
    check(rig, lambda: rig.call("PUT", rig.alpha, conference_id, body=body))
    check(rig, lambda: rig.call("PUT", rig.alpha, conference_id, f"/participants/{member.id}",
                                data={"action": "play", "data": {"media_id": value}}))
    check(rig, lambda: rig.call("PUT", rig.alpha, conference_id, "/participants",
                                data={"action": "play", "data": {"media_id": value}}))


@pytest.mark.parametrize("value", NASTY + ["1 2", "-1", "all", "1;2"])
def test_participant_ids(rig, room, value):
    conference_id, member = room
    quoted = urllib.parse.quote(value, safe="")
    check(rig, lambda: rig.call("PUT", rig.alpha, conference_id, f"/participants/{quoted}",
                                data={"action": "mute"}))
    check(rig, lambda: rig.call("GET", rig.alpha, conference_id, f"/participants/{quoted}"))
    check(rig, lambda: rig.call("PUT", rig.alpha, conference_id, "/participants",
                                data={"action": "relate",
                                      "data": {"participant_id": member.id, "other_participant": value}}))


@pytest.mark.parametrize("value", NASTY)
def test_conference_ids(rig, value):
    quoted = urllib.parse.quote("x" + value, safe="")
    check(rig, lambda: rig.call("PUT", rig.alpha, quoted, body={"action": "lock", "data": {}}))
    check(rig, lambda: rig.call("GET", rig.alpha, quoted, "/participants"))


@pytest.mark.parametrize("field, value", [
    ("endpoints", ["1000\napi shutdown"]), ("endpoints", ["sip:a b@host"]),
    ("endpoints", ["sip:a@host}{x"]), ("endpoints", ["'1000'"]),
    ("endpoints", ["sip:a@h,sofia/x/y"]), ("endpoints", ["loopback/1000/default"]),
    ("caller_id_name", "Conf\nXYZ"), ("caller_id_name", "Conf'XYZ"), ("caller_id_name", "{x}"),
    ("caller_id_number", "555 1212"), ("caller_id_number", "555\n"),
    ("outbound_call_id", "a,b=c"), ("outbound_call_id", "a}b"), ("outbound_call_id", "a b"),
])
def test_dial_fields(rig, room, field, value):
    conference_id, _ = room
    data = {"endpoints": ["1000"], "caller_id_number": "5551212", field: value}
    check(rig, lambda: rig.call("PUT", rig.alpha, conference_id,
                                body={"action": "dial", "data": {"data": data}}))


@pytest.mark.parametrize("variables", [{"a b": "x"}, {"a\nb": "x"}, {"x": "a b"}, {"x": "a,b=c"},
                                       {"x": "}{"}, {"x": "'q'"}, {"x": "a\nb"}, {"x}": "1"}])
def test_custom_application_vars(rig, room, variables):
    conference_id, _ = room
    body = {"action": "dial", "data": {"custom_application_vars": variables,
                                       "data": {"endpoints": ["1000"]}}}
    check(rig, lambda: rig.call("PUT", rig.alpha, conference_id, body=body))
