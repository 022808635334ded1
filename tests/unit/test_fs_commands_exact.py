"""fs_commands' refusals, word for word, and its bounds, value by value: a caller reads
the message and the field in the Kazoo envelope, so both are pinned; every limit is
checked on both sides (killing the mutants bench/mutation.py found alive;
tests/MUTATION.md)."""
import pytest

from kzcore import fs_commands
from kzcore.errors import InvalidCommandArgument
from kzcore.fs_commands import controls, sofia, validate

MISSING = object()


def refusal(thunk):
    with pytest.raises(InvalidCommandArgument) as raised:
        thunk()
    return raised.value.message, raised.value.data


def invalid_data(field, message, value=MISSING):
    detail = {"message": message} | ({} if value is MISSING else {"value": value})
    return {field: {"invalid": detail}}


def build(action, **args):
    return lambda: fs_commands.build("room1", action, **args)


NAME_CHARS = "may only hold letters, digits, '_', '.' and '-' (1-128)"
MEDIA_WHERE = ("must be an absolute path or a tone_stream://, silence_stream://, local_stream://, "
               "http://, https:// or http_cache:// URL")
ENDPOINT_LOOK = ("must look like user/<user>@<domain>, sofia/<profile>/<user>@<host[:port]> or "
                 "loopback/<extension>/<context>, without spaces, quotes, braces, commas or pipes")
GATEWAY_CHARS = "may only hold letters, digits, '_', '.' and '-' (1-64)"

