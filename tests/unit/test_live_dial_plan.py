"""Dial-outs, pure parts: endpoints, dial strings, flags, variables, outcomes."""
import pytest

from crossbar.live import dial_plan, dial_watch
from kzcore import fs_commands
from kzcore.errors import InvalidCommandArgument
from kzcore.esl.frames import FrameParser, parse_event
from tests.support.paths import fs_fixture


def recorded_event(name):
    (frame,) = FrameParser().feed(fs_fixture(name))
    return parse_event(frame)


@pytest.mark.parametrize("endpoint, kind, value", [
    ("0123456789abcdef0123456789abcdef", "doc", "0123456789abcdef0123456789abcdef"),
    ("+15551212", "number", "+15551212"),
    ("1000", "number", "1000"),
    ("sip:1001@127.0.0.1:5073", "sip", "1001@127.0.0.1:5073"),
    ("sip:alice@example.com", "sip", "alice@example.com"),
])
def test_classify(endpoint, kind, value):
    assert dial_plan.classify(endpoint, 0) == (kind, value)


@pytest.mark.parametrize("endpoint", [
    "1000\napi shutdown", "sip:a b@host", "sip:a@host}{x", "user/1000@x", "'1000'", "",
    "sip:a@host,sofia/x/y", "12 34", 42, None])
def test_classify_rejects_everything_else(endpoint):
    with pytest.raises(InvalidCommandArgument) as caught:
        dial_plan.classify(endpoint, 3)
    assert "endpoints.3" in caught.value.data


def test_device_dial_strings():
    device = {"sip": {"username": "1000", "invite_format": "contact"}}
    assert dial_plan.device_endpoint(device, "acme.test") == "user/1000@acme.test"
    device["sip"]["realm"] = "ACME.test"
    assert dial_plan.device_endpoint(device, "acme.test") == "user/1000@acme.test"
    device["sip"]["realm"] = "other.test"  # another account's phones: refused
    with pytest.raises(InvalidCommandArgument) as caught:
        dial_plan.device_endpoint(device, "acme.test", field="endpoints.0")
    assert "endpoints.0.sip.realm" in caught.value.data
    routed = {"sip": {"invite_format": "route", "route": "sip:1001@127.0.0.1:5073"}}
    assert dial_plan.device_endpoint(routed, "x", "rig") == "sofia/rig/1001@127.0.0.1:5073"
    with pytest.raises(ValueError, match="disabled"):
        dial_plan.device_endpoint({"enabled": False, "sip": {"username": "1"}}, "x")
    with pytest.raises(ValueError, match="username"):
        dial_plan.device_endpoint({"sip": {}}, "x")


def test_number_and_sip_endpoints_pass_the_command_builder():
    for endpoint in (dial_plan.number_endpoint("+15551212"), dial_plan.sip_endpoint("1001@h:5060")):
        assert fs_commands.valid_endpoint(endpoint) == endpoint


def test_participant_flags_become_mod_conference_member_flags():
    assert dial_plan.member_flags(["mute", "deaf", "is_moderator", "join_existing"]) == \
        ["mute", "deaf", "moderator", "join-only"]
    assert dial_plan.member_flags(["ghost", "disable_moh", "distribute_dtmf", "video_mute"]) == \
        ["ghost", "nomoh", "dist-dtmf", "vmute"]


def test_channel_variables_prefix_and_validate_custom_vars():
    variables = dial_plan.channel_variables("call-1", 20, {"foo": "bar", "n": 3})
    assert variables == {"origination_uuid": "call-1", "originate_timeout": "20",
                         "kz_foo": "bar", "kz_n": "3"}
    for bad in ({"a b": "x"}, {"x": "a,b=c"}, {"x": "}{"}, {"x": "a\nb"}, {"x'": "1"}):
        with pytest.raises(InvalidCommandArgument):
            dial_plan.channel_variables("c", None, bad)


def test_job_id_from_bgdial_reply():
    (frame,) = FrameParser().feed(fs_fixture("round2/api_conference_room1_bgdial_v5_outcall_flags.esl"))
    assert dial_plan.job_id(frame.text()) == "9ccb60dd-2e04-4f06-b328-a60cf28d39a2"
    assert dial_plan.job_id("-ERR nope") is None


def test_outcome_from_recorded_bgdial_results():
    success = recorded_event("round3/bgdial_result.user_1000_existing_room10.plain.esl")
    failure = recorded_event("round3/bgdial_result.user_1999_not_registered.plain.esl")
    ((_, ok_facts),) = dial_watch.facts_from(success)
    ((_, bad_facts),) = dial_watch.facts_from(failure)
    assert dial_plan.outcome(ok_facts, "mine", True) == ("success", success["Peer-UUID"])
    assert dial_plan.outcome(bad_facts, "mine", True) == ("error", "USER_NOT_REGISTERED")


