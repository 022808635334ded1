"""fs_replies, answer by answer: which sub-commands must say +OK, the exact texts and
fields it returns, and the exact refusals (killing the mutants bench/mutation.py found
alive; tests/MUTATION.md)."""
import dataclasses

import pytest

from kzcore import fs_replies
from kzcore.errors import SwitchRefused
from tests.support.paths import fs_fixture

# The sub-commands that do something and answer "+OK ..." when they did it (their
# recorded replies: round4/STEPS.txt, room1_scenario): any other answer is a refusal.
NEEDS_OK = ["lock", "unlock", "mute", "unmute", "deaf", "undeaf", "kick", "hup", "play", "stop",
            "say", "saymember", "recording", "floor", "transfer", "bgdial", "dial", "setvar",
            "hold", "unhold", "dtmf", "volume_in", "volume_out", "pause_play", "play_status",
            "enter_sound", "exit_sound"]
# ... and the ones that answer a bare value (round4: energy, get, getvar, list count, relate <id>).
BARE_VALUE = [("energy 899", "Energy 899 = 300"), ("get run_time", "28"),
              ("getvar acct_id", "abc123"), ("list count", "5"), ("relate 1", "1 -> 3 nospeak"),
              ("relate 1 3", "nothing")]


@pytest.mark.parametrize("sub", NEEDS_OK)
def test_an_action_that_answers_without_ok_is_refused(sub):
    assert fs_replies.classify("", f"conference room1 {sub} 1") == \
        fs_replies.Reply(False, "-ERR no reply")
    assert fs_replies.classify("Energy 1 = 3", f"conference room1 {sub} 1") == \
        fs_replies.Reply(False, "Energy 1 = 3")
    assert fs_replies.classify("+OK done", f"conference room1 {sub} 1") == \
        fs_replies.Reply(True, "+OK done")


@pytest.mark.parametrize("words, text", BARE_VALUE)
def test_queries_answer_a_bare_value(words, text):
    assert fs_replies.classify(text, f"conference r4room {words}") == fs_replies.Reply(True, text)


def test_relate_with_a_relationship_must_say_ok():
    assert fs_replies.classify("", "conference room1 relate 1 3 nospeak") == \
        fs_replies.Reply(False, "-ERR no reply")
    assert fs_replies.classify("+OK 1->3 nospeak set", "conference room1 relate 1 3 nospeak").ok


@pytest.mark.parametrize("command, expected", [
    ("conference room1 relate 1 3 nospeak", ("relate", ["1", "3", "nospeak"])),
    ("conference list", ("list", [])), ("conference room1", ("room1", [])),
    ("conference", (None, [])), ("", (None, [])), (None, (None, [])),
    ("conference room1 lock", ("lock", [])),
    ("uuid_record abc start /x.wav", ("uuid_record", ["abc", "start", "/x.wav"])),
])
def test_the_sub_command_is_read_after_the_room_name(command, expected):
    assert fs_replies._subcommand(command) == expected


@pytest.mark.parametrize("text", [
    "Conference command, not specified", "Try 'help'", "Bad Args", "Bad args",
    "Not enough args", "-ERR Usage: conference <name> ...", "energy <member_id|all> [<newval>]",
    "relate <member_id>[,<member_id>] <other_member_id> [nospeak|nohear|clear]",
])
def test_usage_texts_are_usage(text):
    assert fs_replies.is_usage(text) is True
    if not text.startswith("-ERR"):
        assert fs_replies.classify(text, "conference room1 energy 1") == fs_replies.Reply(False, text)


def test_only_the_first_line_can_be_a_usage_line():
    assert fs_replies.is_usage("+OK fine\nenergy <member_id>") is False
    assert fs_replies.is_usage("energy <member\n_id>") is False


def test_error_lines_are_kept_in_order_without_the_ok_lines():
    reply = fs_replies.classify("+OK Stopped\n-ERR one\n-USAGE two\n+OK more", "conference r stop")
    assert reply == fs_replies.Reply(False, "-ERR one\n-USAGE two")
    assert fs_replies.classify("-USAGE: x") == fs_replies.Reply(False, "-USAGE: x")


def test_undecodable_bytes_are_replaced_not_fatal():
    assert fs_replies.classify(b"+OK \xff done", "conference r lock") == \
        fs_replies.Reply(True, "+OK \ufffd done")
    assert fs_replies.is_conference_not_found(b"-ERR Conference r\xff9 not found") is True
    assert fs_replies.parse_list(b"-ERR Conference r\xff not found") == []


def test_dial_results_other_than_success_are_refusals():
    assert fs_replies.classify("+OK Call Requested: result: [USER_BUSY]", "conference r dial x") \
        == fs_replies.Reply(False, "+OK Call Requested: result: [USER_BUSY]")
    assert fs_replies.classify("+OK Call Requested: result: [SUCCESS]", "conference r dial x").ok


def test_a_refusal_names_the_command():
    with pytest.raises(SwitchRefused) as raised:
        fs_replies.check("-ERR Conference room1 not found", "conference room1 lock")
    assert raised.value.message == "-ERR Conference room1 not found"
    assert raised.value.data == {"command": "conference room1 lock"}
    with pytest.raises(SwitchRefused) as raised:
        fs_replies.check("-ERR x")
    assert raised.value.data == {}
    assert fs_replies.check(" +OK locked \n", "conference r lock") == "+OK locked"


def test_a_reply_is_an_immutable_value():
    reply = fs_replies.Reply(True, "+OK")
    with pytest.raises(dataclasses.FrozenInstanceError):
        reply.ok = False
    assert hash(reply) == hash(fs_replies.Reply(True, "+OK"))


