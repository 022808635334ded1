"""crossbar's and blackhole's /health, /ready and /metrics over real HTTP, while
their dependencies come and go: the document store (a CouchDB-API server behind
a proxy the test cuts), RabbitMQ (behind ``amqp_proxy``) and FreeSWITCH (the
simulator, stopped and started)."""
import pytest

from crossbar.bootstrap import bootstrap
from crossbar.cli import close_app, http_server, make_app
from crossbar.context import EXTENSION
from kzcore.bus.pika_consumer import PikaConsumer
from kzcore.config import load_config
from kzcore.naming import fs_conference_name
from kzcore.tokens import TokenSigner
from tests.integration.test_blackhole_rabbit import Rabbit, publish
from tests.integration.test_blackhole_support import (PARENT, SECRET, Client, account_store,
                                                      start_gateway)
from tests.support.couch import stop_process
from tests.support.crossbar_procs import HttpApi, start_pouchdb
from tests.support.lb import RoundRobinProxy
from tests.support.scrape import get, names, scrape, value, wait_for, wait_ready

pytestmark = [pytest.mark.rabbitmq, pytest.mark.couch, pytest.mark.timeout(120)]
FAST_PROBE = 0.1


@pytest.fixture(scope="module")
def couch(tmp_path_factory):
    """A CouchDB-API server of this module's own, behind a proxy that can be cut."""
    url, process = start_pouchdb(tmp_path_factory.mktemp("health-couch"))
    host, port = url.rsplit("//", 1)[1].split(":")
    proxy = RoundRobinProxy([(host, int(port))]).start()
    yield proxy
    proxy.cut()
    stop_process(process)


def fast_store_probe(health):
    probe = health.checks["store"].__self__        # kzcore.probes.StoreProbe
    probe.interval = probe.timeout = FAST_PROBE


@pytest.fixture
def crossbar(couch, fssim, amqp_proxy, temp_exchange):
    config = load_config(env={}, store="couchdb", couch_url=couch.url(), token_secret=SECRET,
                         esl_nodes=f"{fssim.node_name}=127.0.0.1:{fssim.port}:ClueCon",
                         esl_timeout=2, amqp_url=amqp_proxy.url, amqp_exchange=temp_exchange,
                         listen_port=0, log_level="WARNING")
    app = make_app(config)
    fast_store_probe(app.extensions["kz_health"])
    server = http_server(("127.0.0.1", 0), app, config)
    server.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", app
    finally:
        server.stop(timeout=1)
        close_app(app)


CROSSBAR_SERIES = {"kz_crossbar_request_duration_seconds_bucket",
                   "kz_crossbar_request_duration_seconds_count",
                   "kz_crossbar_request_duration_seconds_sum", "kz_crossbar_actions_total",
                   "kz_crossbar_esl_round_trip_seconds_count", "kz_crossbar_switch_connected",
                   "kz_crossbar_events_published_total", "kz_crossbar_events_confirmed_total",
                   "kz_crossbar_events_buffered", "kz_crossbar_login_failures_total"}
MEMBER_ROUTE = ("/v2/accounts/<account_id>/conferences/<conference_id>/participants/"
                "<participant_id>")


