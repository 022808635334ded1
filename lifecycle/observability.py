"""kz-lifecycle's ``/health``, ``/ready`` and ``/metrics`` (``kzcore.health``,
``kzcore.metrics``), on ``KZ_LIFECYCLE_HEALTH_HOST:KZ_LIFECYCLE_HEALTH_PORT``.

Ready = its RabbitMQ connection is up (the lease holder's and a standby's alike:
a standby can take over), the document store answers (rules, run records) and
every FreeSWITCH node of ``KZ_ESL_NODES`` is connected (it ends rooms on any of
them). ``/health`` and ``/ready`` say whether this copy is the ``active`` one
(holds the lease) or a ``standby``. Series are read from the service's own
counters at scrape time.
"""
from kzcore.health import HealthApp
from kzcore.metrics import COUNTER, GAUGE, Metric, StatsCollector, make_registry
from kzcore.probes import StoreProbe, switches_check

PREFIX = "kz_lifecycle_"


def role(service):
    return "active" if service.active else "standby"


def snapshot(service, pool):
    return dict(service.stats(), received=getattr(service.source, "received", 0),
                broker=bool(service.source.connected), lease=bool(service.source.held),
                connected=set(pool.connected_names()), nodes=pool.names())


METRICS = (
    Metric(PREFIX + "active", GAUGE, "1 while this copy holds the lease and acts",
           lambda s: int(s["active"])),
    Metric(PREFIX + "rooms_watched", GAUGE, "rooms this copy watches (0 on a standby)",
           lambda s: s["rooms_watched"]),
    Metric(PREFIX + "rooms_with_rules", GAUGE,
           "watched rooms with a rule (connect, max_duration_s, empty_timeout_s, "
           "wait_for_moderator_timeout_s)", lambda s: s["rooms_with_rules"]),
    Metric(PREFIX + "events_received", COUNTER, "events read from the lifecycle queue",
           lambda s: s["received"]),
    Metric(PREFIX + "events", COUNTER, "bus events handled, by event name",
           lambda s: s["events"], labels=("event",)),
    Metric(PREFIX + "rooms_ended", COUNTER,
           "rooms this copy ended (end commands the switch carried out), by end reason",
           lambda s: s["ended"], labels=("reason",)),
    Metric(PREFIX + "end_failures", COUNTER, "end commands that failed (retried)",
           lambda s: s["end_failures"]),
    Metric(PREFIX + "members_kicked", COUNTER,
           "members hung up for waiting too long for a moderator", lambda s: s["kicked"]),
    Metric(PREFIX + "runs_closed_unseen", COUNTER,
           "runs closed here because their conference-ended never came",
           lambda s: s["closed_unseen"]),
    Metric(PREFIX + "sweeps", COUNTER, "sweeps of every node's rooms", lambda s: s["sweeps"]),
    Metric(PREFIX + "backlog", GAUGE, "events and looks queued for the worker",
           lambda s: s["backlog"]),
    Metric(PREFIX + "broker_connected", GAUGE, "1 while the RabbitMQ connection is up",
           lambda s: int(s["broker"])),
    Metric(PREFIX + "switch_connected", GAUGE, "1 while the event socket to the switch is up",
           lambda s: {node: int(node in s["connected"]) for node in s["nodes"]},
           labels=("node",)),
)


def readiness_checks(service, store, pool):
    def broker():
        source = service.source
        return bool(source.connected), {"connected": bool(source.connected),
                                        "lease": bool(source.held)}

    return {"broker": broker, "store": StoreProbe(store).check,
            "switches": switches_check(pool)}


def health_app(service, store, pool, node=""):
    registry = make_registry(StatsCollector(lambda: snapshot(service, pool), METRICS))
    return HealthApp("lifecycle", checks=readiness_checks(service, store, pool),
                     details=lambda: {"node": node, "role": role(service)}, registry=registry)
