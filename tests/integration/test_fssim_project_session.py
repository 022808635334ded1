"""round4/project_session replayed: the product (crossbar + ecallmgr in-process, on
their defaults) is driven through the recorded API scenario against the simulated
round-4 switch, behind a recording proxy. Each of its ESL connections must send the
recorded commands (modulo ids, uuids, the media link and the recordings directory),
and the simulator must answer each as the real switch did. Where the product should
send something else, EXPECTED_DIFFERENCES says what and why; anything else fails."""
import dataclasses
import json
import re

import gevent
import pytest

from kzcore.esl.frames import FrameParser
from tests.integration.test_fssim_replay import normal_body
from tests.support.paths import fs_fixture
from tests.support.project_session import Api, normalise, run_scenario, start_product
from tests.support.waiting import wait_for as _wait

RECORDED = "round4/project_session"
ROLES = {"conn-001": "event json ", "conn-002": "event plain BACKGROUND_JOB",
         "conn-003": "event plain BACKGROUND_JOB CHANNEL_ANSWER"}


@dataclasses.dataclass(frozen=True)
class ExpectedDifference:
    recorded: str   # a recorded command, normalised (regex)
    sent: str       # what the product sends instead, normalised (regex)
    reply: str      # the switch's reply to that command, normalised (regex)
    reason: str


EXPECTED_DIFFERENCES = [
    ExpectedDifference(
        recorded=r"api conference <id>_<id> play http://<crossbar>/v2/live_media/<token>/media\.wav",
        sent=r"api conference <id>_<id> play http_cache://http://<crossbar>/v2/live_media/"
             r"<token>/media\.wav",
        reply=r"\+OK \(play\) Playing file http_cache://http://<crossbar>/v2/live_media/"
              r"<token>/media\.wav\n",
        reason="the recorded product sent a bare http:// media link, which the real switch "
               "refused (-ERR ... not found: a bare URL needs mod_httapi, which neither the "
               "switch nor fs_conf loads); the product is to send http_cache:// (issue 10), "
               "which the simulator fetches from crossbar and plays"),
    ExpectedDifference(
        recorded=r"event json BACKGROUND_JOB CHANNEL_CREATE CHANNEL_ANSWER CHANNEL_HANGUP_COMPLETE "
                 r"CUSTOM conference::maintenance",
        sent=r"event json BACKGROUND_JOB CHANNEL_CREATE CHANNEL_ANSWER CHANNEL_HANGUP_COMPLETE "
             r"RECORD_START RECORD_STOP CUSTOM conference::maintenance",
        reply=r"\+OK event listener enabled json",
        reason="since the recording, ecallmgr publishes each participant's own recording "
               "(uuid_record: RECORD_START / RECORD_STOP channel events, round4 "
               "uuid_record_*, issue 13); CUSTOM still comes last"),
    ExpectedDifference(
        recorded=r"event plain BACKGROUND_JOB CHANNEL_ANSWER CHANNEL_HANGUP_COMPLETE "
                 r"CUSTOM conference::maintenance",
        sent=r"event plain BACKGROUND_JOB CHANNEL_ANSWER CHANNEL_HANGUP_COMPLETE RECORD_STOP "
             r"CUSTOM conference::maintenance",
        reply=r"\+OK event listener enabled plain",
        reason="since the recording, crossbar's watch sees a participant's recording end "
               "(RECORD_STOP, round4 uuid_record_stop) to close its track (issue 13)"),
]


@dataclasses.dataclass(frozen=True)
class ExpectedExtra:
    role: str       # the connection (ROLES)
    sent: str       # a command the product sends that the recording lacks, normalised (regex)
    reply: str      # the switch's reply to it (Reply-Text or body), normalised (regex)
    reason: str


DYNAMIC_CLEANUP = ("since the recording, dynamic conferences are removed when their room "
                   "ends (crossbar/live/dynamic_rooms.py, issue 10 item 7): ")
FOCUS = "since the recording, one room may run on several nodes (issue 18): "
ROOM_CACHE = ("since the recording, crossbar remembers the one node a room runs on and "
              "forgets it when the room is created or destroyed anywhere (crossbar/live/"
              "room_cache.py, issue 16): ")