# (what is built, field, message, value in the error's detail or MISSING)
REFUSALS = [
    (lambda: fs_commands.build(5, "lock"), "conference_name", "must be a non-empty string", 5),
    (lambda: fs_commands.build("", "lock"), "conference_name", "must be a non-empty string", ""),
    (lambda: fs_commands.build("a b", "lock"), "conference_name", NAME_CHARS, "a b"),
    (lambda: fs_commands.build("JSON_List", "lock"), "conference_name",
     "'JSON_List' is a mod_conference command, not a usable name", "JSON_List"),
    (build("mute", member=0), "member", "must be an integer >= 1 or 'all' or 'last' or "
                                        "'non_moderator'", 0),
    (build("relate", member=1, other=2, relationship="whisper"), "relationship",
     "must be one of nospeak, nohear, clear, mute, deaf", "whisper"),
    (build("relate", member=1, other=[], relationship="clear"), "other",
     "must name 1-100 members", 0),
    (build("relate", member=1, other=list(range(1, 102)), relationship="clear"), "other",
     "must name 1-100 members", 101),
    (build("relate", member="all", other=2, relationship="clear"), "member",
     "must be an integer >= 1", "all"),
    (build("play", path="/a.wav", member=2, async_=True), "async",
     "cannot play asynchronously to one member", True),
    (build("play", path="a.wav"), "path", MEDIA_WHERE, "a.wav"),
    (build("play", path="/"), "path", MEDIA_WHERE, "/"),
    (build("play", path="/a b.wav"), "path", "must not contain whitespace, quotes, braces, "
                                             "backslashes or control characters", "/a b.wav"),
    (build("play", path=None), "path", "must be a non-empty string", MISSING),
    (build("stop", which="first"), "which", "must be one of all, current, last, async", "first"),
    (build("recording", subcommand="erase", path="/a.wav"), "subcommand",
     "must be one of start, stop, pause, resume, check", "erase"),
    (build("recording", subcommand="check", path="/a.wav"), "path",
     "recording check takes no path", "/a.wav"),
    (build("recording", subcommand="pause"), "path", "recording pause needs a file path",
     MISSING),
    (build("energy", member=1, level=1801), "level", "must be an integer from 0 to 1800", 1801),
    (build("volume_in", member=1, level=5), "level", "must be an integer from -4 to 4", 5),
    (build("volume_out", member=1, level=-5), "level", "must be an integer from -4 to 4", -5),
    (build("kick", member=1, sound="x"), "sound", MEDIA_WHERE, "x"),
    (build("get", parameter="locked"), "parameter",
     "must be one of run_time, count, count_ghosts, max_members, uuid, endconference_grace_time, "
     "wait_mod", "locked"),
    (build("bgdial", endpoint="user/1000@d", caller_id_name="Eve"), "caller_id_number",
     "is needed when caller_id_name is given", MISSING),
    (build("bgdial", endpoint="pstn/1000"), "endpoint", ENDPOINT_LOOK, "pstn/1000"),
    (build("bgdial", endpoint=7), "endpoint", "must be a non-empty string", 7),
    (build("bgdial", endpoint="user/1000@d", caller_id_number="1 2"), "caller_id_number",
     "may only hold letters, digits and + * # . _ - (1-32), no spaces", "1 2"),
    (build("bgdial", endpoint="user/1000@d", caller_id_number=True), "caller_id_number",
     "must be a non-empty string", True),
    (build("bgdial", endpoint="user/1000@d", caller_id_number="1", caller_id_name="x" * 65),
     "caller_id_name", "must be 1-64 characters without quotes, braces, brackets, commas, pipes, "
     "';', '^', backslashes, control characters, or leading, trailing or doubled spaces", "x" * 65),
    (build("bgdial", endpoint="user/1000@d", caller_id_number="1", caller_id_name=["x"]),
     "caller_id_name", "must be a non-empty string", "['x']"),
    (build("bgdial", endpoint="user/1000@d", variables=["a=b"]), "variables",
     "must be an object of channel variables", "['a=b']"),
    (build("bgdial", endpoint="user/1000@d", variables={"a b": 1}), "variables",
     "channel variable names may only hold letters, digits and '_'", "a b"),
    (build("bgdial", endpoint="user/1000@d", variables={"a": [1]}), "variables.a",
     "must be a string, number or boolean", "[1]"),
    (build("bgdial", endpoint="user/1000@d", variables={"a": "x,y"}), "variables.a",
     "must not contain whitespace, commas, braces, brackets, quotes, backslashes, '^', '|' or "
     "control characters", "x,y"),
    (build("bgdial", endpoint="user/1000@d", member_flags="mute"), "member_flags",
     "must be a list of flag names", "mute"),
    (build("bgdial", endpoint="user/1000@d", member_flags={"mute": 1}), "member_flags",
     "must be a list of flag names", "{'mute': 1}"),
    (build("bgdial", endpoint="user/1000@d", member_flags=["Mute"]), "member_flags",
     "flags are lower-case words such as mute, deaf, moderator", "Mute"),
    (build("say", text="x" * 1025), "text", "must be 1-1024 characters of text without line "
                                            "breaks, NUL or other control characters", "x" * 1025),
    (build("say", text=""), "text", "must be a non-empty string", ""),
    (lambda: fs_commands.build("say_room", "say", text="hi"), "conference_name",
     "cannot contain 'say' for the say action", "say_room"),
    (build("setvar", key="k", value=None), "value", "must be a string, number or boolean",
     MISSING),
    (build("dtmf", member=1, digits="12x"), "digits",
     "must be 1-64 DTMF digits: 0-9, *, #, A, B, C, D", "12x"),
    (build("enter_sound", state="loud"), "state", "must be on, off, true or false", "loud"),
    (build("transfer", target_conference="room2", members=[]), "members",
     "at least one member id is needed", MISSING),
    (build("transfer", target_conference="room2", members=[1], flags="mute"), "flags",
     "must be a list of member flags", "mute"),
    (build("transfer", target_conference="room2", members=[1], profile="default",
           flags=["shout"]), "flags",
     "must be mod_conference member flags such as mute, deaf, moderator", "shout"),
    (build("transfer", target_conference="room2@bad profile", members=[1]), "target_conference",
     "profile after '@' may only hold letters, digits, '_', '.', '-'", "bad profile"),
    (build("transfer", target_conference="room2", members=[1], profile="a b"), "profile",
     "may only hold letters, digits, '_', '.', '-' (1-64)", "a b"),
    (build("transfer", target_conference="room2", members=[1], flags=["mute"]), "flags",
     "join flags need the target's profile", MISSING),
    (lambda: fs_commands.api_uuid_record("abc", "pause", "/a.wav"), "action",
     "must be start or stop", "pause"),
    (lambda: fs_commands.api_uuid_record("abc", "start", "/a.wav", 86401), "limit",
     "must be an integer from 1 to 86400", 86401),
    (lambda: fs_commands.api_uuid_record("abc", "start", "/a.wav", 0), "limit",
     "must be an integer from 1 to 86400", 0),
    (lambda: fs_commands.api_uuid_kill(5), "call_id",
     "must be 1-128 letters, digits, '_', '.' or '-' (starting with a letter or digit)", 5),
    (lambda: fs_commands.api_uuid_dump("-x"), "call_id",
     "must be 1-128 letters, digits, '_', '.' or '-' (starting with a letter or digit)", "-x"),
    (lambda: sofia.profile_command("external", "restart"), "action",
     "must be one of rescan, killgw, startgw", "restart"),
    (lambda: sofia.profile_command("external", "rescan", "gw1"), "gateway",
     "rescan takes no gateway", "gw1"),
    (lambda: sofia.profile_command("a b", "rescan"), "profile", GATEWAY_CHARS, "a b"),
    (lambda: sofia.status_gateway("a|b"), "gateway", GATEWAY_CHARS, "a|b"),
    (lambda: sofia.gateway_endpoint("gw1", "1 2"), "number",
     "must be digits, letters and * # + . _ - (1-64), or user@host[:port]", "1 2"),
    (lambda: sofia.valid_codecs([]), "codecs",
     "must be a non-empty list of codec names", "[]"),
    (lambda: sofia.gateway_endpoint("gw1", "9", codecs=["PC MU"]), "codecs",
     "codec names hold letters, digits and . @ _ - (1-32)", "PC MU"),
    (lambda: sofia.gateway_endpoint("gw1", "9", progress_timeout=601), "progress_timeout",
     "must be an integer from 1 to 600", 601),
    (lambda: sofia.gateway_endpoint("gw1", "9", progress_timeout=0), "progress_timeout",
     "must be an integer from 1 to 600", 0),
    (lambda: sofia.gateway_endpoint("gw1", "9", progress_timeout=True), "progress_timeout",
     "must be an integer from 1 to 600", True),
    (lambda: sofia.failover_string([]), "legs", "at least one gateway leg is needed", MISSING),
]