def test_crossbar_metrics_count_requests_actions_and_esl_round_trips(crossbar, fssim):
    base, app = crossbar
    store = app.extensions[EXTENSION].store
    admin = bootstrap(store, account_name="Health Co", realm="health.test", username="admin",
                      password="pw-health")
    api = HttpApi(base, store)
    token = api.call("PUT", "/v2/api_auth", {"api_key": admin["api_key"]}).body["auth_token"]
    assert api.call("PUT", "/v2/api_auth", {"api_key": "wrong"}).status_code == 401
    account = admin["account_id"]
    conference = api.call("PUT", f"/v2/accounts/{account}/conferences", {"name": "Health"},
                          token=token).body["data"]["id"]
    alice = fssim.join(fs_conference_name(account, conference), "1001", "Alice")
    path = f"/v2/accounts/{account}/conferences/{conference}/participants/{alice.id}"
    for action, status in (("mute", 202), ("unmute", 202), ("dance", 400)):
        reply = api.call("PUT", path, {"action": action, "data": {}}, token=token)
        assert reply.status_code == status, reply.body
    samples = wait_for(lambda: (lambda s: s if value(
        s, "kz_crossbar_events_confirmed_total") else None)(scrape(base)))
    assert CROSSBAR_SERIES <= names(samples), CROSSBAR_SERIES - names(samples)
    assert value(samples, "kz_crossbar_request_duration_seconds_count",
                 method="PUT", route=MEMBER_ROUTE, status="202") == 2
    assert value(samples, "kz_crossbar_request_duration_seconds_count",
                 method="PUT", route="/v2/api_auth", status="401") == 1
    assert value(samples, "kz_crossbar_actions_total", action="mute", outcome="ok") == 1
    assert value(samples, "kz_crossbar_actions_total", action="(invalid)",
                 outcome="invalid") == 1
    assert value(samples, "kz_crossbar_esl_round_trip_seconds_count",
                 node=fssim.node_name, result="ok") >= 2
    assert value(samples, "kz_crossbar_switch_connected", node=fssim.node_name) == 1
    assert value(samples, "kz_crossbar_events_published_total") >= 1   # conference created
    assert value(samples, "kz_crossbar_login_failures_total") == 1


def test_crossbar_ready_flips_with_the_switch_the_broker_and_the_store(
        crossbar, fssim, amqp_proxy, couch):
    base, _app = crossbar
    wait_ready(base, True)                 # once its broker connection is up
    fssim.stop()
    body = wait_ready(base, False)
    assert body["checks"]["switches"] == {"ok": False, "detail": {
        "connected": [], "unreachable": [fssim.node_name]}}
    assert get(base, "/health")[0] == 200                    # the process itself is fine
    fssim.start()
    wait_ready(base, True)
    amqp_proxy.cut()
    body = wait_ready(base, False)
    assert body["checks"]["broker"]["ok"] is False and body["checks"]["switches"]["ok"]
    amqp_proxy.start()
    wait_ready(base, True, timeout=30)
    couch.cut()
    body = wait_ready(base, False)
    assert body["checks"]["store"]["ok"] is False
    assert "error" in body["checks"]["store"]["detail"]
    couch.start()
    wait_ready(base, True)


@pytest.fixture
def rabbit(amqp_url, temp_exchange):
    made = Rabbit(amqp_url, temp_exchange)    # publishes straight to the broker
    yield made
    made.connection.close()


@pytest.fixture
def gateway(amqp_proxy, temp_exchange):
    consumer = PikaConsumer(amqp_proxy.url, exchange=temp_exchange)
    made = start_gateway(consumer, account_store())
    assert consumer.wait_ready(10)
    yield f"http://127.0.0.1:{made.port}", made
    made.stop()


def test_blackhole_metrics_and_readiness(gateway, rabbit, amqp_proxy):
    base, made = gateway
    client = Client(made)
    try:
        token = TokenSigner(SECRET).issue({"account_id": PARENT})
        assert client.subscribe(token, PARENT, "conference.event.room1.*")["status"] == "success"
        publish(rabbit, PARENT, "room1", "call1")
        assert client.events_until(lambda e: True)[0]["routing_key"].endswith("room1.call1")
        samples = scrape(base)
        assert value(samples, "kz_blackhole_websocket_clients") == 1
        assert value(samples, "kz_blackhole_subscriptions") == 1
        assert value(samples, "kz_blackhole_events_received_total") >= 1
        assert value(samples, "kz_blackhole_frames_queued_total") >= 1
        assert value(samples, "kz_blackhole_events_dropped_total") == 0
        assert value(samples, "kz_blackhole_bus_connected") == 1
        assert get(base, "/ready")[0] == 200
        status, health = get(base, "/health")
        assert status == 200 and health["sessions"] == 1 and health["service"] == "blackhole"
    finally:
        client.close()
    wait_for(lambda: value(scrape(base), "kz_blackhole_disconnects_total",
                           reason="closed by peer") == 1)
    amqp_proxy.cut()
    body = wait_ready(base, False)
    assert body["checks"]["bus"] == {"ok": False, "detail": {"consuming": False}}
    assert value(scrape(base), "kz_blackhole_bus_connected") == 0
    amqp_proxy.start()
    wait_ready(base, True, timeout=30)