CONFIRMED_START = ("since the recording, a recording start counts only once the switch "
                   "confirmed it: `recording start` answers +OK even when the file cannot be "
                   "opened, only the start-recording event's Error says so (round4 "
                   "recording_start_unwritable, issue 10 item 2): ")
EXPECTED_EXTRAS = [
    ExpectedExtra(
        role="conn-003", sent=r"filter Event-Name RECORD_STOP",
        reply=r"\+OK filter added\. \[Event-Name\]=\[RECORD_STOP\]",
        reason="since the recording, crossbar's watch takes RECORD_STOP events (a "
               "participant's track ends when its uuid_record stops or the call hangs up, "
               "issue 13)"),
    ExpectedExtra(
        role="conn-003", sent=r"filter Action conference-destroy",
        reply=r"\+OK filter added\. \[Action\]=\[conference-destroy\]",
        reason=DYNAMIC_CLEANUP + "crossbar's watch connection passes each conference-destroy "
               "on (DialWatcher.on_room_ended)"),
    ExpectedExtra(
        role="conn-003", sent=r"filter Action conference-create",
        reply=r"\+OK filter added\. \[Action\]=\[conference-create\]",
        reason=ROOM_CACHE + "crossbar's watch connection takes conference-create events"),
    ExpectedExtra(
        role="conn-003", sent=r"filter Action start-recording",
        reply=r"\+OK filter added\. \[Action\]=\[start-recording\]",
        reason=CONFIRMED_START + "crossbar's watch connection takes start-recording events"),
    ExpectedExtra(
        role="conn-003", sent=r"filter Action rejected-join-only",
        reply=r"\+OK filter added\. \[Action\]=\[rejected-join-only\]",
        reason="since the recording, a join_existing (join-only) leg the switch refuses is "
               "reported as refused: the switch answers it, then emits rejected-join-only "
               "(round4 join_only_into_missing_room, issue 10 item 5)"),
    ExpectedExtra(
        role="conn-002", sent=r"api conference <id>_<id> list count",
        reply=r"-ERR Conference <id>_<id> not found\n",
        reason=DYNAMIC_CLEANUP + "after its grace period the cleanup asks every node whether "
               "the dynamic room still runs (LiveConferences.where) before removing its "
               "document; it runs at the end of the session only when that is slow"),
    ExpectedExtra(
        role="conn-002", sent=r"api sofia status gateway",
        reply=r"(?s)\s+Profile::Gateway-Name.*\n0 gateways: Inbound\(Failed/Total\): 0/0,"
              r"Outbound\(Failed/Total\):0/0\n",
        reason="since the recording, crossbar brings a node that (re)connects in line with the "
               "carriers' gateways (crossbar/resources/sync.py): it lists the node's gateways "
               "first, and with no resource there is nothing to kill or rescan (issue 15)"),
    ExpectedExtra(
        role="conn-002", sent=r"api uuid_exists <uuid>", reply=r"false",
        reason=DYNAMIC_CLEANUP + "and whether a call its dial placed is still alive"),
    ExpectedExtra(
        role="conn-002", sent=r"api conference <id>_<id> list count", reply=r"\d+\n?",
        reason=FOCUS + "a member or room command whose room crossbar does not remember on "
               "one node (crossbar/live/room_cache.py) first asks every node where it runs "
               "(LiveConferences.where): a room may run on two nodes, and a member id alone "
               "could reach the wrong member (crossbar/live/split.py)"),
    ExpectedExtra(
        role="conn-002", sent=r"api uuid_dump <uuid>", reply=r"(?s)Event-Name: CHANNEL_DATA\n.*",
        reason=FOCUS + "a read lists a dialled member (json_list: \"Outbound Call\") with the "
               "identity its events carry, read once from its channel (crossbar/live/"
               "identities.py; round3 api_uuid_dump_member_user_1000)"),
]


@dataclasses.dataclass(frozen=True)
class ExpectedOmission:
    role: str       # the connection (ROLES)
    recorded: str   # a recorded command the product no longer sends, normalised (regex)
    reason: str


