"""fs_commands pinned to the recordings: each action, with the ids of the fixture step
it comes from, builds exactly the command that step sent to the real FreeSWITCH.

Unlike tests/unit/test_fs_commands.py (a built command must be one of the recorded
ones), each row here names ONE step - a position in a ``*.control.tx.esl`` file (the
N-th ``api``/``bgapi`` command of that connection) or a step name of a STEPS file -
so swapping two actions (mute for unmute, lock for unlock) fails here.
"""
import json

import pytest

from kzcore import fs_commands
from kzcore.esl.frames import FrameParser
from kzcore.fs_commands import apps, sofia
from tests.support.paths import fs_fixture

SCENARIO = "room1_scenario.control.tx.esl"
MEMBER_OPS = "round2/member_ops.control.tx.esl"
VERBOSE = "round2/verbose.control.tx.esl"
BGDIAL2 = "round2/bgdial.control.tx.esl"
BGDIAL3 = "round3/bgdial.control.tx.esl"
ORIGINATE3 = "round3/originate.control.tx.esl"
ROUND4 = "round4/STEPS.txt"
QUOTING = "round4/dial_quoting/STEPS_b.txt"
ROUND5 = "round5/STEPS.txt"
FRANK = "8758ab63-abd2-4c41-9e1e-a9016822c0d7"    # member 15's channel (round2 member_ops)
R4_CHANNEL = "e4a4422f-a52c-4b03-9a65-69cfebdff158"


def sent(name):
    """The api/bgapi commands of one recorded control connection, in order."""
    blocks = fs_fixture(name).decode().split("\n\n")
    return [block.split(" ", 1)[1] for block in blocks if block.startswith(("api ", "bgapi "))]


def steps(name):
    """step name -> command, from a STEPS file (name, command, reply, events)."""
    rows = [line.split("\t") for line in fs_fixture(name).decode().splitlines()[1:] if line]
    return {row[0]: row[1] for row in rows}


def recorded(source, step):
    return sent(source)[step] if isinstance(step, int) else steps(source)[step]


