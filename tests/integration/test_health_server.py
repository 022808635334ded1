"""kzcore.health and kzcore.metrics over real HTTP: what any service mounts."""
import json
import urllib.error
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from kzcore.health import HealthApp, serve_health
from kzcore.metrics import COUNTER, GAUGE, Metric, StatsCollector, make_registry


def fetch(port, path, method="GET"):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


@pytest.fixture
def service():
    """A service with a broker flag, a stats dict and a health server on a free port."""
    state = {"broker": True, "stats": {"received": 0, "queued": 0, "per_peer": {}}}

    def broker():
        return state["broker"], {"connected": state["broker"]}

    def broken():
        if state.get("break"):
            raise RuntimeError("probe exploded")
        return True, "fine"

    metrics = [Metric("kz_test_received", COUNTER, "things received",
                      lambda s: s["received"]),
               Metric("kz_test_queued", GAUGE, "things queued", lambda s: s["queued"]),
               Metric("kz_test_peer_up", GAUGE, "1 per connected peer", lambda s: s["per_peer"],
                      labels=("peer",)),
               Metric("kz_test_missing", COUNTER, "not kept", lambda s: s["nope"])]
    registry = make_registry(StatsCollector(lambda: state["stats"], metrics))
    app = HealthApp("tester", checks={"broker": broker, "probe": broken},
                    details=lambda: {"roles": {"sw1": "active"}}, registry=registry)
    server = serve_health(app, "127.0.0.1", 0)
    state["port"] = server.server_port
    yield state
    server.stop(timeout=1)


def test_health_is_up_while_the_process_runs_and_shows_details(service):
    status, kind, body = fetch(service["port"], "/health")
    assert (status, kind) == (200, "application/json")
    assert json.loads(body) == {"status": "up", "service": "tester", "roles": {"sw1": "active"}}


def test_ready_follows_every_check(service):
    status, _, body = fetch(service["port"], "/ready")
    assert status == 200 and json.loads(body)["checks"]["broker"]["ok"] is True
    service["broker"] = False
    status, _, body = fetch(service["port"], "/ready")
    report = json.loads(body)
    assert status == 503 and report["status"] == "not ready"
    assert report["checks"]["broker"] == {"ok": False, "detail": {"connected": False}}
    assert report["checks"]["probe"]["ok"] is True
    service["broker"], service["break"] = True, True
    status, _, body = fetch(service["port"], "/ready")
    assert status == 503
    assert "probe exploded" in json.loads(body)["checks"]["probe"]["detail"]


def test_metrics_read_the_stats_at_scrape_time(service):
    service["stats"].update(received=41, queued=3, per_peer={"a": 1, "b": 0})
    status, kind, text = fetch(service["port"], "/metrics")
    assert status == 200 and kind.startswith("text/plain")
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for family in text_string_to_metric_families(text) for s in family.samples}
    assert samples[("kz_test_received_total", ())] == 41
    assert samples[("kz_test_queued", ())] == 3
    assert samples[("kz_test_peer_up", (("peer", "a"),))] == 1
    assert samples[("kz_test_peer_up", (("peer", "b"),))] == 0
    assert not any(name.startswith("kz_test_missing") for name, _ in samples)
    service["stats"]["received"] = 42
    assert "kz_test_received_total 42.0" in fetch(service["port"], "/metrics")[2]


def test_unknown_paths_and_methods_are_refused(service):
    assert fetch(service["port"], "/nope")[0] == 404
    assert fetch(service["port"], "/ready", method="POST")[0] == 405
