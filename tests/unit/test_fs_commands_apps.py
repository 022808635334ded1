"""kzcore.fs_commands.apps, the dialplan applications the call-in service sends over the
outbound socket: each builder's exact (app, argument), each bound on both sides, each
refusal's message (killing the mutants bench/mutation.py found alive;
tests/MUTATION.md). The argument order of play_and_get_digits is the recorded one
(round2 outbound_digits_then_conference.tx.esl)."""
import pytest

from kzcore.fs_commands import apps
from kzcore.fs_commands.apps import UnsafeArgument
from tests.support.paths import fs_fixture

DIGITS = dict(min_digits=1, max_digits=16, tries=3, timeout_ms=5000, terminators="#",
              prompt="tone_stream://%(300,0,800)", invalid_prompt="silence_stream://250",
              variable="collected_digits", digits_regex="\\d+", digit_timeout_ms=3000)


def refused(thunk, message):
    with pytest.raises(UnsafeArgument) as raised:
        thunk()
    assert str(raised.value) == message


def test_play_and_get_digits_is_the_recorded_argument():
    app, arg = apps.play_and_get_digits(**DIGITS)
    recorded = fs_fixture("round2/outbound_digits_then_conference.tx.esl").decode()
    assert f"execute-app-name: {app}\nexecute-app-arg: {arg}\n" in recorded
    assert (app, arg) == ("play_and_get_digits", "1 16 3 5000 # tone_stream://%(300,0,800) "
                          "silence_stream://250 collected_digits \\d+ 3000")


@pytest.mark.parametrize("field, low, high, label", [
    ("min_digits", 0, 128, "min_digits"), ("max_digits", 1, 128, "max_digits"),
    ("tries", 1, 10, "tries"), ("timeout_ms", 1, 600000, "timeout"),
    ("digit_timeout_ms", 1, 600000, "digit timeout"),
])
def test_play_and_get_digits_bounds(field, low, high, label):
    base = dict(DIGITS, min_digits=0, max_digits=128)
    for value in (low, high):
        args = dict(base, **{field: value})
        if field == "max_digits" and value < args["min_digits"]:
            args["min_digits"] = 0
        assert apps.play_and_get_digits(**args)[1].split(" ")
    for value in (low - 1, high + 1, True, "5"):
        refused(lambda: apps.play_and_get_digits(**dict(base, **{field: value})),
                f"{label} must be an integer in [{low}, {high}]: {value!r}")


def test_play_and_get_digits_refusals():
    refused(lambda: apps.play_and_get_digits(**dict(DIGITS, min_digits=5, max_digits=4)),
            "min_digits greater than max_digits")
    assert apps.play_and_get_digits(**dict(DIGITS, min_digits=4, max_digits=4))[1].startswith("4 4 ")
    refused(lambda: apps.play_and_get_digits(**dict(DIGITS, terminators="x")),
            "unsafe terminators: 'x'")
    assert apps.play_and_get_digits(**dict(DIGITS, terminators="none"))[1].split(" ")[4] == "none"
    refused(lambda: apps.play_and_get_digits(**dict(DIGITS, variable="9var")),
            "unsafe variable: '9var'")
    refused(lambda: apps.play_and_get_digits(**dict(DIGITS, digits_regex="a b")),
            "unsafe regex: 'a b'")
    refused(lambda: apps.play_and_get_digits(**dict(DIGITS, prompt="/a b.wav")),
            "unsafe media: '/a b.wav'")


def test_simple_applications():
    assert apps.answer() == ("answer", "")
    assert apps.playback("/sounds/hello.wav") == ("playback", "/sounds/hello.wav")
    assert apps.sleep(0) == ("sleep", "0") and apps.sleep(600000) == ("sleep", "600000")
    refused(lambda: apps.sleep(600001), "sleep must be an integer in [0, 600000]: 600001")
    refused(lambda: apps.sleep(-1), "sleep must be an integer in [0, 600000]: -1")
    assert apps.hangup() == ("hangup", "NORMAL_CLEARING")
    assert apps.hangup("USER_BUSY") == ("hangup", "USER_BUSY")
    refused(lambda: apps.hangup("busy now"), "unsafe hangup cause: 'busy now'")
    refused(lambda: apps.playback("/a\nb"), "unsafe media: '/a\\nb'")


