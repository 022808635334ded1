"""fs_replies against the recorded FreeSWITCH replies themselves."""
import pytest

from kzcore import fs_replies
from kzcore.errors import SwitchRefused
from kzcore.esl.frames import FrameParser
from tests.support.paths import FS_FIXTURES, fs_fixture


def reply_body(name):
    frames = FrameParser().feed(fs_fixture(name))
    assert len(frames) == 1 and frames[0].content_type == "api/response", name
    return frames[0].body


def control_replies(base):
    """[(command without 'api ', reply body)] for every api command of a recorded control session."""
    commands = [c for c in fs_fixture(base + ".control.tx.esl").decode().split("\n\n") if c]
    frames = [f for f in FrameParser().feed(fs_fixture(base + ".control.rx.esl"))
              if f.content_type in ("command/reply", "api/response")]
    assert len(commands) == len(frames)
    return [(c[4:], f.body) for c, f in zip(commands, frames) if c.startswith("api ")]


SESSIONS = ["room1_scenario", "round2/member_ops", "round2/verbose", "round2/bgdial", "round3/bgdial"]


def scenario_reply(command, occurrence=0):
    found = [body for base in SESSIONS for cmd, body in control_replies(base) if cmd == command]
    return found[occurrence]


@pytest.mark.parametrize("name, command, ok", [
    ("api_conference_room1_lock.esl", "conference room1 lock", True),
    ("api_conference_room1_unlock.esl", "conference room1 unlock", True),
    ("api_conference_room1_mute_9999.esl", "conference room1 mute 9999", False),
    ("api_conference_room1_kick_9999.esl", "conference room1 kick 9999", False),
    ("api_conference_room1_energy_noargs.esl", "conference room1 energy", False),
    ("api_conference_room1_nosubcommand.esl", "conference room1", False),
    ("api_conference_room1_badsubcommand.esl", "conference room1 frobnicate", False),
    ("api_conference_room1_getvar_unset.esl", "conference room1 getvar acct_id", False),
    ("round2/api_conference_room1_getvar_acct_id.esl", "conference room1 getvar acct_id", True),
    ("api_conference_room1_mute_all.esl", "conference room1 mute all", True),
    ("api_conference_room1_unmute_all.esl", "conference room1 unmute all", True),
    ("api_conference_room5_recording_stop_all.esl", "conference room5 recording stop all", True),
    ("round2/api_conference_room1_recording_stop.esl", "conference room1 recording stop /x.wav", True),
    ("round2/api_conference_room1_recording_pause_unknown.esl", "conference room1 recording pause /x.wav", False),
    ("api_conference_room5_recording_check.esl", "conference room5 recording check", True),
    ("api_conference_dial_fail.esl", "conference room3 dial loopback/nosuchext/default 1009 Nobody", False),
    ("api_conference_bgdial_nonexistent_conf.esl", "conference room9 bgdial loopback/x/default", True),
    ("api_conference_room1_count.esl", "conference room1 count", True),
    ("api_conference_room1_relate_list_empty.esl", "conference room1 relate", True),
    ("round2/api_conference_room1_transfer.esl", "conference room1 transfer room2 23", True),
    ("round2/api_conference_room1_transfer_9999.esl", "conference room1 transfer room2 9999", False),
    ("round2/api_conference_room1_hold_9999.esl", "conference room1 hold 9999", False),
    ("round2/api_conference_room1_stop_current_member_nothing.esl", "conference room1 stop current 15", True),
    ("round2/api_conference_room1_setvar.esl", "conference room1 setvar acct_id abc123", True),
    ("api_unknown_command.esl", "nosuchcommand foo", False),
    ("api_idle_conference_list.esl", "conference list", True),
    ("api_conference_nosuchroom_list.esl", "conference nosuchroom list", False),
])
def test_single_replies(name, command, ok):
    body = reply_body(name)
    reply = fs_replies.classify(body, command)
    assert reply.ok is ok, (name, reply)
    if ok:
        assert fs_replies.check(body, command) == body.decode().strip()
    else:
        with pytest.raises(SwitchRefused) as raised:
            fs_replies.check(body, command)
        assert raised.value.message and raised.value.message in body.decode()


@pytest.mark.parametrize("command, occurrence, ok", [
    ("conference room1 relate", 0, False),            # "-ERR no reply"
    ("conference room1 relate 1", 0, True),           # lists the relationship, no +OK
    ("conference room1 relate 1 3 nospeak", 0, True),
    ("conference room1 relate 1 3 clear", 1, True),
    ("conference room1 recording stop /opt/switch/rec/room1.wav", 0, True),
    ("conference room1 recording stop /opt/switch/rec/room1.wav", 1, False),  # -ERR then +OK
    ("conference room1 energy 1", 0, True),           # "Energy 1 = 100"
    ("conference room1 energy 1 300", 0, True),
    ("conference room1 volume_in", 0, False),         # usage text without -ERR
    ("conference room1 volume_out 1 -1", 0, True),
    ("conference room1 floor 2", 0, False),
    ("conference room2 dial loopback/talk_steady/default 1002 Bob", 0, True),
    ("conference room1 getvar acct_id", 1, True),
    ("conference room1 list", 0, True),
    ("conference room1 list", 2, False),              # after hupall: not found
    ("conference room10 kick 1", 0, True),
])
def test_scenario_replies(command, occurrence, ok):
    assert fs_replies.classify(scenario_reply(command, occurrence), command).ok is ok


