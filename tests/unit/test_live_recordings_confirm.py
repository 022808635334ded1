"""What confirms a conference recording, read from the recorded bytes: the
start-recording event (with ``Error`` when the file could not be opened, round4
recording_start_unwritable; without when it was, round 2) and ``recording check``
(round 2 lists the file; round 4 after the failed start lists none)."""
from crossbar.live.dial_watch import facts_from
from crossbar.live.recordings_confirm import checked_paths, refusal_from_event
from kzcore.esl.frames import FrameParser, parse_event
from tests.support.paths import fs_fixture


def events(name):
    parsed = [parse_event(frame) for frame in FrameParser().feed(fs_fixture(name))]
    return [event for event in parsed if event]


def api_body(name):
    return FrameParser().feed(fs_fixture(name))[-1].text()


def started_facts(name):
    (event,) = [e for e in events(name) if e.get("Action") == "start-recording"]
    ((key, update),) = facts_from(event)
    return key, update["started"]


def test_the_failed_start_recording_event_is_a_refusal_naming_the_file_only():
    key, started = started_facts("round4/recording_start_unwritable.events.json.esl")
    assert key == ("recording", ("r4room", "/proc/nope/x.wav"))
    assert started == {"error": "File could not be opened for recording"}
    refused = refusal_from_event(started, "/proc/nope/x.wav")
    assert refused.message == "File could not be opened for recording: x.wav"
    assert "/proc" not in refused.message and refused.data == {
        "file": "x.wav", "event": "start-recording"}


def test_a_start_recording_event_without_error_confirms():
    key, started = started_facts("round2/start_recording.plain.esl")
    assert key == ("recording", ("room1", "/opt/switch/rec/room1_round2.wav"))
    assert started == {"error": None} and refusal_from_event(started, key[1][1]) is None


def test_the_stop_recording_after_a_failed_start_is_still_read_as_stop_facts():
    (stop,) = [e for e in events("round4/recording_start_unwritable.events.json.esl")
               if e.get("Action") == "stop-recording"]
    ((_, update),) = facts_from(stop)
    assert update == {"stopped": {"milliseconds": 0, "size": None, "samples": 0,
                                  "samplerate": 8000}}


def test_recording_check_lists_the_files_being_recorded():
    assert checked_paths(api_body("round2/api_conference_room1_recording_check_paused.esl")) == [
        "/opt/switch/rec/room1_round2.wav"]
    assert checked_paths(api_body("round4/recording_check_after_unwritable.esl")) == []

