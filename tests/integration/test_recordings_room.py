"""The room's recording and participants' tracks against the simulator over TCP, with
ecallmgr and crossbar publishing on the test's own RabbitMQ exchange: pause / resume
(the switch's state and the events), max_duration_s stopping a recording, mp3 refused
by a switch without mod_shout, a participant's own track (uuid_record) started and
stopped, a start the switch could not open reported as failed, HTTP Range downloads
and retention removing an expired recording with its event."""
import wave

import gevent
import pytest

from crossbar.conferences.doc_events import DocumentEvents
from crossbar.recordings import runtime
from kzcore.bus.pika_publisher import PikaPublisher
from kzcore.naming import ACCOUNTS_DB, account_db
from tests.integration.test_live_events import Events, ecallmgr  # noqa: F401 (fixture)
from tests.integration.test_live_support import rig  # noqa: F401 (fixture)
from tests.support.rabbit import unique_name

pytestmark = [pytest.mark.timeout(90), pytest.mark.rabbitmq, pytest.mark.both_stores]


@pytest.fixture
def events(rig, amqp_url, ecallmgr, rabbit_tap):  # noqa: F811
    """crossbar's recording events on the exchange ecallmgr publishes on; a tap."""
    publisher = PikaPublisher(amqp_url, exchange=ecallmgr,
                              connection_name=unique_name("kz-test-recordings"))
    assert publisher.wait_connected(5)
    rig.live.use_document_events(DocumentEvents(publisher, "crossbar@test"))
    yield Events(rabbit_tap(["conference.event.*.*"], ecallmgr))
    publisher.close(timeout=2)


def record(rig, conference_id, **data):
    return rig.call("PUT", rig.alpha, conference_id,
                    body={"action": "record", "data": data})


def running(rig, sim=0):
    conference_id = rig.create_conference(rig.alpha)
    member = rig.sims[sim].join(rig.room(rig.alpha, conference_id), "1001", "Alice")
    return conference_id, member


def check(rig, sim, room):
    return rig.sims[sim].api(f"conference {room} recording check")


def test_pause_and_resume(rig, events):
    conference_id, _ = running(rig)
    room = rig.room(rig.alpha, conference_id)
    started = record(rig, conference_id, action="start")
    assert started.status_code == 202, started.get_json()
    rec = started.get_json()["data"]["recording"]
    assert (rec["format"], rec["name"], rec["status"]) == ("wav", f"{rec['id']}.wav", "recording")
    assert "path" not in rec and rig.config.recordings_dir not in str(started.get_json())
    _, event = events.expect("recording-started", recording_id=rec["id"])
    assert event["name"] == rec["name"] and "file" not in event
    gevent.sleep(0.3)
    paused = record(rig, conference_id, action="pause")
    assert paused.status_code == 202, paused.get_json()
    assert paused.get_json()["data"]["recording"]["status"] == "paused"
    assert rec["name"] in paused.get_json()["data"]["message"]
    assert "/" not in paused.get_json()["data"]["message"].replace("+OK", "")
    events.expect("recording-paused", recording_id=rec["id"])
    assert check(rig, 0, room).startswith("+OK Record file ")     # still listed while paused
    assert record(rig, conference_id, action="pause").status_code == 409
    gevent.sleep(0.6)
    resumed = record(rig, conference_id, action="resume")
    assert resumed.status_code == 202 and resumed.get_json()["data"]["recording"]["status"] \
        == "recording"
    events.expect("recording-resumed", recording_id=rec["id"])
    gevent.sleep(0.3)
    stopped = record(rig, conference_id, action="stop")
    assert stopped.status_code == 202, stopped.get_json()
    (done,) = stopped.get_json()["data"]["recordings"]
    events.expect("recording-stopped", recording_id=rec["id"])
    (pause,) = done["pauses"]
    assert 0.5 <= pause["resumed"] - pause["paused"] < 2
    total = done["stopped"] - done["started"]
    assert 0.5 <= done["duration"] <= total - 0.4    # the paused stretch is not in it
    assert done["stop_reason"] == "requested" and done["size"] > 44
    assert record(rig, conference_id, action="resume").status_code == 409


