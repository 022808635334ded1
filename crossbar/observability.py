"""crossbar's ``/health``, ``/ready`` and ``/metrics``, on its own HTTP port.

``observe(app)`` (the composition roots call it) counts every request and action
in plain numbers (``kzcore.timings``: an after_request hook, no prometheus_client
on the request path) and mounts a ``kzcore.health.HealthApp`` in front of the
Flask app for the three paths (outside ``/v2``: no token, and the load balancer
keeps ``/metrics`` private, see deploy/).

Ready = the document store answers (``kzcore.probes.StoreProbe``), the broker
connection is up when crossbar publishes to RabbitMQ, and at least one
FreeSWITCH node of ``KZ_ESL_NODES`` is connected when any is configured. One
node down does not take every crossbar out of the load balancer: the others
still serve it (``checks.switches`` names the unreachable ones).

Under gunicorn each worker is a process of its own: ``/ready`` answers for the
worker that serves the probe; ``/metrics`` adds up every worker
(``kzcore.stats_spool``, directory ``KZ_METRICS_DIR``, set by
``crossbar.gunicorn_conf``).
"""
import logging
import time

from flask import g, request

from crossbar.context import EXTENSION
from kzcore.health import HealthApp
from kzcore.metrics import COUNTER, GAUGE, HISTOGRAM, Metric, StatsCollector, make_registry
from kzcore.probes import StoreProbe, switches_check
from kzcore.timings import LATENCY_BOUNDS, Counts, Timings, labelled

PREFIX = "kz_crossbar_"
HEALTH_PATHS = frozenset({"/health", "/ready", "/metrics"})
ACTION_ENDPOINTS = frozenset({"conferences_action", "participants_action",
                              "participant_action"})
OUTCOMES = {400: "invalid", 401: "unauthorized", 403: "forbidden", 404: "not_found",
            409: "conflict", 422: "refused", 429: "throttled", 503: "unavailable"}
EVENT_COUNTERS = ("published", "confirmed", "dropped")
REQUEST_LOG = logging.getLogger("crossbar.app")   # one "request" line per answer
STATS_KEY = "kz_request_stats"       # app.extensions: the RequestStats (crossbar.fast_actions)


def outcome(status, replayed=False):
    """An action's outcome from its HTTP status (PURE)."""
    if 200 <= status < 300:
        return "replayed" if replayed else "ok"
    return OUTCOMES.get(status, "error")


def log_request(request_id, method, path, status, started, account_id):
    """The access log line (its fields are built only when INFO is on)."""
    if REQUEST_LOG.isEnabledFor(logging.INFO):
        REQUEST_LOG.info("request", extra={
            "request_id": request_id, "method": method, "path": path, "status": status,
            "ms": round((time.perf_counter() - started) * 1000, 2) if started else None,
            "account_id": account_id})


class RequestStats:
    def __init__(self):
        self.requests = Timings(LATENCY_BOUNDS)      # (method, route, status)
        self.actions = Counts(max_keys=100)          # (action, outcome)

    def record(self, response):
        """Flask ``after_request`` hook."""
        here, context = request._get_current_object(), g._get_current_object()
        rule = here.url_rule
        started = context.get("kz_started")
        self.observe(here.method, rule.rule if rule is not None else "(unmatched)",
                     here.endpoint, response.status_code,
                     time.perf_counter() - started if started else 0.0, context.get("kz_action"),
                     response.headers.get("X-Command-Replayed") == "true")
        return response

    def observe(self, method, route, endpoint, status, seconds, action=None, replayed=False):
        """One answered request (crossbar.fast_actions counts its own here)."""
        self.requests.observe((method, route, str(status)), seconds)
        if (endpoint or "").rsplit(".", 1)[-1] in ACTION_ENDPOINTS:
            name = action if isinstance(action, str) and status != 400 else "(invalid)"
            self.actions.add((name[:40], outcome(status, replayed)))


class HealthMount:
    """WSGI: the health paths to ``health``, everything else to ``app``."""

    def __init__(self, health, app):
        self.health, self.app = health, app

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") in HEALTH_PATHS:
            return self.health(environ, start_response)
        return self.app(environ, start_response)


