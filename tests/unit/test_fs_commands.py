"""fs_commands: every action against what was really sent, and every injection refused."""
import pytest

from kzcore import fs_commands
from kzcore.errors import InvalidCommandArgument
from tests.support.paths import fs_fixture

ROUND4_STEPS = "round4/STEPS.txt"
TX_FILES = ["room1_scenario.control.tx.esl", "round2/member_ops.control.tx.esl",
            "round2/verbose.control.tx.esl", "round2/bgdial.control.tx.esl", "round3/bgdial.control.tx.esl"]


def sent_api_commands():
    commands = set()
    for name in TX_FILES:
        for block in fs_fixture(name).decode().split("\n\n"):
            if block.startswith("api "):
                commands.add(block[4:])
    for line in fs_fixture(ROUND4_STEPS).decode().splitlines()[1:]:
        if line:
            commands.add(line.split("\t")[1])  # name, command, first reply line, events
    return commands


SENT = [
    ("room1", "lock", {}), ("room1", "unlock", {}),
    ("room1", "mute", {"member": 1}), ("room1", "unmute", {"member": "3"}),
    ("room1", "deaf", {"member": 1}), ("room1", "undeaf", {"member": 1}),
    ("room1", "kick", {"member": 5}), ("room2", "kick", {"member": "all"}), ("room1", "hup", {"member": 3}),
    ("room1", "relate", {"member": 1, "other": 3, "relationship": "nospeak"}),
    ("room1", "relate", {"member": 1, "other": 3, "relationship": "mute"}),   # Kazoo's name
    ("room1", "relate", {"member": 1, "other": 3, "relationship": "deaf"}),
    ("room1", "relate", {"member": 1, "other": 3, "relationship": "clear"}),
    ("room1", "play", {"path": "tone_stream://%(1000,0,350)"}),
    ("room1", "play", {"path": "tone_stream://%(800,0,660)", "member": 2}),
    ("room1", "play", {"path": "tone_stream://%(1000,0,350)", "async_": True}),
    ("room1", "play", {"path": "tone_stream://%(1000,0,500);loops=20", "member": 15}),
    ("room1", "stop", {"which": "current", "member": 15}),
    ("room1", "recording", {"subcommand": "start", "path": "/opt/switch/rec/room1.wav"}),
    ("room1", "recording", {"subcommand": "check"}),
    ("room1", "recording", {"subcommand": "stop", "path": "/opt/switch/rec/room1.wav"}),
    ("room1", "recording", {"subcommand": "pause", "path": "/opt/switch/rec/room1_round2.wav"}),
    ("room1", "recording", {"subcommand": "resume", "path": "/opt/switch/rec/room1_round2.wav"}),
    ("room1", "energy", {"member": 1}), ("room1", "energy", {"member": 1, "level": 300}),
    ("room1", "volume_in", {"member": 1}), ("room1", "volume_in", {"member": 1, "level": 2}),
    ("room1", "volume_out", {"member": 1, "level": -1}),
    ("room1", "say", {"text": "Welcome to room one"}),
    ("room1", "saymember", {"member": 1, "text": "Hello Alice"}),
    ("room1", "floor", {"member": 2}),
    ("room1", "transfer", {"target_conference": "room2", "members": [23]}),
    ("room1", "bgdial", {"endpoint": "loopback/talk_steady/default", "caller_id_number": "1005",
                         "caller_id_name": "Eve"}),
    ("room1", "bgdial", {"endpoint": "loopback/talk_steady/default", "caller_id_number": 2001,
                         "caller_id_name": "Dialed1", "member_flags": ["mute", "moderator"],
                         "variables": {"origination_caller_id_number": "2001"}}),
    ("room10", "bgdial", {"endpoint": "user/1000@rig.test", "caller_id_number": "1000", "caller_id_name": "Alice"}),
    ("room10", "bgdial", {"endpoint": "sofia/rig/1001@127.0.0.1:5073"}),
    ("room10", "bgdial", {"endpoint": "sofia/rig/1001@127.0.0.1:5099;transport=tcp", "caller_id_number": "1001",
                          "caller_id_name": "ClosedTcp"}),
    ("room10", "bgdial", {"endpoint": "sofia/rig/1001@127.0.0.1:5098", "caller_id_number": "1001",
                          "caller_id_name": "Silent", "variables": {"originate_timeout": 8}}),
    ("room2", "dial", {"endpoint": "loopback/talk_steady/default", "caller_id_number": "1002",
                       "caller_id_name": "Bob"}),
    ("room1", "setvar", {"key": "acct_id", "value": "abc123"}),
    ("room1", "getvar", {"key": "acct_id"}),
    ("r4room", "get", {"parameter": "run_time"}), ("r4room", "get", {"parameter": "count"}),
    ("r4room", "hup", {"member": 899}), ("r4other", "hup", {"member": "all"}),
    ("room1", "list", {}), ("room1", "json_list", {}), ("room10", "xml_list", {}),
    # round 4 (STEPS.txt)
    ("room1", "hold", {"member": 15}),
    ("room1", "hold", {"member": 15, "path": "tone_stream://%(500,500,350,440);loops=3"}),
    ("r4room", "hold", {"member": 901, "path": "local_stream://moh"}),
    ("r4room", "unhold", {"member": 901}),
    ("r4room", "transfer", {"target_conference": "r4other", "members": 901}),
    ("r4room", "dtmf", {"member": 899, "digits": "123"}), ("r4room", "dtmf", {"member": "all", "digits": "9"}),
    ("r4room", "pause_play", {}), ("r4room", "play_status", {}),
    ("r4room", "stop", {"which": "current"}), ("r4room", "stop", {"which": "all", "member": 899}),
    ("r4room", "enter_sound", {"state": "off"}), ("r4room", "enter_sound", {"state": True}),
    ("r4room", "exit_sound", {"state": False}), ("r4room", "exit_sound", {"state": "on"}),
    ("r4room", "volume_in", {"member": 899, "level": 2}), ("r4room", "energy", {"member": 899, "level": 300}),
    ("r4room", "relate", {"member": 899, "other": 900, "relationship": "nohear"}),
    ("r4room", "relate", {"member": 899, "other": [900], "relationship": "clear"}),
]