def test_set_variable():
    assert apps.set_variable("kz_name", "Alice Smith") == ("set", "kz_name=Alice Smith")
    assert apps.set_variable("n", 5) == ("set", "n=5")
    assert apps.set_variable("long", "x" * 1024) == ("set", "long=" + "x" * 1024)
    refused(lambda: apps.set_variable("long", "x" * 1025),
            f"unsafe value for long: {'x' * 1025!r}")
    refused(lambda: apps.set_variable("v", "${evil}"), "unsafe value for v: '${evil}'")
    refused(lambda: apps.set_variable("9v", "x"), "unsafe variable name: '9v'")


def test_record():
    assert apps.record("/rec/a.wav", 60) == ("record", "/rec/a.wav 60 200 2")
    assert apps.record("/rec/a.wav", 1, 0, 0) == ("record", "/rec/a.wav 1 0 0")
    assert apps.record("/rec/a.wav", 3600, 100000, 100) == ("record", "/rec/a.wav 3600 100000 100")
    refused(lambda: apps.record("/rec/a.wav", 3601), "time limit must be an integer in [1, 3600]: 3601")
    refused(lambda: apps.record("/rec/a.wav", 0), "time limit must be an integer in [1, 3600]: 0")
    refused(lambda: apps.record("/rec/a.wav", 5, 100001),
            "silence threshold must be an integer in [0, 100000]: 100001")
    refused(lambda: apps.record("/rec/a.wav", 5, -1),
            "silence threshold must be an integer in [0, 100000]: -1")
    refused(lambda: apps.record("/rec/a.wav", 5, 200, 101),
            "silence hits must be an integer in [0, 100]: 101")
    refused(lambda: apps.record("/rec/a.wav", 5, 200, -1),
            "silence hits must be an integer in [0, 100]: -1")


@pytest.mark.parametrize("flag", sorted(apps.MEMBER_FLAGS))
def test_every_member_flag_mod_conference_knows_is_accepted(flag):
    assert apps.conference("room9", "default", [flag]) == ("conference",
                                                           f"room9@default+flags{{{flag}}}")


def test_the_member_flags_are_mod_conference_s():
    assert apps.MEMBER_FLAGS == {"mute", "deaf", "moderator", "wait-mod", "endconf",
                                 "mandatory_member_endconf", "nomoh", "mute-detect", "dist-dtmf",
                                 "mintwo", "ghost", "join-only"}


def test_conference():
    assert apps.conference("room9") == ("conference", "room9@default")
    assert apps.conference("room9", "wide", ("mute", "deaf", "mute")) == \
        ("conference", "room9@wide+flags{mute|deaf}")
    refused(lambda: apps.conference("room9", "default", ["shout"]),
            "unknown member flags: ['shout']")
    refused(lambda: apps.conference("room 9"), "unsafe conference name: 'room 9'")
    refused(lambda: apps.conference("room9", "a b"), "unsafe conference profile: 'a b'")


def test_bridge():
    endpoint = "sofia/internal/100@10.0.0.2:5080"
    assert apps.bridge(endpoint) == ("bridge", endpoint)
    assert apps.bridge(endpoint, {}) == ("bridge", endpoint)
    assert apps.bridge(endpoint, {"sip_h_X-Focus": "node-2", "a": "b:c@d"}) == \
        ("bridge", "{sip_h_X-Focus=node-2,a=b:c@d}" + endpoint)
    refused(lambda: apps.bridge("user/100"), "unsafe bridge endpoint: 'user/100'")
    refused(lambda: apps.bridge(endpoint, {"a b": "x"}), "unsafe bridge variable: 'a b'")
    refused(lambda: apps.bridge(endpoint, {"a": "x,y"}), "unsafe bridge variable value: 'x,y'")