EXPECTED_OMISSIONS = [
    ExpectedOmission(
        role="conn-002", recorded=r"api conference <id>_<id> json_list",
        reason=FOCUS + "a read asks every node at once, once; the recorded product asked the "
               "node it remembered first, then every node, so the read of the room that "
               "ended (after hupall) was two json_list, now one"),
]


# (Event-Name, Action) -> (how many the session shows, why the recording has none)
EXPECTED_EXTRA_EVENTS = {
    ("CUSTOM", "conference-destroy"): (
        2, DYNAMIC_CLEANUP + "the watch's conference-destroy filter lets through one per "
           "room that ended: the scenario's room (hupall) and the dynamic room (the final "
           "hupall)"),
    ("CUSTOM", "conference-create"): (
        2, ROOM_CACHE + "the watch's conference-create filter lets through one per room "
           "started: the scenario's room and the dynamic room"),
    ("CUSTOM", "start-recording"): (
        1, CONFIRMED_START + "the watch's start-recording filter lets through the one the "
           "scenario's record start caused, which confirmed it"),
}


def recorded_connection(name):
    commands = [b for b in fs_fixture(f"{RECORDED}/{name}.tx.esl").decode().split("\n\n") if b]
    frames = FrameParser().feed(fs_fixture(f"{RECORDED}/{name}.rx.esl"))
    replies = [f for f in frames if f.content_type in ("command/reply", "api/response")]
    events = [f for f in frames if f.content_type.startswith("text/event-")]
    return commands, replies, events


def comparable_reply(frame, root):
    headers = {k: normalise(v, root) for k, v in frame.headers.items() if k != "Content-Length"}
    return json.dumps(headers, sort_keys=True), normalise(normal_body(frame.text()), root)


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("project-session")
    product, admin = start_product(tmp)
    product.account_id = admin["account_id"]
    try:
        conference_id, members, status = run_scenario(Api(product, admin), product, _wait)
        _wait(lambda: any(c.get("member_count") for c in product.sim.json_list()))
        product.sim.api("hupall")  # the recording ends with the switch hanging up 9004
        _wait(lambda: product.sim.json_list() == [])
        gevent.sleep(0.3)
    finally:
        product.stop()
    by_role = {}
    for connection in product.proxy.connections:
        commands = connection.commands()
        role = next((name for name, start in sorted(ROLES.items(), key=lambda r: -len(r[1]))
                     if len(commands) > 1 and commands[1].startswith(start)), None)
        assert role is not None and role not in by_role, f"unexpected connection {commands[:2]}"
        by_role[role] = connection
    return by_role, status, str(tmp / "recordings"), members


def test_the_scenario_ran_as_recorded(session):
    _, status, _, members = session
    assert members == ["60", "61", "62"] or members == [60, 61, 62]
    expected = {"claim far-end numbers": 201, "create": 201, "lock while not running": 409, "dial": 200, "read": 200,
                "participants": 200, "mute": 202, "unmute": 202, "deaf": 202, "undeaf": 202,
                "lock": 202, "read locked": 200, "unlock": 202, "bulk mute": 202,
                "bulk unmute": 202, "play tts": 202, "record start": 202, "record stop": 202,
                "relate": 202, "mute unknown member": 404, "kick": 202, "dial dynamic": 200}
    assert {k: v for k, v in status.items() if k in expected} == expected
    # a bare http:// link is refused (422, as recorded); an http_cache:// one plays (202)
    assert status["play media"] in (202, 422)


def reply_text(frame, root):
    return normalise(frame.headers.get("Reply-Text") or frame.text(), root)


def align(role, recorded, sent):
    """``[(recorded index | None, sent index)]`` in order: a sent command is paired with
    the next recorded one when they are equal (normalised) or an expected difference,
    is an expected extra (None), or is paired anyway (then it is a difference); every
    recorded command left over is paired with None."""
    pairs, at = [], 0
    for index, have in enumerate(sent):
        want = recorded[at] if at < len(recorded) else None
        if want is not None and _omitted(role, recorded, at, have):
            pairs.append((at, None))
            at += 1
            want = recorded[at]
        if want is not None and (want == have or _difference_for(want, have)):
            pairs.append((at, index))
            at += 1
        elif _extra_for(role, have) is not None:
            pairs.append((None, index))
        else:
            pairs.append((at if want is not None else None, index))
            at += want is not None
    return pairs + [(left, None) for left in range(at, len(recorded))]


