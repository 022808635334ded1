"""kz-transcribe's /health, /ready and /metrics (the server its command line
starts, ``transcribe.cli.serve_observability``) scraped over HTTP: the worker
consumes its durable job queue on the real RabbitMQ through a proxy the test
cuts; one job transcribes a 1.5 s track, one names a transcript that is not
there. The engine is a stand-in (the series are about the worker, not about
pocketsphinx, which tests/integration/test_transcripts.py runs)."""
import array
import uuid
import wave

import pytest

from crossbar.recordings.transcripts import JOB_ROUTING_KEY
from kzcore.bus.pika_publisher import PikaPublisher
from kzcore.config import load_config
from kzcore.naming import account_db
from kzcore.store.embedded import EmbeddedStore
from tests.support.rabbit import delete_queues, unique_name
from tests.support.scrape import get, names, scrape, value, wait_for, wait_ready
from transcribe.cli import serve_observability
from transcribe.compose import build_service, make_source

pytestmark = [pytest.mark.rabbitmq, pytest.mark.timeout(120)]

RATE, SECONDS = 8000, 1.5
SERIES = {"kz_transcribe_jobs_received_total", "kz_transcribe_jobs_total",
          "kz_transcribe_tracks_total", "kz_transcribe_audio_seconds_total",
          "kz_transcribe_decode_seconds_total", "kz_transcribe_jobs_queued",
          "kz_transcribe_job_running", "kz_transcribe_queue_consuming"}


class WordEngine:
    """Hears one word in every track."""
    name = "one-word"
    languages = ("en-us",)

    def transcribe(self, samples, rate, language):
        return [("hello", 0.2, 0.6, 0.9)]


def seed(store, directory):
    """An account with a transcript of one stopped 1.5 s track; ``(account, transcript)``."""
    account_id = uuid.uuid4().hex
    db = account_db(account_id)
    store.create_db(db)
    path = directory / "alice.wav"
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1), handle.setsampwidth(2), handle.setframerate(RATE)
        handle.writeframes(array.array("h", [0] * int(RATE * SECONDS)).tobytes())
    store.save(db, {"_id": "transcript-1", "pvt_type": "transcript", "pvt_account_id": account_id,
                    "conference_id": "room-1", "language": "en-us", "status": "queued",
                    "conference_started": 1000.0})
    store.save(db, {"_id": "track-1", "pvt_type": "recording", "kind": "participant",
                    "transcript_id": "transcript-1", "status": "stopped", "started": 1001.0,
                    "path": str(path), "participant": {"call_id": "call-1"}})
    return account_id, "transcript-1"


@pytest.fixture
def worker(tmp_path, amqp_url, amqp_proxy, temp_exchange):
    store = EmbeddedStore(":memory:")
    config = load_config(env={}, amqp_url=amqp_proxy.url, amqp_exchange=temp_exchange,
                         transcribe_queue=unique_name("kz-test-transcribe"),
                         recordings_dir=str(tmp_path), transcribe_health_port=0)
    publisher = PikaPublisher(amqp_url, exchange=temp_exchange,
                              connection_name=unique_name("kz-test-transcribe-pub"))
    service = build_service(config, store=store, publisher=publisher, source=make_source(config),
                            node="transcribe@test", engine=WordEngine()).start()
    server = serve_observability(config, service, store, "transcribe@test")
    probe = server.application.checks["store"].__self__      # kzcore.probes.StoreProbe
    probe.interval = probe.timeout = 0.1
    try:
        yield store, publisher, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.stop(timeout=1)
        service.stop()
        publisher.close()
        delete_queues(amqp_url, config.transcribe_queue)
        store.close()


def test_jobs_done_and_failed_and_audio_seconds_are_counted(worker, tmp_path):
    store, publisher, base = worker
    status, health = get(base, "/health")
    assert status == 200 and health["service"] == "transcribe" and health["engine"] == "one-word"
    assert wait_ready(base, True)["checks"]["broker"] == {"ok": True,
                                                          "detail": {"consuming": True}}
    account_id, transcript_id = seed(store, tmp_path)
    publisher.publish(JOB_ROUTING_KEY, {"account_id": account_id, "conference_id": "room-1",
                                        "transcript_id": transcript_id})
    publisher.publish(JOB_ROUTING_KEY, {"account_id": account_id, "conference_id": "room-1",
                                        "transcript_id": "no-such-transcript"})
    samples = wait_for(lambda: (lambda s: s if value(
        s, "kz_transcribe_jobs_total", outcome="failed") == 1 else None)(scrape(base)))
    assert SERIES <= names(samples), SERIES - names(samples)
    assert value(samples, "kz_transcribe_jobs_total", outcome="ready") == 1
    assert value(samples, "kz_transcribe_jobs_received_total") == 2
    assert value(samples, "kz_transcribe_tracks_total") == 1
    assert value(samples, "kz_transcribe_audio_seconds_total") == pytest.approx(SECONDS)
    assert value(samples, "kz_transcribe_decode_seconds_total") >= 0
    assert value(samples, "kz_transcribe_jobs_queued") == 0
    assert value(samples, "kz_transcribe_queue_consuming") == 1
    doc = store.get(account_db(account_id), transcript_id)
    assert doc["status"] == "ready" and doc["segments"][0]["text"] == "hello"


def test_ready_is_503_while_the_broker_is_away(worker, amqp_proxy):
    _store, _publisher, base = worker
    wait_ready(base, True)
    amqp_proxy.cut()
    body = wait_ready(base, False)
    assert body["checks"]["broker"] == {"ok": False, "detail": {"consuming": False}}
    assert body["checks"]["store"]["ok"] is True
    assert get(base, "/health")[0] == 200
    assert value(scrape(base), "kz_transcribe_queue_consuming") == 0
    amqp_proxy.start()
    wait_ready(base, True, timeout=30)