@pytest.mark.parametrize("parse, what", [(fs_replies.parse_json_list, "json_list"),
                                         (fs_replies.parse_list, "list"),
                                         (fs_replies.parse_xml_list, "xml_list")])
def test_listings_refuse_errors_and_usage_but_not_an_empty_switch(parse, what):
    assert parse("+OK No active conferences.") == []
    assert parse("-ERR Conference nosuch not found") == []
    for text in ("-ERR boom", "Try 'help'"):
        with pytest.raises(SwitchRefused) as raised:
            parse(text)
        assert (raised.value.message, raised.value.data) == (text, {"command": what})


def test_unreadable_listings_quote_the_first_200_characters():
    junk = "{" + "x" * 300
    with pytest.raises(SwitchRefused) as raised:
        fs_replies.parse_json_list(junk)
    assert raised.value.message == "unreadable json_list reply: " + junk[:200]
    not_a_list = '{"conference_name": "' + "y" * 300 + '"}'
    with pytest.raises(SwitchRefused) as raised:
        fs_replies.parse_json_list(not_a_list)
    assert raised.value.message == "unexpected json_list reply: " + not_a_list[:200]
    with pytest.raises(SwitchRefused) as raised:
        fs_replies.parse_xml_list("<a>" + "z" * 300)
    assert raised.value.message == "unreadable xml_list reply: <a>" + "z" * 197


RECORDED_MEMBER = ("903;loopback/conf_r4room-b;d247a426-2b60-4fa4-a03e-1ddf0090cf87;Caller4005;4005;"
                   "hear|speak;0;0;100")


def test_a_member_line_reads_every_field():
    assert fs_replies.parse_member_line(RECORDED_MEMBER) == {
        "id": 903, "channel_name": "loopback/conf_r4room-b",
        "uuid": "d247a426-2b60-4fa4-a03e-1ddf0090cf87", "caller_id_name": "Caller4005",
        "caller_id_number": "4005", "flags": ["hear", "speak"], "volume_in": 0, "volume_out": 0,
        "energy": 100}


def test_a_member_line_with_the_pipe_delimiter_keeps_every_flag():
    line = "7|loopback/a-b|u-1|Alice|1001|hear|speak|talking|floor|1|-2|300"
    assert fs_replies.parse_member_line(line, "|") == {
        "id": 7, "channel_name": "loopback/a-b", "uuid": "u-1", "caller_id_name": "Alice",
        "caller_id_number": "1001", "flags": ["hear", "speak", "talking", "floor"],
        "volume_in": 1, "volume_out": -2, "energy": 300}
    assert fs_replies.parse_member_line("7;c;u;n;1;;0;0;100")["flags"] == []


def test_a_short_member_line_is_unreadable():
    line = "7;c;u;n;1;hear;0;0"
    with pytest.raises(SwitchRefused) as raised:
        fs_replies.parse_member_line(line)
    assert raised.value.message == "unreadable conference list line: " + line


def test_the_conference_list_header_reads_every_field():
    body = fs_fixture("api_conference_list_while_locked.esl").decode().split("\n\n", 1)[1]
    [room] = fs_replies.parse_list(body)
    assert {k: v for k, v in room.items() if k != "members"} == {
        "conference_name": "room1", "member_count": 3, "rate": 8000, "locked": True,
        "flags": ["locked", "running", "answered", "enforce_min", "dynamic", "exit_sound",
                  "enter_sound", "json_status"]}
    assert [m["caller_id_name"] for m in room["members"]] == ["Carol", "Bob", "Alice"]


def test_a_room_list_without_header_is_one_nameless_conference():
    assert fs_replies.parse_list(RECORDED_MEMBER + "\n") == [{
        "conference_name": None, "member_count": None, "rate": None, "locked": None,
        "flags": [], "members": [fs_replies.parse_member_line(RECORDED_MEMBER)]}]


XML = """<?xml version="1.0"?>
<conferences>
  <conference name="1234" member-count="1" rate="8000" running="true" locked="false">
    <variables><acct_id>abc</acct_id><empty></empty><n>42</n></variables>
    <members>
      <member type="caller"><id>9</id><uuid>42</uuid><caller_id_name>007</caller_id_name>
        <caller_id_number>1003</caller_id_number><record_path>1</record_path><name>2</name>
        <energy>-100</energy><nothing/><flags><talking>true</talking></flags>
        <join_time type="UNIX-epoch">1795261923</join_time><note kind="x">text</note>
        <bare kind="x"/><group kind="y"><talking>false</talking></group>
      </member>
      <member type="5"><id>10</id></member>
    </members>
  </conference>
  <conference name="empty" member-count="0"/>
</conferences>"""


def test_xml_list_types_values_but_keeps_ids_and_names_as_text():
    first, empty = fs_replies.parse_xml_list(XML)
    assert first == {
        "name": "1234", "member-count": 1, "rate": 8000, "running": True, "locked": False,
        "variables": {"acct_id": "abc", "empty": "", "n": "42"},
        "members": [{"type": "caller", "id": 9, "uuid": "42", "caller_id_name": "007",
                     "caller_id_number": "1003", "record_path": "1", "name": "2",
                     "energy": -100, "nothing": "", "flags": {"talking": True},
                     "join_time": 1795261923, "note": "text", "bare": "",
                     "group": {"kind": "y", "talking": False}},
                    {"type": "5", "id": 10}]}
    assert empty == {"name": "empty", "member-count": 0}