# (fixture, step, conference, action, arguments taken from that step's ids)
PINNED = [
    (SCENARIO, 3, "room1", "list", {}),
    (SCENARIO, 4, "room1", "json_list", {}),
    (SCENARIO, 5, "room1", "mute", {"member": 1}),
    (SCENARIO, 6, "room1", "unmute", {"member": 1}),
    (SCENARIO, 7, "room1", "mute", {"member": "3"}),
    (SCENARIO, 8, "room1", "unmute", {"member": 3}),
    (SCENARIO, 9, "room1", "deaf", {"member": 1}),
    (SCENARIO, 10, "room1", "undeaf", {"member": 1}),
    (SCENARIO, 11, "room1", "relate", {"member": 1, "other": 3, "relationship": "nospeak"}),
    (SCENARIO, 11, "room1", "relate", {"member": 1, "other": [3], "relationship": "mute"}),
    (SCENARIO, 14, "room1", "relate", {"member": 1, "other": 3, "relationship": "nohear"}),
    (SCENARIO, 14, "room1", "relate", {"member": 1, "other": 3, "relationship": "deaf"}),
    (SCENARIO, 16, "room1", "relate", {"member": 1, "other": 3, "relationship": "clear"}),
    (SCENARIO, 18, "room1", "lock", {}),
    (SCENARIO, 20, "room1", "unlock", {}),
    (SCENARIO, 21, "room1", "play", {"path": "tone_stream://%(1000,0,350)"}),
    (SCENARIO, 22, "room1", "play", {"path": "tone_stream://%(800,0,660)", "member": 2}),
    (SCENARIO, 23, "room1", "play", {"path": "tone_stream://%(1000,0,350)", "async_": True}),
    (SCENARIO, 24, "room1", "recording", {"subcommand": "start",
                                          "path": "/opt/switch/rec/room1.wav"}),
    (SCENARIO, 25, "room1", "recording", {"subcommand": "check"}),
    (SCENARIO, 26, "room1", "recording", {"subcommand": "stop",
                                          "path": "/opt/switch/rec/room1.wav"}),
    (SCENARIO, 29, "room1", "energy", {"member": 1}),
    (SCENARIO, 30, "room1", "energy", {"member": 1, "level": 300}),
    (SCENARIO, 32, "room1", "volume_in", {"member": 1}),
    (SCENARIO, 33, "room1", "volume_in", {"member": 1, "level": "2"}),
    (SCENARIO, 34, "room1", "volume_out", {"member": 1, "level": -1}),
    (SCENARIO, 35, "room1", "say", {"text": "Welcome to room one"}),
    (SCENARIO, 36, "room1", "saymember", {"member": 1, "text": "Hello Alice"}),
    (SCENARIO, 37, "room1", "floor", {"member": 2}),
    (SCENARIO, 38, "room1", "bgdial", {"endpoint": "loopback/talk_steady/default",
                                       "caller_id_number": "1005", "caller_id_name": "Eve"}),
    (SCENARIO, 39, "room2", "dial", {"endpoint": "loopback/talk_steady/default",
                                     "caller_id_number": 1002, "caller_id_name": "Bob"}),
    (SCENARIO, 41, "room2", "kick", {"member": "all"}),
    (SCENARIO, 42, "room1", "kick", {"member": 5}),
    (SCENARIO, 43, "room1", "hup", {"member": 3}),
    (MEMBER_OPS, 0, "room1", "hold", {"member": 15}),
    (MEMBER_OPS, 3, "room1", "unhold", {"member": 15}),
    (MEMBER_OPS, 4, "room1", "hold", {"member": 15,
                                      "path": "tone_stream://%(500,500,350,440);loops=3"}),
    (MEMBER_OPS, 11, "room1", "recording", {"subcommand": "start",
                                            "path": "/opt/switch/rec/room1_round2.wav"}),
    (MEMBER_OPS, 12, "room1", "recording", {"subcommand": "pause",
                                            "path": "/opt/switch/rec/room1_round2.wav"}),
    (MEMBER_OPS, 13, "room1", "recording", {"subcommand": "check"}),
    (MEMBER_OPS, 14, "room1", "recording", {"subcommand": "resume",
                                            "path": "/opt/switch/rec/room1_round2.wav"}),
    (MEMBER_OPS, 16, "room1", "recording", {"subcommand": "stop",
                                            "path": "/opt/switch/rec/room1_round2.wav"}),
    (MEMBER_OPS, 17, "room1", "play", {"path": "tone_stream://%(1000,0,500);loops=20",
                                       "member": 15}),
    (MEMBER_OPS, 18, "room1", "stop", {"which": "current", "member": 15}),
    (MEMBER_OPS, 20, "room1", "transfer", {"target_conference": "room2", "members": [23]}),
    (MEMBER_OPS, 22, "room2", "json_list", {}),
    (VERBOSE, 2, "room1", "getvar", {"key": "acct_id"}),
    (VERBOSE, 3, "room1", "setvar", {"key": "acct_id", "value": "abc123"}),
    (VERBOSE, 6, "room1", "mute", {"member": 15}),
    (VERBOSE, 7, "room1", "unmute", {"member": 15}),
    (VERBOSE, 8, "room8", "mute", {"member": 16}),
    (VERBOSE, 9, "room8", "unmute", {"member": 16}),
    (BGDIAL2, 0, "room1", "bgdial", {"endpoint": "loopback/talk_steady/default",
                                     "caller_id_number": 2001, "caller_id_name": "Dialed1",
                                     "member_flags": ["mute", "moderator"],
                                     "variables": {"origination_caller_id_number": "2001"}}),
    (BGDIAL2, 8, "room1", "kick", {"member": 24}),
    (BGDIAL3, 0, "room10", "bgdial", {"endpoint": "user/1000@rig.test", "caller_id_number": "1000",
                                      "caller_id_name": "Alice"}),
    (BGDIAL3, 1, "room10", "bgdial", {"endpoint": "sofia/rig/1001@127.0.0.1:5073"}),
    (BGDIAL3, 5, "room10", "bgdial", {"endpoint": "sofia/rig/1001@127.0.0.1:5099;transport=tcp",
                                      "caller_id_number": "1001", "caller_id_name": "ClosedTcp"}),
    (BGDIAL3, 6, "room10", "bgdial", {"endpoint": "sofia/rig/1001@127.0.0.1:5098",
                                      "caller_id_number": "1001", "caller_id_name": "Silent",
                                      "variables": {"originate_timeout": 8}}),
    (BGDIAL3, 10, "room10", "xml_list", {}),
    (BGDIAL3, 16, "room10", "hup", {"member": 3}),
    (ORIGINATE3, 9, "room11", "kick", {"member": "all"}),
    (ROUND4, "play_http_cache", "r4room", "play", {"path": "http://127.0.0.1:8999/t.wav"}),
    (ROUND4, "play_member", "r4room", "play", {"path": "http://127.0.0.1:8999/t.wav",
                                               "member": 899}),
    (ROUND4, "play_missing_file", "r4room", "play", {"path": "/nonexistent/x.wav"}),
    (ROUND4, "play_status", "r4room", "play_status", {}),
    (ROUND4, "pause_play", "r4room", "pause_play", {}),
    (ROUND4, "stop_current", "r4room", "stop", {"which": "current"}),
    (ROUND4, "stop_all", "r4room", "stop", {}),
    (ROUND4, "stop_member", "r4room", "stop", {"which": "all", "member": 899}),
    (ROUND4, "say_room", "r4room", "say", {"text": "hello there"}),
    (ROUND4, "saymember", "r4room", "saymember", {"member": 899, "text": "hello member"}),
    (ROUND4, "relate_self", "r4room", "relate", {"member": 899, "other": 899,
                                                 "relationship": "nospeak"}),
    (ROUND4, "relate_nohear", "r4room", "relate", {"member": 899, "other": 900,
                                                   "relationship": "nohear"}),
    (ROUND4, "relate_clear", "r4room", "relate", {"member": 899, "other": 900,
                                                  "relationship": "clear"}),
    (ROUND4, "volume_in", "r4room", "volume_in", {"member": 899, "level": 2}),
    (ROUND4, "volume_out", "r4room", "volume_out", {"member": 899, "level": "-1"}),
    (ROUND4, "volume_in_query", "r4room", "volume_in", {"member": 899}),
    (ROUND4, "energy_member", "r4room", "energy", {"member": 899, "level": 300}),
    (ROUND4, "energy_member_query", "r4room", "energy", {"member": "899"}),
    (ROUND4, "dtmf_member", "r4room", "dtmf", {"member": 899, "digits": "123"}),
    (ROUND4, "dtmf_all", "r4room", "dtmf", {"member": "all", "digits": "9"}),
    (ROUND4, "floor_member", "r4room", "floor", {"member": 900}),
    (ROUND4, "json_list_after_member_changes", "r4room", "json_list", {}),
    (ROUND4, "enter_sound_off", "r4room", "enter_sound", {"state": "off"}),
    (ROUND4, "exit_sound_off", "r4room", "exit_sound", {"state": False}),
    (ROUND4, "enter_sound_on", "r4room", "enter_sound", {"state": True}),
    (ROUND4, "exit_sound_on", "r4room", "exit_sound", {"state": "on"}),
    (ROUND4, "get_max_members", "r4room", "get", {"parameter": "max_members"}),
    (ROUND4, "get_endconference_grace_time", "r4room", "get",
     {"parameter": "endconference_grace_time"}),
    (ROUND4, "get_count_ghost", "r4room", "get", {"parameter": "count_ghosts"}),
    (ROUND4, "get_uuid", "r4room", "get", {"parameter": "uuid"}),
    (ROUND4, "get_run_time", "r4room", "get", {"parameter": "run_time"}),
    (ROUND4, "get_count_with_ghost", "r4room", "get", {"parameter": "count"}),
    (ROUND4, "list_count_with_ghost", "r4room", "count", {}),
    (ROUND4, "list_after_join_only_missing", "r4nosuch", "list", {}),
    (ROUND4, "recording_start_unwritable", "r4room", "recording",
     {"subcommand": "start", "path": "/proc/nope/x.wav"}),
    (ROUND4, "recording_check_after_unwritable", "r4room", "recording", {"subcommand": "check"}),
    (ROUND4, "hold_member_moh", "r4room", "hold", {"member": 901, "path": "local_stream://moh"}),
    (ROUND4, "unhold_member", "r4room", "unhold", {"member": 901}),
    (ROUND4, "transfer_to_other_room", "r4room", "transfer",
     {"target_conference": "r4other", "members": 901}),
    (ROUND4, "transfer_to_new_room", "r4room", "transfer",
     {"target_conference": "r4brandnew", "members": ["900"]}),
    (ROUND4, "hup_member", "r4room", "hup", {"member": 899}),
    (ROUND4, "kick_all", "r4room", "kick", {"member": "all"}),
    (ROUND4, "hup_all_other", "r4other", "hup", {"member": "all"}),
    (QUOTING, "bgdial_quoted_name", "qroom", "bgdial",
     {"endpoint": "loopback/9001/default", "caller_id_number": "5551000",
      "caller_id_name": "Conference XYZ"}),
    (QUOTING, "bgdial_single_word_name", "qroom", "bgdial",
     {"endpoint": "loopback/9002/default", "caller_id_number": 5551001,
      "caller_id_name": "Acceptance"}),
    (QUOTING, "dial_quoted_name", "qroom", "dial",
     {"endpoint": "loopback/9004/default", "caller_id_number": "5551003",
      "caller_id_name": "Quoted Dial"}),
    (QUOTING, "json_list_after_quoted_dials", "qroom", "json_list", {}),
    (ROUND5, "bgdial_answer", "gwroom", "bgdial",
     {"endpoint": "sofia/gateway/carrier1/9001", "caller_id_number": "5551000",
      "caller_id_name": "Acme Sales"}),
    (ROUND5, "bgdial_busy", "gwroom", "bgdial", {"endpoint": "sofia/gateway/carrier1/6001"}),
    (ROUND5, "bgdial_noanswer_timeout5", "gwroom", "bgdial",
     {"endpoint": "sofia/gateway/carrier1/5001", "variables": {"originate_timeout": 5}}),
    (ROUND5, "dial_answer", "gwroom", "dial",
     {"endpoint": "sofia/gateway/carrier1/9004", "caller_id_number": "5551001",
      "caller_id_name": "Test"}),
    (ROUND5, "list_after_dials", "gwroom", "list", {}),
]