@pytest.mark.parametrize("name", sorted(ROLES))
def test_commands_and_replies_match_recording(session, name):
    by_role, _, root, _ = session
    commands, replies, _ = recorded_connection(name)
    sent, got = by_role[name].commands(), by_role[name].replies()
    wanted, had = [normalise(c) for c in commands], [normalise(c, root) for c in sent]
    differences = []
    pairs = align(name, wanted, had)
    for at, index in pairs:
        reply = comparable_reply(got[index], root) if index is not None and index < len(got) \
            else None
        if index is None:
            if not (at + 1 < len(wanted) and (at + 1, None) not in pairs
                    and any(o.role == name and re.fullmatch(o.recorded, wanted[at])
                            for o in EXPECTED_OMISSIONS)):
                differences.append(f"recorded #{at} `{wanted[at]}` was never sent")
        elif at is None:
            differences += _extra_reply(name, had[index], got[index] if index < len(got)
                                        else None, root)
        elif wanted[at] != had[index]:
            differences += _unexpected(index, wanted[at], had[index], reply)
        elif at < len(replies) and reply != comparable_reply(replies[at], None):
            differences.append(f"#{index} `{wanted[at]}`: recorded reply "
                               f"{comparable_reply(replies[at], None)!r}, simulator {reply!r}")
    assert differences == [], "\n".join(differences)


def _omitted(role, recorded, at, have):
    """The recorded command at ``at`` is an expected omission and the product went on
    with the next recorded one (``have``)."""
    return (at + 1 < len(recorded) and recorded[at] != have and recorded[at + 1] == have
            and any(o.role == role and re.fullmatch(o.recorded, recorded[at])
                    for o in EXPECTED_OMISSIONS))


def _difference_for(want, have):
    return any(re.fullmatch(e.recorded, want) and re.fullmatch(e.sent, have)
               for e in EXPECTED_DIFFERENCES)


def _extra_for(role, have):
    return next((e for e in EXPECTED_EXTRAS if e.role == role and re.fullmatch(e.sent, have)),
                None)


def _extra_reply(role, have, frame, root):
    """An extra passes when one of the extras naming its command names its reply too."""
    expected = _extra_for(role, have)
    text = None if frame is None else reply_text(frame, root)
    if expected is None:
        return [f"`{have}` sent after every recorded command: reply {text!r}"]
    if text is not None and any(e.role == role and re.fullmatch(e.sent, have)
                                and re.fullmatch(e.reply, text) for e in EXPECTED_EXTRAS):
        return []
    return [f"`{have}` (expected extra: {expected.reason}): reply {text!r}"]


def _unexpected(index, want, have, reply):
    for expected in EXPECTED_DIFFERENCES:
        if re.fullmatch(expected.recorded, want) and re.fullmatch(expected.sent, have):
            # the reply's body, or for a command/reply (no body) its Reply-Text
            text = None if reply is None else \
                (reply[1] or json.loads(reply[0]).get("Reply-Text", ""))
            if text is None or not re.fullmatch(expected.reply, text):
                return [f"#{index} `{have}` (expected difference: {expected.reason}): "
                        f"reply {reply!r}"]
            return []
    return [f"#{index}: recorded `{want}`, sent `{have}`"]


def _watched(frames):
    out = []
    for frame in frames:
        text = frame.text()
        values = dict(line.split(": ", 1) for line in text.split("\n\n")[0].split("\n") if line)
        out.append((values.get("Event-Name"), values.get("Action"), values.get("Member-ID"),
                    re.sub(r"%2F|/", "/", values.get("Channel-Name", ""))))
    return sorted(out, key=str)