@pytest.mark.parametrize("thunk, field, message, value", REFUSALS)
def test_each_refusal_names_its_field_and_says_why(thunk, field, message, value):
    assert refusal(thunk) == (f"{field}: {message}", invalid_data(field, message, value))


def test_argument_errors_are_kazoo_shaped():
    assert refusal(lambda: fs_commands.build("room1", "mute")) == (
        "member: mute needs member",
        {"member": {"required": {"message": "Field is required but missing"}}})
    assert refusal(lambda: fs_commands.build("room1", "mute", member=1, zz=1, extra=2)) == (
        "action: mute takes no argument extra, zz",
        {"action": {"invalid": {"message": "unexpected arguments: extra, zz", "value": "mute"}}})
    message, data = refusal(lambda: fs_commands.build("room1", "explode"))
    assert message == "action: unknown conference action 'explode'"
    assert data == {"action": {"enum": {"message": "Value not found in enumerated list of values",
                                        "target": sorted(fs_commands.ACTIONS), "value": "explode"}}}


@pytest.mark.parametrize("action, args, command", [
    ("mute", {"member": "last"}, "mute last"), ("mute", {"member": "non_moderator"},
                                                "mute non_moderator"),
    ("floor", {"member": "last"}, "floor last"), ("stop", {"which": "last"}, "stop last"),
    ("stop", {"which": "async"}, "stop async"), ("get", {"parameter": "wait_mod"}, "get wait_mod"),
    ("volume_in", {"member": 1, "level": 4}, "volume_in 1 4"),
    ("volume_out", {"member": 1, "level": -4}, "volume_out 1 -4"),
    ("energy", {"member": 1, "level": 0}, "energy 1 0"),
    ("relate", {"member": 1, "other": list(range(1, 101)), "relationship": "clear"},
     "relate 1 " + ",".join(str(i) for i in range(1, 101)) + " clear"),
    ("play", {"path": "/a"}, "play /a"),
    ("kick", {"member": 3, "sound": "tone_stream://%(300,0,200)"},
     "kick 3 tone_stream://%(300,0,200)"),
    ("say", {"text": "x" * 1024}, "say " + "x" * 1024),
    ("recording", {"subcommand": "stop", "path": "all"}, "recording stop all"),
    ("setvar", {"key": "flag", "value": True}, "setvar flag true"),
    ("setvar", {"key": "flag", "value": False}, "setvar flag false"),
    ("setvar", {"key": "n", "value": 5}, "setvar n 5"),
    ("bgdial", {"endpoint": "user/1000@d", "caller_id_number": "1",
                "caller_id_name": "n" * 64}, "bgdial user/1000@d 1 " + "n" * 64),
    ("bgdial", {"endpoint": "user/1000@d", "variables": {"a": True}, "member_flags": []},
     "bgdial {a=true}user/1000@d"),
    ("transfer", {"target_conference": "room2@wide", "members": [1]}, "transfer room2@wide 1"),
    ("transfer", {"target_conference": "room2", "members": [1, "2"], "profile": "default",
                  "flags": ["mute", "mute", "deaf"]},
     "transfer room2@default+flags{mute|deaf} 1 2"),
    ("transfer", {"target_conference": "room2", "members": 3, "profile": "default", "flags": ()},
     "transfer room2@default 3"),
    ("pause_play", {"member": 7}, "pause_play 7"), ("play_status", {"member": "7"},
                                                    "play_status 7"),
])
def test_accepted_edges_build_exactly(action, args, command):
    assert fs_commands.build("room1", action, **args) == f"conference room1 {command}"


