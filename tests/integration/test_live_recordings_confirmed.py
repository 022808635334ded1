"""A recording counts only once the switch confirmed it: ``recording start`` answers
``+OK Record file ...`` even when the file cannot be opened (round4
recording_start_unwritable). Against the simulator over TCP: the start-recording
event's ``Error`` (or, without crossbar's event connection, ``recording check``)
makes the API answer 422 with the switch's words, naming the file but not where it
lives, and leaves no recording document and no guard."""
import json

import pytest

from crossbar.live import recordings
from kzcore.naming import account_db
from tests.integration.test_live_recordings_facts import (action, recording_nodes, running_room,
                                                           without_events)
from tests.integration.test_live_support import rig  # noqa: F401 (fixture)

pytestmark = pytest.mark.timeout(60)


def switch_cannot_write(rig, tmp_path):
    """The switch's recordings land under a regular file: it cannot make their directory."""
    blocker = tmp_path / "switch-disk-full"
    blocker.write_text("")
    rig.sims[0].core.recorder.recordings_dir = str(blocker)


def assert_nothing_recording(rig, conference_id, room):
    listed = rig.call("GET", rig.alpha, conference_id, "/recordings").get_json()["data"]
    assert listed == []
    db = account_db(rig.alpha.account_id)
    assert rig.api.store.get_or_none(db, recordings.guard_id(conference_id)) is None
    assert not recording_nodes(rig, rig.sims[0], room)
    live = rig.call("GET", rig.alpha, conference_id).get_json()["data"]["_read_only"]
    assert live["is_recording"] is False


def test_a_start_the_switch_could_not_open_is_a_422_and_nothing_is_recording(rig, tmp_path):
    conference_id, room = running_room(rig)
    switch_cannot_write(rig, tmp_path)
    mark = len(rig.sims[0].command_log)
    reply = action(rig, conference_id, {"action": "start"})
    assert reply.status_code == 422, reply.get_json()
    body = reply.get_json()
    assert body["message"].startswith("File could not be opened for recording: ")
    assert body["message"].endswith(".wav") and "/" not in body["message"]
    assert rig.config.recordings_dir not in json.dumps(body)
    assert body["data"]["event"] == "start-recording"
    assert [c for c in rig.sims[0].command_log[mark:] if " recording " in c] == [
        c for c in rig.sims[0].command_log[mark:] if " recording start " in c]  # the event decided
    assert_nothing_recording(rig, conference_id, room)
    rig.sims[0].core.recorder.recordings_dir = None     # the switch can write again
    again = action(rig, conference_id, {"action": "start"})
    assert again.status_code == 202, again.get_json()
    assert again.get_json()["data"]["recording"]["confirmed_by"] == "event"
    assert action(rig, conference_id, {"action": "stop"}).status_code == 202


def test_without_the_event_connection_recording_check_decides(rig, tmp_path):
    without_events(rig)
    rig.live.recordings.confirmation.timeout = 0.5
    conference_id, room = running_room(rig)
    started = action(rig, conference_id, {"action": "start"})
    assert started.status_code == 202, started.get_json()
    assert started.get_json()["data"]["recording"]["confirmed_by"] == "check"
    assert action(rig, conference_id, {"action": "stop"}).status_code == 202
    switch_cannot_write(rig, tmp_path)
    mark = len(rig.sims[0].command_log)
    refused = action(rig, conference_id, {"action": "start"})
    assert refused.status_code == 422, refused.get_json()
    assert refused.get_json()["message"] == "-ERR Conference is not being recorded."
    assert f"conference {room} recording check" in rig.sims[0].command_log[mark:]
    listed = rig.call("GET", rig.alpha, conference_id, "/recordings").get_json()["data"]
    assert [item["status"] for item in listed] == ["stopped"]   # only the first one
    db = account_db(rig.alpha.account_id)
    assert rig.api.store.get_or_none(db, recordings.guard_id(conference_id)) is None
