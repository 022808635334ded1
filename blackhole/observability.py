"""The gateway's ``/health``, ``/ready`` and ``/metrics`` (plain HTTP on its
websocket port: ``kzcore.health``, ``kzcore.metrics``).

Ready = its bus consumer is connected and consuming, and the document store
(account scope, token checks) answers. ``/health`` shows the gateway's
counters. Every series is read from counters the gateway already keeps, when
Prometheus asks.
"""
from kzcore.health import HealthApp
from kzcore.metrics import COUNTER, GAUGE, Metric, StatsCollector, make_registry
from kzcore.probes import StoreProbe
from kzcore.timings import labelled

PREFIX = "kz_blackhole_"


def _gauge(name, help_text, key):
    return Metric(PREFIX + name, GAUGE, help_text, lambda s: s[key])


def _counter(name, help_text, key):
    return Metric(PREFIX + name, COUNTER, help_text, lambda s: s[key])


METRICS = (
    _gauge("websocket_clients", "websocket connections open", "sessions"),
    _gauge("subscriptions", "bindings subscribed, over every connection", "subscriptions"),
    _gauge("bus_bindings", "bindings applied on the broker (the union of the clients')",
           "bus_bindings"),
    _gauge("queued_frames", "frames waiting in the clients' outboxes", "queued_frames"),
    _counter("events_received", "events read from the bus", "events_received"),
    _counter("frames_queued", "event frames handed to clients' outboxes", "frames_queued"),
    _counter("events_dropped", "events dropped for clients too slow to read them",
             "events_dropped"),
    _counter("events_overflowed", "events dropped because the fan-out queue was full",
             "events_overflowed"),
    _counter("connections_refused", "connections refused over the connection cap",
             "connections_refused"),
    _counter("header_timeouts", "clients dropped for not sending their upgrade in time",
             "header_timeouts"),
    _counter("resumes", "subscriptions restored from a resume token (a client that came "
             "back, possibly from another instance)", "resumes"),
    Metric(PREFIX + "disconnects", COUNTER, "websocket connections closed, by reason",
           lambda s: labelled(s["disconnects"]), labels=("reason",)),
    Metric(PREFIX + "bus_connected", GAUGE, "1 while the bus consumer is consuming",
           lambda s: s["bus_connected"]),
)


def bus_ready(consumer):
    """The consumer's own flag (an in-process bus is always there)."""
    wait_ready = getattr(consumer, "wait_ready", None)
    return bool(wait_ready(0)) if wait_ready is not None else True


def health_app(gateway, consumer, store):
    def bus():
        ready = bus_ready(consumer)
        return ready, {"consuming": ready}

    def snapshot():
        return dict(gateway.stats(), bus_connected=int(bus_ready(consumer)))

    registry = make_registry(StatsCollector(snapshot, METRICS))
    return HealthApp("blackhole", checks={"bus": bus, "store": StoreProbe(store).check},
                     details=gateway.stats, registry=registry)