def test_every_err_reply_in_the_sessions_is_refused_and_every_plain_ok_accepted():
    seen = 0
    for base in SESSIONS:
        for command, body in control_replies(base):
            text = body.decode()
            if "-ERR" in text:
                assert not fs_replies.classify(body, command).ok, command
                seen += 1
            elif text.startswith("+OK") and ("Call Requested" not in text or "[SUCCESS]" in text):
                assert fs_replies.classify(body, command).ok, command
                seen += 1
    assert seen > 50


def test_an_action_command_answered_without_ok_is_refused():
    listing = scenario_reply("conference room1 relate 1")
    assert fs_replies.classify(listing).ok
    assert not fs_replies.classify(listing, "conference room1 mute 1").ok


def test_multi_line_replies_keep_every_line():
    assert fs_replies.check(reply_body("api_conference_room1_mute_all.esl")).split("\n") == [
        line for line in reply_body("api_conference_room1_mute_all.esl").decode().split("\n") if line]
    refused = fs_replies.classify(reply_body("round2/api_conference_room1_recording_pause_unknown.esl"))
    assert refused.text.startswith("-ERR non-existant recording") and "+OK" not in refused.text


def test_conference_not_found():
    assert fs_replies.is_conference_not_found(reply_body("api_conference_nosuchroom_list.esl"))
    assert fs_replies.is_conference_not_found(reply_body("api_conference_nosuchroom_json_list.esl"))
    assert not fs_replies.is_conference_not_found(reply_body("api_conference_room1_mute_9999.esl"))


def single_frame_files(pattern):
    names = sorted(str(p.relative_to(FS_FIXTURES)) for p in FS_FIXTURES.rglob(pattern))
    return [n for n in names if ".rx." not in n and ".tx." not in n]


@pytest.mark.parametrize("name", single_frame_files("api_*json_list*.esl"))
def test_every_json_list_fixture(name):
    conferences = fs_replies.parse_json_list(reply_body(name))
    for conference in conferences:
        callers = [m for m in conference["members"] if m["type"] != "recording_node"]
        assert len(callers) == conference["member_count"]
        for member in callers:
            assert isinstance(member["id"], int) and "flags" in member and "output-volume" in member


def test_json_list_recording_node_and_special_answers():
    room5 = fs_replies.parse_json_list(reply_body("api_conference_room5_json_list_while_recording.esl"))
    node = [m for m in room5[0]["members"] if m["type"] == "recording_node"]
    assert node and "id" not in node[0] and "flags" not in node[0] and node[0]["record_path"].endswith(".wav")
    assert fs_replies.parse_json_list(reply_body("api_idle_conference_json_list.esl")) == []
    assert fs_replies.parse_json_list(reply_body("api_conference_nosuchroom_json_list.esl")) == []
    with pytest.raises(SwitchRefused):
        fs_replies.parse_json_list(reply_body("api_conference_room1_badsubcommand.esl"))


@pytest.mark.parametrize("name", [n for n in single_frame_files("api_*list*.esl")
                                  if not any(w in n for w in ("json", "xml", "count", "relate"))])
def test_every_plain_list_fixture(name):
    delim = "|" if "delim" in name else ";"
    conferences = fs_replies.parse_list(reply_body(name), delim=delim)
    for conference in conferences:
        if conference["conference_name"] is not None and "summary" not in name:
            assert len(conference["members"]) == conference["member_count"]
            assert conference["locked"] == ("locked" in conference["flags"])
        for member in conference["members"]:
            assert member["id"] >= 1 and len(member["uuid"]) == 36 and member["flags"]


def test_plain_list_formats_agree_with_each_other_and_with_json():
    plain = fs_replies.parse_list(reply_body("api_conference_room1_list.esl"))
    delim = fs_replies.parse_list(reply_body("api_conference_room1_list_delim.esl"), delim="|")
    assert plain == delim
    json_members = fs_replies.parse_json_list(reply_body("api_conference_room1_json_list.esl"))[0]["members"]
    assert [(m["id"], m["uuid"]) for m in plain[0]["members"]] == [(m["id"], m["uuid"]) for m in json_members]
    locked = fs_replies.parse_list(reply_body("api_conference_list_while_locked.esl"))
    assert locked[0]["locked"] and not fs_replies.parse_list(reply_body("api_conference_list.esl"))[0]["locked"]
    assert fs_replies.parse_list(reply_body("api_idle_conference_list.esl")) == []
    assert fs_replies.parse_list(reply_body("api_conference_nosuchroom_list.esl")) == []


@pytest.mark.parametrize("xml_name, json_name", [
    ("api_conference_room1_xml_list.esl", "api_conference_room1_json_list.esl"),
    ("api_conference_room5_xml_list_while_recording.esl", "api_conference_room5_json_list_while_recording.esl"),
    ("api_idle_conference_xml_list.esl", "api_idle_conference_json_list.esl"),
])
def test_xml_list_matches_json_list(xml_name, json_name):
    from_xml = fs_replies.parse_xml_list(reply_body(xml_name))
    from_json = fs_replies.parse_json_list(reply_body(json_name))
    assert len(from_xml) == len(from_json)
    for xml_conf, json_conf in zip(from_xml, from_json):
        assert xml_conf["name"] == json_conf["conference_name"]
        assert xml_conf["member-count"] == json_conf["member_count"]
        pick = lambda m: (m["type"], m.get("id"), m.get("uuid"), m.get("caller_id_name"), m.get("record_path"))
        assert [pick(m) for m in xml_conf["members"]] == [pick(m) for m in json_conf["members"]]
