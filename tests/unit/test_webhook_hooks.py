"""The hook table on REAL FreeSWITCH events (fixtures) as ecallmgr publishes
them: which webhook events each makes, and why participants left and rooms ended."""
import pytest

from ecallmgr.normalize import normalize
from kzcore.esl.frames import FrameParser, parse_event
from tests.support.paths import fs_fixture
from webhooks import hooks

ACCOUNT = "9d351ad7ffd6f846313af9eed3bb7b85"


def published(name):
    """ecallmgr's payloads for the recording's conference::maintenance events."""
    payloads = []
    for n, frame in enumerate(FrameParser().feed(fs_fixture(name))):
        event = parse_event(frame)
        if not event or event.get("Event-Subclass") != "conference::maintenance":
            continue
        event["Conference-Name"] = f"{ACCOUNT}_{event['Conference-Name']}"
        result = normalize(event, node="ecallmgr@test", focus="freeswitch@vm", msg_id=f"m{n}")
        if result:
            payloads.append(result[1])
    return payloads


def hook_events(names, memory=None):
    memory = memory or hooks.RoomMemory()
    out = []
    for name in names:
        for payload in published(name):
            out += [(payload["conference_id"], e.name, e.extras)
                    for e in hooks.hook_events(payload, memory)]
    return out


def test_the_recorded_room_scenario():
    events = hook_events(["room1_scenario.plain.esl"])
    names = [name for _room, name, _extras in events]
    assert names.count("participant.joined") == names.count("participant.left") == 5
    assert names[0] == "conference.started" and names[-1] == "conference.ended"
    assert {"participant.muted", "participant.unmuted", "participant.deaf",
            "participant.undeaf", "recording.started", "recording.stopped"} <= set(names)
    assert "recording.ready" not in names        # not a file crossbar named (room1.wav)
    reasons = [extras["reason"] for _r, name, extras in events if name == "participant.left"]
    assert reasons.count("kicked") == 2 and reasons.count("hangup") == 2
    assert reasons.count("hung_up_by_moderator") == 1
    assert set(names) <= set(hooks.EVENT_NAMES)


def test_a_recording_freeswitch_could_not_open_is_a_failed_recording():
    events = hook_events(["round4/recording_start_unwritable.events.json.esl"])
    assert events == [("r4room", "recording.failed",
                       {"reason": "File could not be opened for recording"}),
                      ("r4room", "recording.stopped", {})]


def test_hold_unhold_and_a_move_to_another_room():
    events = hook_events(["round4/hold_member_moh.events.json.esl",
                          "round4/unhold_member.events.json.esl",
                          "round4/transfer_to_other_room.events.json.esl"])
    assert events == [("r4room", "participant.held", {}), ("r4room", "participant.unheld", {}),
                      ("r4room", "participant.moved", {}),
                      ("r4room", "participant.left", {"reason": "moved"}),
                      ("r4other", "participant.joined", {})]


def test_kick_all_ends_the_room_with_the_kicked_reason():
    events = hook_events(["round4/kick_all.events.json.esl"])
    assert [extras.get("reason") for _r, name, extras in events
            if name == "participant.left"] == ["kicked"] * 3
    assert events[-1] == ("r4room", "conference.ended", {"end_reason": "participants_kicked"})


def test_hup_member_leaves_as_hung_up_by_the_moderator():
    events = hook_events(["round4/hup_member.events.json.esl"])
    assert events == [("r4room", "participant.left", {"reason": "hung_up_by_moderator"})]


def payload(action, **fields):
    return {"event": action, "account_id": ACCOUNT, "conference_id": "c1", **fields}


def test_a_room_emptied_by_hangups_ends_as_last_participant_left():
    memory = hooks.RoomMemory()
    for action in ("kick-member", "del-member"):
        hooks.hook_events(payload(action, call_id="a"), memory)
    hooks.hook_events(payload("del-member", call_id="b"), memory)     # b hung up last
    [ended] = hooks.hook_events(payload("conference-destroy"), memory)
    assert ended.extras == {"end_reason": "last_participant_left"}


def test_a_recording_is_ready_when_crossbar_named_it_and_it_is_not_empty():
    rec = "0123456789abcdef0123456789abcdef"
    events = hooks.hook_events(payload("recording-stopped", recording_id=rec, name=f"{rec}.wav",
                                       record_file_size=9000), hooks.RoomMemory())
    assert [(e.name, e.extras) for e in events] == [
        ("recording.stopped", {}),
        ("recording.ready", {"recording_id": rec, "download_url":
                             f"/v2/accounts/{ACCOUNT}/conferences/c1/recordings/{rec}/raw"})]
    empty = hooks.hook_events(payload("recording-stopped", recording_id=rec, record_file_size=0),
                              hooks.RoomMemory())
    assert [e.name for e in empty] == ["recording.stopped"]
    foreign = hooks.hook_events(payload("recording-stopped", recording_id="room1",
                                        record_file_size=9000), hooks.RoomMemory())
    assert [e.name for e in foreign] == ["recording.stopped"]


@pytest.mark.parametrize("hook,name,wanted", [
    ("all", "participant.joined", True), ("participant", "participant.joined", True),
    ("conference", "participant.joined", False), ("recording", "recording.ready", True),
    ("transcript", "conference.ended", False), ("transcript", "transcript.ready", True)])
def test_subscription_by_hook(hook, name, wanted):
    assert hooks.subscribed(hook, name) is wanted


def test_document_events_and_unknown_or_foreign_payloads():
    memory = hooks.RoomMemory()
    assert [e.name for e in hooks.hook_events(payload("doc_created"), memory)] == \
        ["conference.created"]
    assert hooks.hook_events(payload("start-talking", call_id="a"), memory) == []
    assert hooks.hook_events({"event": "add-member", "conference_id": "c1"}, memory) == []
    assert hooks.hook_events({"nothing": True}, memory) == []


@pytest.mark.parametrize("action, name", [
    ("transcript-ready", "transcript.ready"), ("transcript-failed", "transcript.failed"),
    ("transcript-deleted", "transcript.deleted")])
def test_every_transcript_event_crossbar_and_the_worker_publish_reaches_the_transcript_hook(
        action, name):
    made = hooks.hook_events(payload(action, transcript_id="t1", reason="requested"),
                             hooks.RoomMemory())
    assert [e.name for e in made] == [name] and name in hooks.EVENT_NAMES
    assert hooks.subscribed("transcript", name) and hooks.subscribed("all", name)
    assert not hooks.subscribed("recording", name)
