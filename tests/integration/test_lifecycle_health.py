"""kz-lifecycle's /health, /ready and /metrics (the server its command line
starts, ``lifecycle.cli.serve_observability``) scraped over HTTP: two copies on
one leased queue of the real RabbitMQ (one acts, one stands by), the simulator
over TCP ESL, ecallmgr publishing the events; the acting copy's broker
connection goes through a proxy the test cuts, and the switch goes away."""
import pytest

from lifecycle.cli import serve_observability
from lifecycle.compose import build_service, command_pool
from lifecycle.source import LeasedQueue
from tests.integration.lifecycle_rig import make_rig
from tests.support.rabbit import unique_name
from tests.support.scrape import get, names, scrape, value, wait_for, wait_ready

pytestmark = [pytest.mark.rabbitmq, pytest.mark.timeout(120)]

SERIES = {"kz_lifecycle_active", "kz_lifecycle_rooms_watched", "kz_lifecycle_rooms_with_rules",
          "kz_lifecycle_events_received_total", "kz_lifecycle_events_total",
          "kz_lifecycle_end_failures_total", "kz_lifecycle_members_kicked_total",
          "kz_lifecycle_runs_closed_unseen_total", "kz_lifecycle_sweeps_total",
          "kz_lifecycle_backlog", "kz_lifecycle_broker_connected",
          "kz_lifecycle_switch_connected"}


@pytest.fixture
def rig(fssim, amqp_url, temp_exchange):
    made = make_rig(fssim, amqp_url, temp_exchange)
    servers = []
    made.parts["health"] = servers
    yield made
    for server in made.parts.pop("health"):
        server.stop(timeout=1)
    made.teardown()


def start_copy(rig, url, name):
    """A lifecycle copy as kz-lifecycle wires it, consuming through ``url``; its
    health server's base URL."""
    pool = command_pool(rig.config)
    source = LeasedQueue(url, queue=rig.queue, exchange=rig.exchange,
                         poll=rig.config.lifecycle_lease_poll,
                         connection_name=unique_name("kz-test-lifecycle"))
    service = build_service(rig.config, store=rig.store, source=source, pool=pool).start()
    rig.parts[name] = (service, pool)
    server = serve_observability(rig.config.replace(lifecycle_health_port=0), service,
                                 rig.store, pool, f"lifecycle@{name}")
    rig.parts["health"].append(server)
    probe = server.application.checks["store"].__self__      # kzcore.probes.StoreProbe
    probe.interval = probe.timeout = 0.1
    return service, f"http://127.0.0.1:{server.server_port}"


def role(base):
    status, body = get(base, "/health")
    assert status == 200 and body["service"] == "lifecycle"
    return body["role"]


def test_the_acting_copy_counts_rooms_watched_and_ended_the_standby_nothing(rig, amqp_url):
    active, base = start_copy(rig, amqp_url, "lifecycle-a")
    wait_for(lambda: active.active)
    _standby, standby_base = start_copy(rig, amqp_url, "lifecycle-b")
    assert wait_ready(base, True)["role"] == "active"
    assert wait_ready(standby_base, True)["role"] == "standby"     # it can take over
    conference_id = rig.create(max_duration_s=2)
    rig.join(conference_id, "1001", "Alice")
    samples = wait_for(lambda: (lambda s: s if value(
        s, "kz_lifecycle_rooms_watched") == 1 else None)(scrape(base)))
    assert SERIES <= names(samples), SERIES - names(samples)
    assert value(samples, "kz_lifecycle_active") == 1
    assert value(samples, "kz_lifecycle_rooms_with_rules") == 1
    assert value(samples, "kz_lifecycle_switch_connected", node=rig.sim.node_name) == 1
    assert value(samples, "kz_lifecycle_events_total", event="conference-started") == 1
    wait_for(lambda: rig.wire_room(conference_id) is None, timeout=8)
    samples = wait_for(lambda: (lambda s: s if value(
        s, "kz_lifecycle_rooms_watched") == 0 else None)(scrape(base)))
    assert value(samples, "kz_lifecycle_rooms_ended_total", reason="max_duration") == 1
    assert value(samples, "kz_lifecycle_events_total", event="conference-ended") == 1
    assert value(samples, "kz_lifecycle_events_received_total") >= 3   # started, joined, ...
    assert value(samples, "kz_lifecycle_sweeps_total") >= 1            # on winning the lease
    idle = scrape(standby_base)
    assert value(idle, "kz_lifecycle_active") == 0
    assert value(idle, "kz_lifecycle_rooms_watched") == 0
    assert value(idle, "kz_lifecycle_events_received_total") == 0
    assert "kz_lifecycle_rooms_ended_total" not in names(idle)
    assert value(idle, "kz_lifecycle_broker_connected") == 1


def test_ready_follows_the_broker_and_the_switch_and_the_standby_takes_over(
        rig, amqp_url, amqp_proxy, fssim):
    first, base = start_copy(rig, amqp_proxy.url, "lifecycle-a")
    wait_for(lambda: first.active)
    _second, second_base = start_copy(rig, amqp_url, "lifecycle-b")
    wait_ready(base, True)
    assert role(base) == "active" and role(second_base) == "standby"
    amqp_proxy.cut()
    body = wait_ready(base, False)
    assert body["checks"]["broker"] == {"ok": False,
                                        "detail": {"connected": False, "lease": False}}
    assert body["checks"]["store"]["ok"] and body["checks"]["switches"]["ok"]
    assert get(base, "/health")[0] == 200                     # the process itself is fine
    assert value(scrape(base), "kz_lifecycle_broker_connected") == 0
    wait_for(lambda: role(second_base) == "active")           # the standby took the lease
    assert value(scrape(second_base), "kz_lifecycle_active") == 1
    assert value(scrape(base), "kz_lifecycle_active") == 0
    amqp_proxy.start()
    body = wait_ready(base, True, timeout=30)
    assert body["role"] == "standby" and body["checks"]["broker"]["detail"]["lease"] is False
    fssim.stop()
    body = wait_ready(base, False)
    assert body["checks"]["switches"] == {"ok": False, "detail": {
        "connected": [], "unreachable": [fssim.node_name]}}
    assert value(scrape(base), "kz_lifecycle_switch_connected", node=fssim.node_name) == 0
    fssim.start()
    wait_ready(base, True, timeout=30)
