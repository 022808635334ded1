"""kz-transcribe's ``/health``, ``/ready`` and ``/metrics`` (``kzcore.health``,
``kzcore.metrics``), on ``KZ_TRANSCRIBE_HEALTH_HOST:KZ_TRANSCRIBE_HEALTH_PORT``.

Ready = its job queue is declared, bound and consumed (the standby of the single
active consumer too: it can take over) and the document store answers (the
transcript and recording documents). Series are read from the worker's own
counters at scrape time.
"""
from kzcore.metrics import COUNTER, GAUGE, Metric
from kzcore.probes import queue_check, queue_service_health

PREFIX = "kz_transcribe_"


def snapshot(service):
    return dict(service.worker.stats(), received=getattr(service.source, "received", 0),
                consuming=int(queue_check(service.source)()[0]))


METRICS = (
    Metric(PREFIX + "jobs_received", COUNTER, "jobs read from the queue",
           lambda s: s["received"]),
    Metric(PREFIX + "jobs", COUNTER, "jobs finished, by outcome (ready, failed)",
           lambda s: s["jobs"], labels=("outcome",)),
    Metric(PREFIX + "tracks", COUNTER, "participant tracks transcribed", lambda s: s["tracks"]),
    Metric(PREFIX + "audio_seconds", COUNTER, "seconds of audio transcribed",
           lambda s: s["audio_seconds"]),
    Metric(PREFIX + "decode_seconds", COUNTER, "seconds the engine spent decoding",
           lambda s: s["decode_seconds"]),
    Metric(PREFIX + "jobs_queued", GAUGE, "jobs received, waiting for the worker",
           lambda s: s["queued"]),
    Metric(PREFIX + "job_running", GAUGE, "1 while a job is being transcribed",
           lambda s: s["running"]),
    Metric(PREFIX + "queue_consuming", GAUGE, "1 while the job queue is consumed",
           lambda s: s["consuming"]),
)


def health_app(service, store, node=""):
    return queue_service_health(
        "transcribe", service, store, METRICS, snapshot,
        lambda: {"node": node, "engine": getattr(service.worker.engine, "name", "")})