def _id(row):
    source, step, _, action, _ = row
    return f"{action}-{source.split('/')[-1].split('.')[0]}-{step}"


@pytest.mark.parametrize("source, step, conference, action, args", PINNED, ids=map(_id, PINNED))
def test_each_action_builds_the_command_of_its_recorded_step(source, step, conference,
                                                             action, args):
    assert fs_commands.build(conference, action, **args) == recorded(source, step)


def test_every_action_is_pinned_to_a_recorded_step():
    assert set(fs_commands.ACTIONS) == {row[3] for row in PINNED}


@pytest.mark.parametrize("step, call_id, action, path", [
    (8, FRANK, "start", "/opt/switch/rec/member15_frank.wav"),
    (9, FRANK, "stop", "/opt/switch/rec/member15_frank.wav"),
])
def test_uuid_record_is_the_recorded_command(step, call_id, action, path):
    assert fs_commands.api_uuid_record(call_id, action, path) == sent(MEMBER_OPS)[step]


@pytest.mark.parametrize("step, action", [("uuid_record_start", "start"),
                                          ("uuid_record_stop", "stop")])
def test_uuid_record_of_round4_is_the_recorded_command(step, action):
    command = fs_commands.api_uuid_record(R4_CHANNEL, action, "/var/r4rec/r4-member.wav")
    assert command == steps(ROUND4)[step]
    assert fs_commands.api_uuid_record(R4_CHANNEL, action, "/var/r4rec/r4-member.wav", 30) \
        == steps(ROUND4)[step] + " 30"