def snapshot(services, stats):
    """``{"counters", "gauges"}`` of this process (JSON-able: kzcore.stats_spool)."""
    live, events = services.live, services.events
    pool = getattr(live, "pool", None)
    publisher = events.stats() if events is not None else {}
    throttle = services.login_throttle
    counters = {"requests": stats.requests.snapshot(), "actions": stats.actions.snapshot(),
                "esl": pool.round_trips() if pool is not None else {},
                "events": {k: publisher.get(k, 0) for k in EVENT_COUNTERS},
                "logins": throttle.stats() if hasattr(throttle, "stats") else {}}
    connected = set(pool.connected_names()) if pool is not None else set()
    gauges = {"switch_connected": {name: int(name in connected)
                                   for name in (pool.names() if pool is not None else [])},
              "events_buffered": publisher.get("buffered", 0)}
    return {"counters": counters, "gauges": gauges}


def _esl_series(s):
    return {(node, result): histogram for node, by_result in s["counters"]["esl"].items()
            for result, histogram in by_result.items()}


METRICS = (
    Metric(PREFIX + "request_duration_seconds", HISTOGRAM,
           "HTTP requests by method, route and status: seconds to answer (_count = requests)",
           lambda s: labelled(s["counters"]["requests"]), labels=("method", "route", "status"),
           buckets=LATENCY_BOUNDS),
    Metric(PREFIX + "actions", COUNTER, "conference and participant actions by outcome",
           lambda s: labelled(s["counters"]["actions"]), labels=("action", "outcome")),
    Metric(PREFIX + "esl_round_trip_seconds", HISTOGRAM,
           "ESL command/reply exchanges with each FreeSWITCH node (result: ok, timeout, lost)",
           _esl_series, labels=("node", "result"), buckets=LATENCY_BOUNDS),
    Metric(PREFIX + "switch_connected", GAUGE,
           "command connections up to the node (summed over gunicorn workers)",
           lambda s: s["gauges"]["switch_connected"], labels=("node",)),
    Metric(PREFIX + "events_published", COUNTER, "document events handed to the broker",
           lambda s: s["counters"]["events"]["published"]),
    Metric(PREFIX + "events_confirmed", COUNTER, "document events the broker confirmed",
           lambda s: s["counters"]["events"]["confirmed"]),
    Metric(PREFIX + "events_dropped", COUNTER, "document events dropped (publish buffer full)",
           lambda s: s["counters"]["events"]["dropped"]),
    Metric(PREFIX + "events_buffered", GAUGE, "document events waiting for the broker",
           lambda s: s["gauges"]["events_buffered"]),
    Metric(PREFIX + "login_failures", COUNTER, "failed logins (api_auth, user_auth)",
           lambda s: s["counters"]["logins"]["failures"]),
    Metric(PREFIX + "login_throttled", COUNTER, "logins refused while locked out (429)",
           lambda s: s["counters"]["logins"]["throttled"]),
)


def readiness_checks(services, store_probe):
    def broker():
        if services.events is None:
            return True, "not used"
        connected = services.events.stats().get("connected", True)
        return connected, {"connected": connected}

    def switches():
        pool = getattr(services.live, "pool", None)
        if pool is None:
            return True, "no FreeSWITCH node configured"
        return switches_check(pool, need_all=False)()   # one node left still serves

    return {"store": store_probe.check, "broker": broker, "switches": switches}


def observe(app, spool_dir=None, *, service="crossbar", extra_checks=None,
            extra_collectors=()):
    """Count requests and mount /health, /ready, /metrics on ``app``; returns the
    ``HealthApp``. ``spool_dir``: gunicorn's per-worker spool (None: this
    process alone). kz-all adds the checks and collectors of the services it
    runs beside crossbar (``extra_checks``, ``extra_collectors``)."""
    services = app.extensions[EXTENSION]
    stats = app.extensions[STATS_KEY] = RequestStats()
    app.after_request(stats.record)
    read = lambda: snapshot(services, stats)  # noqa: E731
    if spool_dir:
        from kzcore.stats_spool import StatsSpool
        spool = StatsSpool(spool_dir, read).start()
        read = spool.merged
    checks = dict(readiness_checks(services, StoreProbe(services.store)), **(extra_checks or {}))
    health = HealthApp(service, checks=checks, details=lambda: {"node": services.node},
                       registry=make_registry(StatsCollector(read, METRICS),
                                              *extra_collectors))
    app.wsgi_app = HealthMount(health, app.wsgi_app)
    app.extensions["kz_health"] = health
    return health
