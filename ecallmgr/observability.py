"""ecallmgr's /health, /ready and /metrics (``kzcore.health``, ``kzcore.metrics``).

Ready = the broker connections are up (publisher, and the lease connection when
there is one) and every configured FreeSWITCH node is connected. Both /health and
/ready show this instance's role per switch (active or standby).
"""
from kzcore.health import HealthApp
from kzcore.metrics import COUNTER, GAUGE, Metric, StatsCollector, make_registry

PREFIX = "kz_ecallmgr_"


def _snapshot(daemon):
    return {"stream": daemon.stream.stats(), "publisher": daemon.publisher.stats(),
            "handover": daemon.outlet.stats(), "roles": daemon.roles(),
            "connected": set(daemon.pool.connected_names()), "switches": daemon.switches,
            "lease_connected": daemon.lease.connected if daemon.lease is not None else None,
            "takeover_seconds": daemon.lease.takeover_seconds if daemon.lease else {}}


def _per_switch(fn):
    return lambda s: {switch: fn(s, switch) for switch in s["switches"]}


def _counter(name, help_text, section, key):
    return Metric(PREFIX + name, COUNTER, help_text, lambda s: s[section].get(key, 0))


METRICS = (
    _counter("events_received", "FreeSWITCH events read from the event sockets",
             "stream", "received"),
    _counter("events_emitted", "Kazoo events made from them (published, or kept while standing by)",
             "stream", "published"),
    _counter("events_synthetic", "synthetic events made by resyncs and lost nodes",
             "stream", "synthetic"),
    _counter("events_published", "events handed to the broker connection",
             "publisher", "published"),
    _counter("events_confirmed", "events the broker confirmed", "publisher", "confirmed"),
    _counter("events_dropped", "events dropped from a full publish buffer", "publisher", "dropped"),
    _counter("events_discarded", "unconfirmed events taken back on losing the leases",
             "publisher", "discarded"),
    Metric(PREFIX + "events_buffered", GAUGE, "events waiting for the broker's confirm",
           lambda s: s["publisher"]["buffered"]),
    _counter("broker_reconnects", "publisher reconnections to RabbitMQ", "publisher", "reconnects"),
    _counter("resyncs", "resyncs with a node's conference json_list", "stream", "resyncs"),
    _counter("resync_failures", "resyncs that failed (retried)", "stream", "resync_failed"),
    _counter("lease_promotions", "switch leases won (this instance became active)",
             "handover", "promotions"),
    _counter("lease_demotions", "lease connections lost while active", "handover", "demotions"),
    _counter("standby_skipped", "events a standby dropped: seen published by the holder",
             "handover", "standby_skipped"),
    _counter("takeover_published", "events a new holder published from its standby buffer",
             "handover", "takeover_published"),
    Metric(PREFIX + "standby_pending", GAUGE, "events a standby keeps, not yet seen published",
           lambda s: s["handover"]["pending"]),
    Metric(PREFIX + "lease_active", GAUGE, "1 while this instance publishes the switch's events",
           _per_switch(lambda s, sw: s["roles"][sw] == "active"), labels=("switch",)),
    Metric(PREFIX + "switch_connected", GAUGE, "1 while the event socket to the switch is up",
           _per_switch(lambda s, sw: sw in s["connected"]), labels=("switch",)),
    Metric(PREFIX + "lease_connected", GAUGE, "1 while the lease connection to RabbitMQ is up",
           lambda s: s["lease_connected"]),
    Metric(PREFIX + "takeover_seconds", GAUGE,
           "seconds from winning a switch's lease to publishing as its holder (last takeover)",
           lambda s: s["takeover_seconds"], labels=("switch",)),
)


def readiness_checks(daemon):
    def broker():
        return daemon.broker_connected(), {
            "publisher": daemon.publisher.stats().get("connected", True),
            "lease": daemon.lease.connected if daemon.lease is not None else "not used"}

    def switches():
        connected = set(daemon.pool.connected_names())
        missing = [s for s in daemon.switches if s not in connected]
        return not missing, {"connected": sorted(connected), "unreachable": missing}

    return {"broker": broker, "switches": switches}


def health_app(daemon):
    registry = make_registry(StatsCollector(lambda: _snapshot(daemon), METRICS))
    return HealthApp("ecallmgr", checks=readiness_checks(daemon),
                     details=lambda: {"node": daemon.node, "roles": daemon.roles()},
                     registry=registry)
