"""The transcription worker: one job at a time, each participant's track in turn.

A job names a transcript; its tracks are the recording documents carrying its
``transcript_id``. Tracks still being finished (a participant who left: the switch's
RECORD_STOP) are waited for, at most ``settle`` seconds. Decoding runs in a thread
of gevent's pool, so the process keeps serving while it works. Progress goes on the
document (``progress``) and out as ``transcript-progress``; the outcome is
``status: ready`` with ``segments`` and ``transcript-ready``, or ``status: failed``
with ``error`` and ``transcript-failed``.
"""
import array
import collections
import io
import logging
import time
import uuid
import wave

import gevent
import gevent.queue

import kzcore
from crossbar.recordings.storage import RecordingStorage
from kzcore import transcripts
from kzcore.bus.keys import conference_routing_key
from kzcore.naming import account_db

log = logging.getLogger(__name__)
SETTLE = 10.0


def job_fields(job):
    """What a log line about a job names (its payload is a whole bus event)."""
    return {key: job.get(key) for key in ("account_id", "conference_id", "transcript_id")}


def read_samples(kind, content):
    """int16 mono samples and their rate from a WAV file or its bytes."""
    source = io.BytesIO(content) if kind == "bytes" else content
    with wave.open(source, "rb") as handle:
        if handle.getsampwidth() != 2 or handle.getnchannels() != 1:
            raise ValueError("tracks must be 16-bit mono WAV")
        samples = array.array("h")
        samples.frombytes(handle.readframes(handle.getnframes()))
        return samples, handle.getframerate()


class Worker:
    def __init__(self, *, store, engine, publisher, config, node="", settle=SETTLE,
                 clock=time.time):
        self.store, self.engine, self.publisher = store, engine, publisher
        self.storage = RecordingStorage(store, config.recordings_storage,
                                        config.recordings_dir or "var/recordings")
        self.node, self.settle, self.clock = node, settle, clock
        self._jobs = gevent.queue.Queue()
        self._greenlet = None
        self.done = 0
        self.counts = collections.Counter()   # jobs by outcome, tracks, audio and decode seconds
        self.running = False

    def stats(self):
        """What it did, for /metrics (``transcribe.observability``)."""
        return {"jobs": {outcome: self.counts[outcome] for outcome in ("ready", "failed")},
                "tracks": self.counts["tracks"], "audio_seconds": self.counts["audio_seconds"],
                "decode_seconds": self.counts["decode_seconds"], "queued": self._jobs.qsize(),
                "running": int(self.running)}

    def on_job(self, routing_key, payload, ack=None):
        """Bus callback: only enqueue."""
        self._jobs.put((payload, ack))

    def start(self):
        if self._greenlet is None:
            self._greenlet = gevent.spawn(self._loop)
        return self

    def stop(self):
        if self._greenlet is not None:
            self._greenlet.kill(block=True, timeout=2)
            self._greenlet = None

    def _loop(self):
        while True:
            job, ack = self._jobs.get()
            self.running = True
            try:
                self.run(job)
                self.counts["ready"] += 1
            except Exception:  # noqa: BLE001 - reported on the document by run()
                self.counts["failed"] += 1
                log.exception("transcription job failed", extra=job_fields(job))
            finally:
                self.running = False
                self.done += 1
                if ack is not None:
                    ack()

    def run(self, job):
        account_id, transcript_id = job["account_id"], job["transcript_id"]
        db = account_db(account_id)
        doc = self.store.get(db, transcript_id)
        try:
            tracks = self._tracks(db, transcript_id)
            doc = self._save(db, doc, status="running", progress={"done": 0, "total": len(tracks)})
            log.info("transcription started", extra={**job_fields(job), "tracks": len(tracks),
                                                     "engine": doc.get("engine")})
            segments = []
            for done, track in enumerate(tracks, 1):
                segments += self._transcribe(account_id, doc, track)
                doc = self._save(db, doc, progress={"done": done, "total": len(tracks)})
                self._event("transcript-progress", doc, {"progress": doc["progress"]})
            segments.sort(key=lambda segment: segment["start"])
            doc = self._save(db, doc, status="ready", segments=segments,
                             completed=round(self.clock(), 3))
            self._event("transcript-ready", doc, {"segments": len(segments)})
            log.info("transcript ready", extra={**job_fields(job), "segments": len(segments)})
        except Exception as problem:
            doc = self._save(db, self.store.get(db, transcript_id), status="failed",
                             error=str(problem) or type(problem).__name__)
            self._event("transcript-failed", doc, {"reason": doc["error"]})
            raise

    def _tracks(self, db, transcript_id):
        selector = {"pvt_type": "recording", "kind": "participant",
                    "transcript_id": transcript_id}
        deadline = self.clock() + self.settle
        while True:
            found = self.store.find(db, selector)
            if all(track.get("status") == "stopped" for track in found) \
                    or self.clock() > deadline:
                return sorted((t for t in found if t.get("status") == "stopped"),
                              key=lambda track: track.get("started", 0))
            gevent.sleep(0.2)

    def _transcribe(self, account_id, doc, track):
        samples, rate = read_samples(*self.storage.content(account_id, track))
        pool = gevent.get_hub().threadpool
        started = time.monotonic()
        words = pool.apply(self.engine.transcribe, (samples, rate, doc["language"]))
        self.counts["decode_seconds"] += time.monotonic() - started
        self.counts["audio_seconds"] += len(samples) / float(rate)
        self.counts["tracks"] += 1
        offset = track["started"] - doc.get("conference_started", track["started"])
        return transcripts.segments(words, offset, track.get("participant"))

    def _save(self, db, doc, **changes):
        return self.store.save(db, {**doc, **changes})

    def _event(self, event, doc, fields):
        payload = {"event": event, "account_id": doc["pvt_account_id"],
                   "conference_id": doc["conference_id"], "transcript_id": doc["_id"],
                   "status": doc.get("status"), **fields, "node": self.node,
                   "msg_id": uuid.uuid4().hex, "event_name": "conference_event",
                   "event_category": "conference", "app_version": kzcore.APP_VERSION,
                   "app_name": "kz-transcribe", "routing_key": "conference_event"}
        try:
            self.publisher.publish(conference_routing_key(doc["conference_id"]), payload)
        except Exception:  # noqa: BLE001 - the document says it anyway
            log.exception("transcript event not published", extra={"event": event})