@pytest.mark.parametrize("conference, action, args", SENT)
def test_built_commands_are_what_freeswitch_was_sent(conference, action, args):
    assert fs_commands.build(conference, action, **args) in sent_api_commands()


def test_room_sounds_take_only_on_or_off():
    for state in ("file /etc/passwd", "none", "", None, 1, "true"):
        with pytest.raises(InvalidCommandArgument):
            fs_commands.build("r4room", "enter_sound", state=state)
    assert fs_commands.build("r4room", "exit_sound", state=True) == "conference r4room exit_sound on"
    assert fs_commands.build("r4room", "exit_sound", state=False) == "conference r4room exit_sound off"


def test_every_action_is_covered_by_a_recorded_command():
    covered = {action for _, action, _ in SENT}
    assert set(fs_commands.ACTIONS) - covered == {"count", "stop"} - covered


def test_count_and_list_all():
    assert fs_commands.build("room1", "count") == "conference room1 list count"
    assert fs_commands.api_json_list_all() == "conference json_list"
    assert fs_commands.build("room1", "stop") == "conference room1 stop all"
    assert fs_commands.build("room1", "recording", subcommand="stop", path="all") == "conference room1 recording stop all"


def test_bgdial_flags_use_pipes_inside_one_variable():
    built = fs_commands.build("r", "bgdial", endpoint="user/1000@rig.test", caller_id_number="1000",
                              caller_id_name="Alice", member_flags=["mute", "moderator"],
                              variables={"kz_account_id": "abc123"})
    assert built == ("conference r bgdial {conference_member_flags=mute|moderator,kz_account_id=abc123}"
                     "user/1000@rig.test 1000 Alice")


BAD_STRINGS = ["a\nb", "a\rb", "a\0b", "a b", "a'b", 'a"b', "a{b", "a}b"]


def assert_invalid(field, action, **args):
    with pytest.raises(InvalidCommandArgument) as raised:
        fs_commands.build(args.pop("conference", "room1"), action, **args)
    assert field in raised.value.data, raised.value.data
    detail = raised.value.data[field]["invalid"]
    assert detail["message"] and field in raised.value.message
    return detail


