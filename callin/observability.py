"""kz-callin's ``/health``, ``/ready`` and ``/metrics`` (``kzcore.health``,
``kzcore.metrics``), on ``KZ_CALLIN_HEALTH_HOST:KZ_CALLIN_HEALTH_PORT``: a
port of its own, because the call-in socket only talks to FreeSWITCH.

Ready = the listener is open and the document store (conference numbers, PINs)
answers. Series come from ``callin.stats`` and the connection gate, read when
Prometheus asks.
"""
from kzcore.health import HealthApp
from kzcore.metrics import COUNTER, GAUGE, Metric, StatsCollector, make_registry
from kzcore.probes import StoreProbe

PREFIX = "kz_callin_"
REFUSALS = {"peer": "refused_peer", "busy": "refused_busy", "secret": "refused_secret"}


def _counter(name, help_text, key):
    return Metric(PREFIX + name, COUNTER, help_text, lambda s: s[key])


METRICS = (
    _counter("calls", "outbound-socket connections served as calls", "calls"),
    Metric(PREFIX + "refusals", COUNTER,
           "connections closed at once: peer not allowed, over the cap, wrong secret",
           lambda s: {reason: s[key] for reason, key in REFUSALS.items()}, labels=("reason",)),
    _counter("wrong_pins", "PIN entries that were wrong", "wrong_pins"),
    _counter("pin_throttled", "PIN entries refused by the throttle", "pin_throttled"),
    _counter("prompt_failures", "prompts FreeSWITCH could not play", "prompt_failures"),
    _counter("dropped_frames", "peers dropped for a frame over the limits", "dropped_frames"),
    Metric(PREFIX + "active_calls", GAUGE, "calls in progress", lambda s: s["active_calls"]),
)


def health_app(server, store, node=""):
    def listening():
        return server.listening, {"port": server.port}

    def snapshot():
        return dict(server.stats.snapshot(), active_calls=server.active_calls)

    registry = make_registry(StatsCollector(snapshot, METRICS))
    return HealthApp("callin", checks={"listener": listening, "store": StoreProbe(store).check},
                     details=lambda: {"node": node}, registry=registry)
