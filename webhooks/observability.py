"""kz-webhooks' ``/health``, ``/ready`` and ``/metrics`` (``kzcore.health``,
``kzcore.metrics``), on ``KZ_WEBHOOKS_HEALTH_HOST:KZ_WEBHOOKS_HEALTH_PORT``.

Ready = its queue is declared, bound and consumed (a standby of the single
active consumer is ready too: it can take over) and the document store
answers. Series are read from the service's own counters at scrape time.
"""
from kzcore.metrics import COUNTER, GAUGE, Metric
from kzcore.probes import queue_check, queue_service_health
from kzcore.timings import labelled

PREFIX = "kz_webhooks_"


def snapshot(service):
    deliverer = service.deliverer
    return dict(service.stats(), received=getattr(service.source, "received", 0),
                attempts=deliverer.attempts.snapshot(),
                consuming=int(queue_check(service.source)()[0]))


METRICS = (
    Metric(PREFIX + "events_received", COUNTER, "events read from the queue",
           lambda s: s["received"]),
    Metric(PREFIX + "events_dispatched", COUNTER, "(event, webhook) deliveries queued",
           lambda s: s["dispatched"]),
    Metric(PREFIX + "deliveries", COUNTER, "events delivered (a 2xx answer)",
           lambda s: s["delivered"]),
    Metric(PREFIX + "delivery_failures", COUNTER,
           "events dropped: every attempt failed, or the destination was refused",
           lambda s: s["dropped"]),
    Metric(PREFIX + "attempts", COUNTER, "HTTP attempts by result (success, retrying, failed)",
           lambda s: labelled(s["attempts"]), labels=("result",)),
    Metric(PREFIX + "lanes", GAUGE, "(webhook, conference) lanes with deliveries in progress",
           lambda s: s["lanes"]),
    Metric(PREFIX + "inbox", GAUGE, "events read, not yet dispatched", lambda s: s["inbox"]),
    Metric(PREFIX + "queue_consuming", GAUGE, "1 while the durable queue is consumed",
           lambda s: s["consuming"]),
)


def health_app(service, store, node=""):
    return queue_service_health("webhooks", service, store, METRICS, snapshot,
                                lambda: {"node": node})