def test_outcome_without_bgdial_result_follows_the_channel():
    assert dial_plan.outcome({}, "c1", False) is None
    assert dial_plan.outcome({"answered": ["c1"]}, "c1", False) == ("success", "c1")
    assert dial_plan.outcome({"answered": ["x"]}, "c1", False) == ("success", "x")
    # an existing room sends bgdial-result: an answer alone does not decide
    assert dial_plan.outcome({"answered": ["c1"]}, "c1", True) is None
    assert dial_plan.outcome({"joined": True}, "c1", True) == ("success", "c1")
    assert dial_plan.outcome({"hangup": "NO_ANSWER"}, "c1", False) == ("error", "NO_ANSWER")


def test_channel_events_are_keyed_by_job_and_call():
    event = {"Event-Name": "CHANNEL_HANGUP_COMPLETE", "Unique-ID": "u1",
             "variable_conference_bgdial_jobid": "j1", "Hangup-Cause": "USER_BUSY"}
    assert dial_watch.facts_from(event) == [(("call", "u1"), {"hangup": "USER_BUSY"}),
                                            (("job", "j1"), {"hangup": "USER_BUSY"})]
    merged = dial_watch.merge({"answered": ["a"]}, {"answered": ["a", "b"]})
    assert merged == {"answered": ["a", "b"]}


def test_endpoint_responses():
    target = dial_plan.Target("dev1", "user/1@x")
    ok = dial_plan.endpoint_response(target, "c", "j", ("success", "c"))
    assert ok == {"endpoint_id": "dev1", "call_id": "c", "job_id": "j", "status": "success",
                  "message": "dial resulted in call id c"}
    assert dial_plan.endpoint_response(target, "c", "j", ("error", "NO_ANSWER"))["status"] == "error"
    assert dial_plan.endpoint_response(target, "c", "j", None)["status"] == "pending"
    broken = dial_plan.endpoint_response(dial_plan.Target("u", error="user has no devices"),
                                         None, None, None)
    assert broken["status"] == "error" and broken["message"] == "user has no devices"


def test_leg_tones_follow_the_request_then_the_conference():
    silent = {"conference_enter_sound": fs_commands.SILENT_SOUND,
              "conference_exit_sound": fs_commands.SILENT_SOUND}
    off = {"play_entry_tone": False, "play_exit_tone": False}
    assert dial_plan.leg_sound_variables(off, {}) == silent                  # conference-wide
    assert dial_plan.leg_sound_variables({}, off) == silent                  # this dial only
    assert dial_plan.leg_sound_variables("dynamic-id", off) == silent        # a new conference
    assert dial_plan.leg_sound_variables(off, {"play_entry_tone": True}) == {
        "conference_exit_sound": fs_commands.SILENT_SOUND}                  # the request wins
    assert dial_plan.leg_sound_variables({"play_entry_tone": "tone_stream://%(1,0,2)"}, {}) == {}
    assert dial_plan.leg_sound_variables({}, {}) == {}


def test_a_running_room_turns_its_sounds_off_only_for_the_conference_setting():
    off = {"play_entry_tone": False, "play_exit_tone": False}
    running = {"enter_sound": True, "exit_sound": True}
    assert dial_plan.room_sound_commands(off, {}, running) == [("enter_sound", "off"),
                                                                ("exit_sound", "off")]
    assert dial_plan.room_sound_commands(off, {}, {"enter_sound": False, "exit_sound": True}) == [
        ("exit_sound", "off")]                                               # already off
    assert dial_plan.room_sound_commands({}, off, running) == []             # per dial: legs only
    assert dial_plan.room_sound_commands("dynamic-id", off, running) == [
        ("enter_sound", "off"), ("exit_sound", "off")]



def test_a_join_only_leg_refused_by_the_switch_is_an_error_naming_the_refusal():
    """round4 join_only_into_missing_room: the leg is answered, then the switch emits
    rejected-join-only for it and hangs up; the answer must not count as a join."""
    frames = FrameParser().feed(fs_fixture("round4/join_only_into_missing_room.events.json.esl"))
    events = [event for event in map(parse_event, frames) if event]
    (rejected,) = [e for e in events if e.get("Action") == "rejected-join-only"]
    member = rejected["Unique-ID"]
    facts, between = {}, 0
    for event in events:
        for (kind, ident), update in dial_watch.facts_from(event):
            if kind == "call" and ident == member:
                facts = dial_watch.merge(facts, update)
        if facts.get("answered") and "rejected" not in facts:  # answered, not refused yet
            between += 1
            assert dial_plan.outcome(facts, member, False, join_only=True) is None
            assert dial_plan.outcome(facts, member, False) == ("success", member)
    assert between and facts["rejected"] == "rejected-join-only"
    status, message = dial_plan.outcome(facts, member, False, join_only=True)
    assert status == "error" and message.startswith("rejected-join-only: ")
    response = dial_plan.endpoint_response(dial_plan.Target("8001", "loopback/8001/default"),
                                           member, "j1", (status, message))
    assert response["status"] == "error" and "rejected-join-only" in response["message"]
    assert dial_plan.joins_existing_only({"participant_flags": ["mute", "join_existing"]})
    assert not dial_plan.joins_existing_only({})
