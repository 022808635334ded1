"""Transcription on real speech: flite speaks a sentence for each of two simulated
participants, the simulator records each on their own file (``transcribe`` start /
stop: uuid_record per participant), the kz-transcribe worker (the in-process bus, as
under kz-all) transcribes each track with the default engine (pocketsphinx, offline)
and the transcript says who said which known words, at plausible times."""
import gevent
import pytest

from crossbar.conferences.doc_events import DocumentEvents
from kzcore.bus.memory import MemoryBus
from tests.integration.test_live_support import rig  # noqa: F401 (fixture)
from tests.support.speech import flite_wav
from transcribe.compose import build_service, make_source

pytestmark = [pytest.mark.timeout(120)]
ALICE_SAYS = "the quick brown fox jumps over the lazy dog"
BOB_SAYS = "please send the report to the team before friday"


@pytest.fixture
def worker(rig):
    bus = MemoryBus()
    rig.live.use_document_events(DocumentEvents(bus, "crossbar@test"))
    config = rig.config.replace(amqp_url="memory://")
    service = build_service(config, store=rig.api.store, publisher=bus,
                            source=make_source(config, memory_bus=bus), node="test").start()
    seen = []
    bus.consumer().start(["conference.event.*.conference"], lambda key, event: seen.append(event))
    yield seen
    service.stop()


def transcribe(rig, conference_id, **data):
    return rig.call("PUT", rig.alpha, conference_id, body={"action": "transcribe", "data": data})


def words_of(segments, call_id):
    return " ".join(s["text"] for s in segments if s["participant"]["call_id"] == call_id).split()


def test_two_participants_transcribed_with_speakers_and_times(rig, worker, tmp_path):
    conference_id = rig.create_conference(rig.alpha)
    room = rig.room(rig.alpha, conference_id)
    alice = rig.sims[0].join(room, "1001", "Alice")
    bob = rig.sims[0].join(room, "1002", "Bob")
    assert transcribe(rig, conference_id, action="start", language="xx-yy").status_code == 400
    started = transcribe(rig, conference_id, action="start", language="en-us")
    assert started.status_code == 202, started.get_json()
    transcript_id = started.get_json()["data"]["transcript"]["id"]
    assert {r["participant"]["call_id"] for r in started.get_json()["data"]["recordings"]} \
        == {alice.uuid, bob.uuid}
    gevent.sleep(0.3)
    alice_said = rig.sims[0].speak(alice.uuid, flite_wav(ALICE_SAYS, tmp_path / "alice.wav"))
    gevent.sleep(alice_said.seconds + 0.5)
    bob_said = rig.sims[0].speak(bob.uuid, flite_wav(BOB_SAYS, tmp_path / "bob.wav"))
    gevent.sleep(bob_said.seconds + 0.3)
    stopped = transcribe(rig, conference_id, action="stop")
    assert stopped.status_code == 202, stopped.get_json()
    with gevent.Timeout(60, AssertionError("transcript not ready")):
        while True:
            doc = rig.call("GET", rig.alpha, conference_id,
                           f"/transcripts/{transcript_id}").get_json()["data"]
            if doc["status"] in ("ready", "failed"):
                break
            gevent.sleep(0.2)
    assert doc["status"] == "ready", doc.get("error")
    assert doc["progress"] == {"done": 2, "total": 2}
    segments = doc["segments"]
    alice_words, bob_words = words_of(segments, alice.uuid), words_of(segments, bob.uuid)
    assert {"quick", "brown", "fox"} <= set(alice_words), alice_words
    assert {"report", "team", "friday"} <= set(bob_words), bob_words
    assert not {"quick", "fox"} & set(bob_words) and not {"report", "friday"} & set(alice_words)
    started_at = doc["conference_started"]
    for segment in segments:
        said = alice_said if segment["participant"]["call_id"] == alice.uuid else bob_said
        assert said.start - started_at - 0.5 <= segment["start"] < segment["end"] \
            <= said.start - started_at + said.seconds + 0.5, segment
        assert 0 <= segment["confidence"] <= 1
    assert segment["participant"]["caller_id_name"] in ("Alice", "Bob")
    vtt = rig.call("GET", rig.alpha, conference_id, f"/transcripts/{transcript_id}/raw")
    assert vtt.status_code == 200 and vtt.headers["Content-Type"].startswith("text/vtt")
    text = vtt.data.decode()
    assert text.startswith("WEBVTT") and "<v Alice>" in text and "<v Bob>" in text
    plain = rig.call("GET", rig.alpha, conference_id,
                     f"/transcripts/{transcript_id}/raw?format=txt").data.decode()
    assert "Alice: the quick brown" in plain
    with gevent.Timeout(5, AssertionError("no transcript-ready event")):
        while not any(e["event"] == "transcript-ready" for e in worker):
            gevent.sleep(0.1)
    ready = next(e for e in worker if e["event"] == "transcript-ready")
    assert ready["transcript_id"] == transcript_id and ready["account_id"] == rig.alpha.account_id
    assert any(e["event"] == "transcript-progress" for e in worker)
    listed = rig.call("GET", rig.alpha, conference_id, "/transcripts").get_json()["data"]
    assert [t["id"] for t in listed] == [transcript_id]
