"""``max_duration_s`` survives a crossbar restart: the deadline is the recording
document's ``stop_at``, read from the store by a crossbar process that starts (and
every check after), not only a timer of the process that started the recording.
Against the simulator over TCP; a "restart" is the first process's timers and event
worker gone and a new ``LiveConferences`` started on the same store."""
import logging

import gevent
import pytest

from crossbar.live import LiveConferences
from crossbar.live.compose import COMMAND_EVENTS
from crossbar.recordings import deadlines, runtime
from kzcore.esl.pool import EslPool
from tests.integration.test_live_support import rig  # noqa: F401 (fixture)

pytestmark = [pytest.mark.timeout(60), pytest.mark.both_stores]


def record(rig, conference_id, tail="", **data):
    return rig.call("PUT", rig.alpha, conference_id, tail,
                    body={"action": "record", "data": data})


def running(rig, number="1001", name="Alice"):
    conference_id = rig.create_conference(rig.alpha)
    member = rig.sims[0].join(rig.room(rig.alpha, conference_id), number, name)
    return conference_id, member


def gone(rig):
    """The process that started the recordings is gone: its timers and its worker
    for the switch's RECORD_STOP events with it (its API still answers reads)."""
    parts = runtime.parts(rig.live)
    parts.timers.close()
    parts.participants.close()


@pytest.fixture
def restart(rig):
    made = []

    def start():
        pool = EslPool(rig.config.nodes, timeout=rig.config.esl_timeout,
                       events=COMMAND_EVENTS).start()
        assert pool.wait_connected(5.0)
        live = LiveConferences(pool, rig.api.store, rig.config)
        made.append(live)
        return live.start()
    yield start
    for live in made:
        live.close()


def doc_of(rig, conference_id, recording_id):
    return rig.call("GET", rig.alpha, conference_id,
                    f"/recordings/{recording_id}").get_json()["data"]


def wait_stopped(rig, conference_id, recording_id, timeout):
    with gevent.Timeout(timeout, AssertionError(f"{recording_id} not stopped")):
        while True:
            doc = doc_of(rig, conference_id, recording_id)
            if doc["status"] == "stopped":
                return doc
            gevent.sleep(0.05)


def recording_check(rig, conference_id):
    return rig.sims[0].api(f"conference {rig.room(rig.alpha, conference_id)} recording check")


def test_a_restarted_crossbar_stops_a_recording_at_its_stored_deadline(rig, restart, caplog):
    caplog.set_level(logging.INFO, logger="crossbar")
    conference_id, _ = running(rig)
    started = record(rig, conference_id, action="start", max_duration_s=3)
    assert started.status_code == 202, started.get_json()
    rec = started.get_json()["data"]["recording"]
    gone(rig)
    gevent.sleep(0.5)
    restart()                                    # nothing in memory: only the store
    gevent.sleep(rec["stop_at"] - rec["started"] + 1.0)
    assert not recording_check(rig, conference_id).startswith("+OK Record file ")
    doc = wait_stopped(rig, conference_id, rec["id"], timeout=3)
    assert doc["stop_reason"] == "max_duration"
    assert rec["stop_at"] - 0.2 <= doc["stopped"] <= rec["stop_at"] + 1.5, doc
    assert 2.5 <= doc["duration"] < 4.5
    # the log says what happened to which recording, from the module that did it
    logged = {(r.name, r.getMessage()) for r in caplog.records
              if getattr(r, "recording_id", None) == rec["id"]}
    assert {("crossbar.live.recordings", "room recording started"),
            ("crossbar.recordings.deadlines", "recording reached its maximum length"),
            ("crossbar.live.recordings", "room recording stopped")} <= logged, logged


def test_a_deadline_passed_while_no_crossbar_ran_stops_at_start(rig, restart):
    conference_id, _ = running(rig)
    rec = record(rig, conference_id, action="start", max_duration_s=1).get_json()["data"][
        "recording"]
    gone(rig)
    gevent.sleep(1.5)
    assert recording_check(rig, conference_id).startswith("+OK Record file ")   # still on
    restart()
    doc = wait_stopped(rig, conference_id, rec["id"], timeout=3)
    assert doc["stop_reason"] == "max_duration"
    assert not recording_check(rig, conference_id).startswith("+OK Record file ")
    # the room can be recorded again (the guard was released)
    again = record(rig, conference_id, action="start")
    assert again.status_code == 202, again.get_json()


def test_a_track_whose_stop_nobody_heard_is_settled_after_its_deadline(rig, restart,
                                                                      monkeypatch):
    monkeypatch.setattr(deadlines, "TRACK_GRACE", 0.3)
    conference_id, alice = running(rig)
    gone(rig)                                    # RECORD_STOP will reach no worker
    started = record(rig, conference_id, f"/participants/{alice.id}", action="start",
                     max_duration_s=1)
    assert started.status_code == 202, started.get_json()
    rec = started.get_json()["data"]["recording"]
    gevent.sleep(1.6)                            # the switch stopped it (uuid_record limit)
    assert doc_of(rig, conference_id, rec["id"])["status"] == "recording"
    restart()
    doc = wait_stopped(rig, conference_id, rec["id"], timeout=3)
    assert 0.8 <= doc["duration"] < 1.5 and doc["size"] > 44
    raw = rig.call("GET", rig.alpha, conference_id, f"/recordings/{rec['id']}/raw")
    assert raw.status_code == 200 and raw.data[:4] == b"RIFF"


def test_a_recording_stopped_elsewhere_loses_its_timer_here(rig, restart):
    conference_id, _ = running(rig)
    rec = record(rig, conference_id, action="start", max_duration_s=600).get_json()["data"][
        "recording"]
    other = restart()                            # a second crossbar process
    timers = runtime.parts(other).timers
    with gevent.Timeout(3, AssertionError("the other process did not read the deadline")):
        while rec["id"] not in timers._timers:
            gevent.sleep(0.05)
    assert record(rig, conference_id, action="stop").status_code == 202   # stopped by the first
    assert timers.check() == 0
    assert rec["id"] not in timers._timers


def test_a_recording_whose_room_ended_is_finished_by_the_check(rig, monkeypatch):
    monkeypatch.setattr(deadlines, "ROOM_GRACE", 0.0)
    conference_id, alice = running(rig)
    rec = record(rig, conference_id, action="start").get_json()["data"]["recording"]
    gevent.sleep(0.5)
    rig.sims[0].hangup(alice.uuid)                # the last one leaves: the room ends
    with gevent.Timeout(3, AssertionError("the room did not end")):
        while rig.wire_json_list(rig.sims[0], rig.room(rig.alpha, conference_id)):
            gevent.sleep(0.05)
    assert doc_of(rig, conference_id, rec["id"])["status"] == "recording"   # nobody stopped it
    runtime.parts(rig.live).timers.check()
    doc = doc_of(rig, conference_id, rec["id"])
    assert (doc["status"], doc["stop_reason"]) == ("stopped", "room_ended")
    assert 0.3 <= doc["duration"] < 3 and doc["size"] > 44
    raw = rig.call("GET", rig.alpha, conference_id, f"/recordings/{rec['id']}/raw")
    assert raw.status_code == 200 and raw.data[:4] == b"RIFF"
    rig.sims[0].join(rig.room(rig.alpha, conference_id), "1002", "Bob")   # the room again
    assert record(rig, conference_id, action="start").status_code == 202     # guard released