@pytest.mark.parametrize("bad", BAD_STRINGS + ["", "list", "a@b", "a/b", "x" * 129])
def test_conference_name_injection(bad):
    assert_invalid("conference_name", "lock", conference=bad)


@pytest.mark.parametrize("bad", BAD_STRINGS + [0, -1, True, 1.5, "3 all", "1\n", "everyone", None, "+1"])
def test_member_injection(bad):
    assert_invalid("member", "mute", member=bad)
    assert_invalid("member", "kick", member=bad)
    assert_invalid("member", "saymember", member=bad, text="hi")


@pytest.mark.parametrize("bad", BAD_STRINGS + ["relative/file.wav", "file.wav", "/", "ftp://x/y.wav",
                                               "http_cache://file:///etc/passwd", "http_cache:///a.wav",
                                               "/a.wav 2", "/a.wav\tasync", "/a\\b.wav", "`x`"])
def test_media_path_injection(bad):
    assert_invalid("path", "play", path=bad)
    assert_invalid("path", "recording", subcommand="start", path=bad)


@pytest.mark.parametrize("good", ["tone_stream://%(1000,0,350)", "silence_stream://1000", "local_stream://moh",
                                  "/opt/switch/rec/room1.wav", "http_cache://http://h/a.wav",
                                  "http_cache://https://h/a.mp3?x=1"])
def test_media_paths_allowed(good):
    assert fs_commands.build("room1", "play", path=good).split(" ", 3)[3] == good


@pytest.mark.parametrize("url", ["http://media.example.com/a.wav", "https://h/a.mp3?x=1&y=2"])
def test_http_media_is_played_through_mod_http_cache(url):
    """round4 play_http_bare: a bare http:// file is "-ERR ... not found" without mod_httapi;
    play_http_cache: the same URL behind http_cache:// plays."""
    assert fs_commands.build("room1", "play", path=url) == f"conference room1 play http_cache://{url}"
    assert fs_commands.build("room1", "play", path=url, member=3).endswith(f" http_cache://{url} 3")


@pytest.mark.parametrize("bad", BAD_STRINGS + ["user/1000@rig.test,user/1001@rig.test", "user/1|user/2",
                                               "{x=y}user/1000@d", "[x=y]user/1000@d", "foo/bar", "user/",
                                               "user/1000@d &park()", "sofia//x", "error/user_not_registered"])
def test_endpoint_injection(bad):
    assert_invalid("endpoint", "bgdial", endpoint=bad, caller_id_number="1", caller_id_name="x")
    assert_invalid("endpoint", "dial", endpoint=bad)


@pytest.mark.parametrize("bad", BAD_STRINGS + ["a,b", "a|b", "^^!x", "a[b", "a\\b", "a\tb"])
def test_variable_value_injection(bad):
    assert_invalid("variables.kz_account_id", "bgdial", endpoint="user/1@d", variables={"kz_account_id": bad})
    assert_invalid("value", "setvar", key="acct_id", value=bad)


@pytest.mark.parametrize("bad", BAD_STRINGS + ["a=b", "a,b", "a-b", "a.b", ""])
def test_variable_name_injection(bad):
    assert_invalid("variables", "bgdial", endpoint="user/1@d", variables={bad: "x"})
    assert_invalid("key", "getvar", key=bad)


@pytest.mark.parametrize("bad", BAD_STRINGS + ["a,b", "a|b", "Mute", "mute moderator", ""])
def test_member_flag_injection(bad):
    assert_invalid("member_flags", "bgdial", endpoint="user/1@d", member_flags=[bad])


@pytest.mark.parametrize("bad", [b for b in BAD_STRINGS if b != "a b"] + [" John", "John ", "John  Smith", "a,b", "a|b",
                                                "a\tb", "a\\b", "x" * 65])
def test_caller_id_name_injection(bad):
    assert_invalid("caller_id_name", "bgdial", endpoint="user/1@d", caller_id_number="1000", caller_id_name=bad)


