"""kz-ecallmgr's /health, /ready and /metrics, scraped from the real process while
its switch and its broker come and go."""
import uuid

from prometheus_client.parser import text_string_to_metric_families

from tests.integration.test_ecallmgr_ha import ACCOUNT, ecallmgr_factory, wait_for  # noqa: F401

SERIES = ("kz_ecallmgr_events_received_total", "kz_ecallmgr_events_published_total",
          "kz_ecallmgr_events_confirmed_total", "kz_ecallmgr_events_buffered",
          "kz_ecallmgr_resyncs_total", "kz_ecallmgr_lease_active",
          "kz_ecallmgr_switch_connected", "kz_ecallmgr_lease_connected",
          "kz_ecallmgr_standby_pending", "kz_ecallmgr_lease_promotions_total")


def scrape(process):
    status, text = process.get("/metrics")
    assert status == 200
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(samples, name, **labels):
    return samples[(name, tuple(sorted(labels.items())))]


def test_metrics_count_the_event_path_and_show_the_lease(ecallmgr_factory, fssim):
    ecallmgr = ecallmgr_factory("ecallmgr-metrics")
    ecallmgr.wait_role(fssim.node_name, "active")
    alice = fssim.join(f"{ACCOUNT}_{uuid.uuid4().hex}", "1001", "Alice")
    fssim.emit_talk_burst(alice.uuid, 50, 500).join(timeout=10)

    def settled():
        samples = scrape(ecallmgr)
        confirmed = value(samples, "kz_ecallmgr_events_confirmed_total")
        return confirmed >= 50 and confirmed == value(samples, "kz_ecallmgr_events_published_total")
    wait_for(settled)
    samples = scrape(ecallmgr)
    names = {name for name, _ in samples}
    assert set(SERIES) <= names, set(SERIES) - names
    published = value(samples, "kz_ecallmgr_events_published_total")
    assert value(samples, "kz_ecallmgr_events_received_total") > published >= 50
    assert value(samples, "kz_ecallmgr_events_confirmed_total") == published
    assert value(samples, "kz_ecallmgr_events_buffered") == 0
    assert value(samples, "kz_ecallmgr_resyncs_total") >= 2     # on connect, on winning the lease
    assert value(samples, "kz_ecallmgr_lease_active", switch=fssim.node_name) == 1
    assert value(samples, "kz_ecallmgr_switch_connected", switch=fssim.node_name) == 1
    assert value(samples, "kz_ecallmgr_lease_promotions_total") == 1


def test_ready_flips_when_the_switch_goes_away(ecallmgr_factory, fssim):
    ecallmgr = ecallmgr_factory("ecallmgr-ready")
    ecallmgr.wait_role(fssim.node_name, "active")
    assert ecallmgr.get("/ready")[0] == 200
    fssim.stop()
    wait_for(lambda: ecallmgr.get("/ready")[0] == 503)
    status, body = ecallmgr.get("/ready")
    assert body["checks"]["switches"] == {
        "ok": False, "detail": {"connected": [], "unreachable": [fssim.node_name]}}
    assert body["checks"]["broker"]["ok"] is True
    assert ecallmgr.get("/health")[0] == 200               # the process itself is fine
    ecallmgr.wait_role(fssim.node_name, "standby")          # a switch it cannot see: let go
    assert value(scrape(ecallmgr), "kz_ecallmgr_switch_connected", switch=fssim.node_name) == 0
    fssim.start()
    wait_for(lambda: ecallmgr.get("/ready")[0] == 200)
    ecallmgr.wait_role(fssim.node_name, "active")


def test_ready_flips_when_the_broker_goes_away(ecallmgr_factory, fssim, amqp_proxy):
    ecallmgr = ecallmgr_factory("ecallmgr-broker", url=amqp_proxy.url)
    ecallmgr.wait_role(fssim.node_name, "active")
    amqp_proxy.cut()
    wait_for(lambda: ecallmgr.get("/ready")[0] == 503)
    # the lease connection notices at once; an idle publisher on its next poll
    wait_for(lambda: ecallmgr.get("/ready")[1]["checks"]["broker"] == {
        "ok": False, "detail": {"publisher": False, "lease": False}})
    status, body = ecallmgr.get("/ready")
    assert body["checks"]["switches"]["ok"] is True
    assert value(scrape(ecallmgr), "kz_ecallmgr_lease_connected") == 0
    amqp_proxy.start()
    wait_for(lambda: ecallmgr.get("/ready")[0] == 200)
    ecallmgr.wait_role(fssim.node_name, "active")          # nobody else: it takes the lease back