def split_extra_events(watched):
    """(the events the recording has too, {(Event-Name, Action): count} of the extras)."""
    kept, extra = [], {}
    for event in watched:
        if event[:2] in EXPECTED_EXTRA_EVENTS:
            extra[event[:2]] = extra.get(event[:2], 0) + 1
        else:
            kept.append(event)
    return kept, extra


def test_the_watch_connection_saw_the_recorded_events(session):
    """conn-003 (crossbar's filtered event watch): the same events, as a multiset
    (thread order differs: see the round-4 replay's gaps), and the events its newer
    filters let through (EXPECTED_EXTRA_EVENTS), exactly as many as expected."""
    by_role, _, _, _ = session
    _, _, recorded = recorded_connection("conn-003")
    kept, extra = split_extra_events(_watched(by_role["conn-003"].events()))
    assert kept == _watched(recorded)
    assert extra == {kind: count for kind, (count, _) in EXPECTED_EXTRA_EVENTS.items()}


def test_expected_extras_accept_only_what_they_name():
    """An extra command passes only on its own connection, with the reply the switch
    gives it; a recorded command that was never sent, or any other command, fails."""
    recorded = ["auth ClueCon", "filter Action add-member"]
    extra = "filter Action conference-destroy"
    assert align("conn-003", recorded, recorded + [extra]) == [(0, 0), (1, 1), (None, 2)]
    assert align("conn-003", recorded, [recorded[0], extra, recorded[1]]) == \
        [(0, 0), (None, 1), (1, 2)]
    assert align("conn-002", recorded, recorded + [extra]) == [(0, 0), (1, 1), (None, 2)] \
        and _extra_for("conn-002", extra) is None  # not an extra there: reported
    assert align("conn-003", recorded, [recorded[0]]) == [(0, 0), (1, None)]
    assert align("conn-003", recorded, [recorded[0], "filter Action del-member"]) == \
        [(0, 0), (1, 1)]
    ok = FrameParser().feed(b"Content-Type: command/reply\nReply-Text: +OK filter added. "
                            b"[Action]=[conference-destroy]\n\n")[0]
    refused = FrameParser().feed(b"Content-Type: command/reply\nReply-Text: -ERR invalid\n\n")[0]
    assert _extra_reply("conn-003", extra, ok, None) == []
    assert _extra_reply("conn-003", extra, refused, None)
    assert _extra_reply("conn-003", extra, None, None)
    kept, counted = split_extra_events([("CUSTOM", "conference-destroy", None, ""),
                                        ("CUSTOM", "add-member", "7", "")])
    assert kept == [("CUSTOM", "add-member", "7", "")]
    assert counted == {("CUSTOM", "conference-destroy"): 1}


def test_expected_omissions_accept_only_what_they_name():
    """A recorded json_list may be missing on conn-002 when the product goes on with the
    next recorded command; elsewhere, or for another command, it is a difference."""
    read, dial = "api conference <id>_<id> json_list", "api conference <id>_<id> bgdial x"
    assert align("conn-002", [read, read, dial], [read, dial]) == [(0, 0), (1, None), (2, 1)]
    assert align("conn-003", [read, read, dial], [read, dial]) == [(0, 0), (1, 1), (2, None)]
    lock = "api conference <id>_<id> lock"
    assert align("conn-002", [lock, dial], [dial]) == [(0, 0), (1, None)]


def test_expected_differences_accept_only_what_they_name():
    """The http_cache:// media link (once the product sends it) passes only with the
    reply the switch gives it; any other command or reply is still a difference."""
    recorded = "api conference <id>_<id> play http://<crossbar>/v2/live_media/<token>/media.wav"
    cached = recorded.replace("play http://", "play http_cache://http://")
    played = "+OK (play) Playing file " + cached.split(" play ")[1] + "\n"
    assert _unexpected(7, recorded, cached, ("{}", played)) == []
    assert _unexpected(7, recorded, cached, ("{}", "-ERR (play) File: x not found.\n"))
    assert _unexpected(7, recorded, recorded.replace("media.wav", "other.wav"), ("{}", played))
    assert _unexpected(7, recorded.replace(" play ", " say "), cached, ("{}", played))