def test_caller_id_name_with_spaces_is_one_quoted_argument():
    # seed 002's own example: "caller_id_name": "Conference XYZ"
    command = fs_commands.build("room1", "bgdial", endpoint="user/1000@d", caller_id_number="5551212",
                    caller_id_name="Conference XYZ")
    assert command == "conference room1 bgdial user/1000@d 5551212 'Conference XYZ'"


@pytest.mark.parametrize("bad", BAD_STRINGS + ["10 00", "1,2", "1|2", "x" * 33])
def test_caller_id_number_injection(bad):
    assert_invalid("caller_id_number", "bgdial", endpoint="user/1@d", caller_id_number=bad)


@pytest.mark.parametrize("bad", ["a\nb", "a\rb", "a\0b", "", "   ", "x" * 2000, "a\x1bb"])
def test_tts_text_injection(bad):
    assert_invalid("text", "say", text=bad)
    assert_invalid("text", "saymember", member=1, text=bad)


def test_say_refuses_names_that_mod_conference_would_cut_the_text_at():
    assert_invalid("conference_name", "say", conference="essay_room", text="hello")
    assert_invalid("conference_name", "saymember", conference="saymember1", member=1, text="hello")
    assert fs_commands.build("essay_room", "play", path="/a.wav") == "conference essay_room play /a.wav"


@pytest.mark.parametrize("bad", BAD_STRINGS)
def test_every_other_string_argument_rejects_injection(bad):
    assert_invalid("target_conference", "transfer", target_conference=bad, members=[1])
    assert_invalid("members", "transfer", target_conference="room2", members=[bad])
    assert_invalid("relationship", "relate", member=1, other=2, relationship=bad)
    assert_invalid("which", "stop", which=bad)
    assert_invalid("member", "stop", which="current", member=bad)
    assert_invalid("subcommand", "recording", subcommand=bad, path="/a.wav")
    assert_invalid("level", "energy", member=1, level=bad)
    assert_invalid("level", "volume_out", member=1, level=bad)
    assert_invalid("member", "floor", member=bad)
    assert_invalid("key", "setvar", key=bad, value="x")


def test_tts_text_keeps_spaces_and_quotes():
    assert fs_commands.build("room1", "say", text="It's \"fine\" {really}") == \
        "conference room1 say It's \"fine\" {really}"


@pytest.mark.parametrize("action, args, field", [
    ("relate", {"member": 1, "other": 3, "relationship": "nospeak nohear"}, "relationship"),
    ("relate", {"member": 1, "other": "all", "relationship": "clear"}, "other"),
    ("stop", {"which": "everything"}, "which"),
    ("recording", {"subcommand": "start"}, "path"),
    ("recording", {"subcommand": "erase", "path": "/a.wav"}, "subcommand"),
    ("recording", {"subcommand": "start", "path": "all"}, "path"),
    ("energy", {"member": 1, "level": "300 all"}, "level"),
    ("energy", {"member": 1, "level": 1801}, "level"),
    ("energy", {"member": 1, "level": -1}, "level"),
    ("volume_in", {"member": 1, "level": 99}, "level"),
    ("volume_out", {"member": 1, "level": -5}, "level"),
    ("transfer", {"target_conference": "room2 x", "members": [1]}, "target_conference"),
    ("transfer", {"target_conference": "room2", "members": []}, "members"),
    ("transfer", {"target_conference": "room2", "members": ["1 2"]}, "members"),
    ("floor", {"member": "all"}, "member"),
    ("play", {"path": "/a.wav", "member": 2, "async_": True}, "async"),
    ("mute", {"member": 1, "extra": "x"}, "action"),
])
def test_other_bad_arguments(action, args, field):
    assert_invalid(field, action, **args)


def test_missing_argument_is_named():
    with pytest.raises(InvalidCommandArgument) as raised:
        fs_commands.build("room1", "mute")
    assert "required" in raised.value.data["member"] and "member" in raised.value.message


def test_unknown_action_is_an_enum_error():
    with pytest.raises(InvalidCommandArgument) as raised:
        fs_commands.build("room1", "explode")
    assert "mute" in raised.value.data["action"]["enum"]["target"]