@pytest.mark.parametrize("reserved", ["list", "xml_list", "json_list", "help", "commands", "count"])
def test_mod_conference_command_names_are_not_room_names(reserved):
    message, _ = refusal(lambda: fs_commands.build(reserved, "lock"))
    assert message == f"conference_name: '{reserved}' is a mod_conference command, not a usable name"


def test_member_sounds_silenced_on_request():
    silent = "silence_stream://10"
    assert fs_commands.silent_member_sounds() == {}
    assert fs_commands.silent_member_sounds(silence_entry=True) == \
        {"conference_enter_sound": silent}
    assert fs_commands.silent_member_sounds(silence_exit=True) == \
        {"conference_exit_sound": silent}
    assert fs_commands.silent_member_sounds(True, True) == \
        {"conference_enter_sound": silent, "conference_exit_sound": silent}


def test_uuid_record_limits_are_inclusive():
    assert fs_commands.api_uuid_record("abc", "start", "/a.wav", 1) == "uuid_record abc start /a.wav 1"
    assert fs_commands.api_uuid_record("abc", "stop", "/a.wav", 86400) == \
        "uuid_record abc stop /a.wav 86400"


def test_an_error_detail_carries_the_value_as_given_or_its_repr():
    assert validate.invalid("f", "m").data == {"f": {"invalid": {"message": "m"}}}
    assert validate.invalid("f", "m", 0).data == {"f": {"invalid": {"message": "m", "value": 0}}}
    assert validate.invalid("f", "m", (1,)).data == {"f": {"invalid": {"message": "m",
                                                                       "value": "(1,)"}}}
    assert validate.invalid("f", "m").message == "f: m"


def test_sofia_edges():
    assert sofia.gateway_endpoint("gw1", "1001@10.0.0.5:5060") == \
        "sofia/gateway/gw1/1001@10.0.0.5:5060"
    assert sofia.gateway_endpoint("gw1", "9", ["PCMU", "G722"], 1) == \
        "[^^:absolute_codec_string=PCMU,G722:leg_progress_timeout=1]sofia/gateway/gw1/9"
    assert sofia.leg_block(progress_timeout=600) == "[^^:leg_progress_timeout=600]"
    assert sofia.profile_command("external", "startgw", "gw1") == \
        "sofia profile external startgw gw1"


def test_controls_edges():
    assert controls.valid_join_flags(("mute", "deaf", "mute")) == ["mute", "deaf"]
    assert controls.transfer_target("room2", "default", ["moderator"]) == \
        "room2@default+flags{moderator}"
    assert controls.transfer_target("room2@wide") == "room2@wide"
    message, _ = refusal(lambda: controls.transfer_target("room2@wide", "default"))
    assert message.startswith("target_conference: may only hold")


def test_join_flags_must_be_a_list_not_any_iterable():
    for flags in ({"mute": 1}, "mute", None):
        message, _ = refusal(lambda: controls.valid_join_flags(flags))
        assert message == "flags: must be a list of member flags"


def test_a_variable_value_is_named_value_by_default():
    message, data = refusal(lambda: validate.valid_variable_value([1]))
    assert (message, data) == ("value: must be a string, number or boolean",
                               invalid_data("value", "must be a string, number or boolean", "[1]"))