def test_max_duration_stops_the_recording_by_itself(rig, events):
    conference_id, _ = running(rig)
    started = record(rig, conference_id, action="start", max_duration_s=1)
    assert started.status_code == 202, started.get_json()
    rec = started.get_json()["data"]["recording"]
    assert rec["max_duration_s"] == 1 and rec["stop_at"] == pytest.approx(rec["started"] + 1)
    events.expect("recording-stopped", recording_id=rec["id"], timeout=6)
    with gevent.Timeout(5, AssertionError("not stopped")):
        while True:
            got = rig.call("GET", rig.alpha, conference_id, f"/recordings/{rec['id']}")
            if got.get_json()["data"]["status"] == "stopped":
                break
            gevent.sleep(0.1)
    assert got.get_json()["data"]["stop_reason"] == "max_duration"
    assert 0.9 <= got.get_json()["data"]["duration"] < 2
    too_long = record(rig, conference_id, action="start", max_duration_s=86401)
    assert too_long.status_code == 400
    assert "data.max_duration_s" in too_long.get_json()["data"]


def test_mp3_needs_mod_shout_and_other_formats_are_refused(rig, fssim_factory):
    conference_id, _ = running(rig)
    refused = record(rig, conference_id, action="start", format="mp3")
    assert refused.status_code == 422
    assert "cannot record mp3 (mod_shout is not loaded)" in refused.get_json()["message"]
    assert record(rig, conference_id, action="start", format="ogg").status_code == 400
    rig.sims[0].core.files.shout = True                      # a switch with mod_shout
    started = record(rig, conference_id, action="start", format="mp3")
    assert started.status_code == 202, started.get_json()
    assert started.get_json()["data"]["recording"]["content_type"] == "audio/mpeg"
    gevent.sleep(0.3)
    (done,) = record(rig, conference_id, action="stop").get_json()["data"]["recordings"]
    raw = rig.call("GET", rig.alpha, conference_id, f"/recordings/{done['id']}/raw")
    assert raw.status_code == 200 and raw.headers["Content-Type"] == "audio/mpeg"
    assert raw.data[:2] == b"\xff\xe3"                         # MPEG audio frames


def test_a_start_the_switch_could_not_open_is_failed(rig, events, tmp_path):
    conference_id, _ = running(rig)
    blocker = tmp_path / "disk-full"
    blocker.write_text("")
    rig.sims[0].core.recorder.recordings_dir = str(blocker)
    refused = record(rig, conference_id, action="start")
    assert refused.status_code == 422
    _, failed = events.expect("recording-failed", conference_id=conference_id)
    assert failed["reason"] == "File could not be opened for recording"
    assert "file" not in failed and failed["name"].endswith(".wav")
    listed = rig.call("GET", rig.alpha, conference_id, "/recordings").get_json()["data"]
    assert listed == []


def test_a_participant_on_its_own_file(rig, events):
    conference_id, alice = running(rig)
    bob = rig.sims[0].join(rig.room(rig.alpha, conference_id), "1002", "Bob")
    url = f"/participants/{alice.id}"
    started = rig.call("PUT", rig.alpha, conference_id, url,
                       body={"action": "record", "data": {"action": "start"}})
    assert started.status_code == 202, started.get_json()
    rec = started.get_json()["data"]["recording"]
    assert rec["kind"] == "participant" and rec["participant"]["call_id"] == alice.uuid
    assert rec["participant"]["caller_id_name"] == "Alice"
    _, event = events.expect("recording-started", recording_id=rec["id"])
    assert (event["call_id"], event["participant_id"]) == (alice.uuid, alice.id)
    again = rig.call("PUT", rig.alpha, conference_id, url,
                     body={"action": "record", "data": {"action": "start"}})
    assert again.status_code == 409
    gevent.sleep(0.5)
    stopped = rig.call("PUT", rig.alpha, conference_id, url,
                       body={"action": "record", "data": {"action": "stop"}})
    assert stopped.status_code == 202, stopped.get_json()
    (done,) = stopped.get_json()["data"]["recordings"]
    assert done["status"] == "stopped" and 0.4 <= done["duration"] < 3
    events.expect("recording-stopped", recording_id=rec["id"], call_id=alice.uuid)
    # a track ends when its participant leaves (the switch's RECORD_STOP)
    assert rig.call("PUT", rig.alpha, conference_id, f"/participants/{bob.id}",
                    body={"action": "record", "data": {"action": "start"}}).status_code == 202
    rig.sims[0].hangup(bob.uuid)
    with gevent.Timeout(6, AssertionError("track not finished")):
        while True:
            mine = rig.call("GET", rig.alpha, conference_id,
                            f"/recordings?call_id={bob.uuid}").get_json()["data"]
            if mine and mine[0]["status"] == "stopped":
                break
            gevent.sleep(0.1)
    history = rig.call("GET", rig.alpha, conference_id, f"/recordings?participant_id={alice.id}")
    assert [item["id"] for item in history.get_json()["data"]] == [rec["id"]]
    page = rig.call("GET", rig.alpha, conference_id, "/recordings?page_size=1").get_json()
    assert len(page["data"]) == 1 and page["next_start_key"]