def test_channel_commands_are_the_recorded_ones():
    assert fs_commands.api_uuid_dump("656c4d17-d39f-4c04-ab94-4ae66f4b54d0") == sent(BGDIAL3)[12]
    assert fs_commands.api_uuid_kill("79d3e64f-0ca3-4bef-bdcf-397dfd751b09") == sent(ORIGINATE3)[8]
    assert fs_commands.api_list_all() == sent(SCENARIO)[40]
    assert fs_commands.api_json_list_all() == "conference json_list"
    assert fs_commands.api_uuid_exists("abc-1") == "uuid_exists abc-1"


@pytest.mark.parametrize("step, build", [
    ("profile_external_rescan", lambda: sofia.profile_command("external", "rescan")),
    ("killgw_carrier_down", lambda: sofia.profile_command("external", "killgw", "carrier_down")),
    ("killgw_carrier1", lambda: sofia.profile_command("external", "killgw", "carrier1")),
    ("startgw_carrier_down", lambda: sofia.profile_command("external", "startgw", "carrier_down")),
    ("sofia_status_gateway_carrier1", lambda: sofia.status_gateway("carrier1")),
    ("sofia_status_gateway_all", sofia.status_gateways),
    ("failover_2_bgdial_carrier1", lambda: fs_commands.build(
        "gwroom", "bgdial", endpoint=sofia.gateway_endpoint("carrier1", "9005"),
        caller_id_number="5551005", caller_id_name="Acme Sales")),
])
def test_sofia_commands_are_the_recorded_ones(step, build):
    assert build() == steps(ROUND5)[step]


def test_the_failover_dial_string_is_the_recorded_one():
    legs = [("carrier_down", "9006"), ("carrier1", "9006")]
    command = steps(ROUND5)["failover_pipe_bgdial"]
    assert sofia.failover_string(legs) == command.split(" ")[3]


def test_call_in_applications_are_the_recorded_ones():
    tx = fs_fixture("round2/outbound_digits_then_conference.tx.esl").decode()
    assert "execute-app-name: answer\n" in tx and apps.answer() == ("answer", "")
    assert apps.playback("tone_stream://%(500,0,440)") == ("playback", "tone_stream://%(500,0,440)")
    assert "execute-app-arg: tone_stream://%(500,0,440)\n" in tx
    assert apps.conference("room9", "default", ["mute"]) == ("conference", "room9@default+flags{mute}")
    assert "execute-app-name: conference\nexecute-app-arg: room9@default+flags{mute}\n" in tx


# --- round4/dial_quoting: how the real switch reads the caller-id arguments ---

def _events(name):
    """The JSON events of one dial_quoting step's events file."""
    data = fs_fixture(f"round4/dial_quoting/{name}.events.json.esl")
    return [json.loads(frame.body) for frame in FrameParser().feed(data)
            if frame.content_type == "text/event-json"]


def _add_member(name):
    adds = [e for e in _events(name) if e.get("Action") == "add-member"
            and e.get("Caller-Callee-ID-Number", "").startswith("555")]
    assert len(adds) == 1, name
    return adds[0]


@pytest.mark.parametrize("step, number, name", [
    ("bgdial_quoted_name", "5551000", "Conference XYZ"),
    ("bgdial_single_word_name", "5551001", "Acceptance"),
    ("dial_quoted_name", "5551003", "Quoted Dial"),
])
def test_a_quoted_caller_id_name_reaches_the_member_whole(step, number, name):
    """The switch honours the quotes fs_commands writes: the dialled identity (the
    Caller-Callee-ID-* of the new member) is the whole name; the Caller-Caller-ID-*
    of a dialled leg is the switch's own "Outbound Call"/"default"."""
    endpoint = steps(QUOTING)[step].split(" ")[3]
    action = steps(QUOTING)[step].split(" ")[2]
    assert fs_commands.build("qroom", action, endpoint=endpoint, caller_id_number=number,
                             caller_id_name=name) == steps(QUOTING)[step]
    member = _add_member(step)
    assert (member["Caller-Callee-ID-Name"], member["Caller-Callee-ID-Number"]) == (name, number)
    assert (member["Caller-Caller-ID-Name"], member["Caller-Caller-ID-Number"]) == \
        ("Outbound Call", "default")


def test_two_unquoted_words_keep_only_the_first_so_fs_commands_quotes_them():
    unquoted = steps(QUOTING)["bgdial_name_without_quotes_two_words"]
    assert unquoted.endswith(" 5551002 Two Words")
    assert _add_member("bgdial_name_without_quotes_two_words")["Caller-Callee-ID-Name"] == "Two"
    built = fs_commands.build("qroom", "bgdial", endpoint="loopback/9003/default",
                              caller_id_number="5551002", caller_id_name="Two Words")
    assert built == unquoted.replace("Two Words", "'Two Words'")


def test_caller_id_variables_are_the_dialled_identity_too():
    member = _add_member("bgdial_vars_caller_id")
    assert (member["Caller-Callee-ID-Name"], member["Caller-Callee-ID-Number"]) == \
        ("Var Name", "5551004")