def test_range_requests(rig):
    conference_id, _ = running(rig)
    assert record(rig, conference_id, action="start").status_code == 202
    gevent.sleep(0.3)
    (done,) = record(rig, conference_id, action="stop").get_json()["data"]["recordings"]
    tail = f"/recordings/{done['id']}/raw"
    whole = rig.call("GET", rig.alpha, conference_id, tail)
    assert whole.status_code == 200 and whole.headers["Accept-Ranges"] == "bytes"
    size = len(whole.data)
    assert size == done["size"] and whole.data[:4] == b"RIFF"
    part = rig.call("GET", rig.alpha, conference_id, tail, headers={"Range": "bytes=4-11"})
    assert part.status_code == 206 and part.data == whole.data[4:12]
    assert part.headers["Content-Range"] == f"bytes 4-11/{size}"
    end = rig.call("GET", rig.alpha, conference_id, tail, headers={"Range": "bytes=-10"})
    assert end.status_code == 206 and end.data == whole.data[-10:]
    beyond = rig.call("GET", rig.alpha, conference_id, tail,
                      headers={"Range": f"bytes={size + 5}-"})
    assert beyond.status_code == 416 and beyond.headers["Content-Range"] == f"bytes */{size}"


def test_retention_removes_an_expired_recording_with_an_event(rig, events):
    conference_id, _ = running(rig)
    assert record(rig, conference_id, action="start").status_code == 202
    gevent.sleep(0.2)
    (old,) = record(rig, conference_id, action="stop").get_json()["data"]["recordings"]
    assert record(rig, conference_id, action="start").status_code == 202
    (new,) = record(rig, conference_id, action="stop").get_json()["data"]["recordings"]
    store, db = rig.api.store, account_db(rig.alpha.account_id)
    doc = store.get(db, old["id"])
    store.save(db, {**doc, "stopped": doc["stopped"] - 3 * 86400})   # three days ago
    account = store.get(ACCOUNTS_DB, rig.alpha.account_id)
    store.save(ACCOUNTS_DB, {**account, "recordings_retention_days": 2})
    parts = runtime.parts(rig.live)
    parts.retention.close()            # the product's sweep, every 0.2 s from now on
    parts.retention.interval = 0.2
    parts.retention.start()
    _, deleted = events.expect("recording-deleted", recording_id=old["id"], timeout=5)
    assert deleted["reason"] == "retention" and deleted["conference_id"] == conference_id
    gone = rig.call("GET", rig.alpha, conference_id, f"/recordings/{old['id']}")
    assert gone.status_code == 404
    kept = rig.call("GET", rig.alpha, conference_id, "/recordings").get_json()["data"]
    assert [item["id"] for item in kept] == [new["id"]]


def test_tracks_hold_what_each_participant_said(rig, tmp_path):
    """sim_speak feeds real audio: the participant's track has it, the other's is silent."""
    conference_id, alice = running(rig)
    bob = rig.sims[0].join(rig.room(rig.alpha, conference_id), "1002", "Bob")
    sound = tmp_path / "tone.wav"
    with wave.open(str(sound), "wb") as handle:
        handle.setparams((1, 2, 8000, 0, "NONE", ""))
        handle.writeframes(b"\x00\x40" * 4000)               # half a second, loud
    for member in (alice, bob):
        assert rig.call("PUT", rig.alpha, conference_id, f"/participants/{member.id}",
                        body={"action": "record", "data": {"action": "start"}}).status_code == 202
    rig.sims[0].speak(alice.uuid, str(sound))
    gevent.sleep(0.8)
    loud = {}
    for member in (alice, bob):
        (done,) = rig.call("PUT", rig.alpha, conference_id, f"/participants/{member.id}",
                           body={"action": "record", "data": {"action": "stop"}}
                           ).get_json()["data"]["recordings"]
        raw = rig.call("GET", rig.alpha, conference_id, f"/recordings/{done['id']}/raw").data
        loud[member.uuid] = raw[44:].count(b"\x00\x40")
    assert loud[alice.uuid] >= 3500 and loud[bob.uuid] == 0
