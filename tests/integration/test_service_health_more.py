"""/health, /ready and /metrics of kz-callin, kz-webhooks and kz-all (the
servers their command lines start), scraped over HTTP while a dependency goes
away; and crossbar under gunicorn, whose /metrics adds up every worker."""
import os
import signal
import socket
import subprocess
import sys
import urllib.parse

import pytest
import requests

from callin.cli import build_server, serve_observability as callin_observability
from kzcore.bus.pika_publisher import PikaPublisher
from kzcore.config import load_config
from kzcore.store.couch import CouchStore
from kzcore.store.embedded import EmbeddedStore
from tests.support.lb import RoundRobinProxy
from tests.support.paths import REPO
from tests.support.rabbit import delete_queues
from tests.support.scrape import names, scrape, value, wait_for, wait_ready
from tests.support.webhooks import (bus_event, create_webhook, receiver,  # noqa: F401
                                    start_service, webhook_api)
from webhooks.cli import serve_observability as webhooks_observability
from kzcore.bus.event_sources import DurableQueue

pytestmark = [pytest.mark.timeout(120)]


def fast_store_probe(health):
    probe = health.checks["store"].__self__
    probe.interval = probe.timeout = 0.1


@pytest.fixture
def couch_proxy(couch_url):
    """The suite's CouchDB-API server behind a proxy that can be cut; ``.store()``."""
    parsed = urllib.parse.urlsplit(couch_url)
    proxy = RoundRobinProxy([(parsed.hostname, parsed.port or 5984)]).start()
    proxy.store = lambda: CouchStore(proxy.url(), parsed.username or "", parsed.password or "")
    yield proxy
    proxy.cut()


@pytest.mark.couch
def test_callin_counts_calls_and_refusals_and_needs_its_store(couch_proxy, tmp_path):
    config = load_config(env={}, callin_port=0, callin_allowed_peers="192.0.2.1",
                         callin_health_port=0, recordings_dir=str(tmp_path))
    store = couch_proxy.store()
    server = build_server(config, store).start()
    health = callin_observability(config, server, store)
    base = f"http://127.0.0.1:{health.server_port}"
    fast_store_probe(health.application)
    try:
        assert wait_ready(base, True)["checks"]["listener"]["ok"] is True
        for _ in range(2):                        # 127.0.0.1 is not FreeSWITCH here
            with socket.create_connection(("127.0.0.1", server.port), timeout=2) as sock:
                sock.settimeout(2)
                assert sock.recv(10) == b""       # closed at once, without a word
        samples = wait_for(lambda: (lambda s: s if value(
            s, "kz_callin_refusals_total", reason="peer") == 2 else None)(scrape(base)))
        assert {"kz_callin_calls_total", "kz_callin_pin_throttled_total",
                "kz_callin_wrong_pins_total", "kz_callin_active_calls"} <= names(samples)
        assert value(samples, "kz_callin_calls_total") == 0
        assert value(samples, "kz_callin_refusals_total", reason="busy") == 0
        couch_proxy.cut()
        body = wait_ready(base, False)
        assert body["checks"]["store"]["ok"] is False and body["checks"]["listener"]["ok"]
        couch_proxy.start()
        wait_ready(base, True)
    finally:
        health.stop(timeout=1)
        server.stop(timeout=1)


@pytest.mark.rabbitmq
@pytest.mark.slow
def test_webhooks_count_deliveries_and_failures_and_need_their_queue(
        amqp_url, amqp_proxy, temp_exchange, receiver):  # noqa: F811
    store = EmbeddedStore(":memory:")
    api = webhook_api(store, None)
    create_webhook(api, api.root, receiver.url("/ok"), hook="participant", retries=0)
    create_webhook(api, api.root, receiver.url("/broken"), hook="participant", retries=0)
    receiver.respond = lambda request, index: (500 if request.path == "/broken" else 200, {}, 0)
    queue = f"kz-test-health-{temp_exchange}"
    source = DurableQueue(amqp_proxy.url, queue=queue, exchange=temp_exchange)
    service = start_service(store, source, None)
    config = load_config(env={}, webhooks_health_port=0)
    health = webhooks_observability(config, service, store, "webhooks@test")
    base = f"http://127.0.0.1:{health.server_port}"
    publisher = PikaPublisher(amqp_url, exchange=temp_exchange, connection_name="kz-test-pub")
    try:
        assert source.wait_ready(10) and wait_ready(base, True)
        publisher.publish(*bus_event(api.root.account_id, "room-h", "mute-member", "call-1"))
        samples = wait_for(lambda: (lambda s: s if value(
            s, "kz_webhooks_delivery_failures_total") == 1 else None)(scrape(base)))
        assert value(samples, "kz_webhooks_events_received_total") == 1
        assert value(samples, "kz_webhooks_deliveries_total") == 1
        assert value(samples, "kz_webhooks_attempts_total", result="success") == 1
        assert value(samples, "kz_webhooks_attempts_total", result="failed") == 1
        assert value(samples, "kz_webhooks_queue_consuming") == 1
        amqp_proxy.cut()
        assert wait_ready(base, False)["checks"]["broker"]["ok"] is False
        amqp_proxy.start()
        wait_ready(base, True, timeout=30)
    finally:
        publisher.close()
        health.stop(timeout=1)
        service.stop()
        delete_queues(amqp_url, queue)
        store.close()


KZ_ALL_CHECKS = {"store", "broker", "switches", "ecallmgr.broker", "ecallmgr.switches",
                 "blackhole.bus", "webhooks.broker", "callin.listener", "lifecycle.broker",
                 "lifecycle.switches", "transcribe.broker"}


def test_kz_all_serves_every_services_checks_and_series(tmp_path):
    from kzdemo.stack import Stack
    config = load_config(env={}, store_path=str(tmp_path / "store.sqlite3"), listen_port=0,
                         blackhole_port=0, callin_port=0,
                         esl_nodes="freeswitch@allinone=127.0.0.1:0:ClueCon",
                         recordings_dir=str(tmp_path / "rec"), token_secret="kz-all-health")
    stack = Stack(config).start()
    base = stack.api_url[:-len("/v2")]
    try:
        body = wait_ready(base, True)
        assert set(body["checks"]) == KZ_ALL_CHECKS and body["service"] == "kz-all"
        prefixes = {name.split("_")[1] for name in names(scrape(base))}
        assert {"crossbar", "ecallmgr", "blackhole", "webhooks", "callin", "lifecycle",
                "transcribe"} <= prefixes
        stack.sim.stop()
        body = wait_ready(base, False)
        failed = {name for name, check in body["checks"].items() if not check["ok"]}
        assert failed == {"switches", "ecallmgr.switches", "lifecycle.switches"}
    finally:
        stack.stop()


def gunicorn_crossbar(tmp_path, workers=2):
    """crossbar under gunicorn as docker-compose runs it, with ``workers`` workers."""
    from kzcore.schemas.loader import load_schemas
    from tests.support.couch import free_port
    from tests.support.crossbar_procs import product_env
    seed = EmbeddedStore(str(tmp_path / "store.sqlite3"))
    load_schemas(seed)
    seed.close()
    port = free_port()
    env = product_env(store="embedded", store_path=tmp_path / "store.sqlite3", esl_nodes="",
                      token_secret="gunicorn-health", log_level="WARNING",
                      listen_host="127.0.0.1", listen_port=port,
                      metrics_dir=tmp_path / "metrics")
    (tmp_path / "metrics").mkdir()
    process = subprocess.Popen(
        [os.path.join(os.path.dirname(sys.executable), "gunicorn"), "-c",
         "python:crossbar.gunicorn_conf", "--workers", str(workers), "crossbar.wsgi:application"],
        env=env, cwd=str(REPO), stdout=subprocess.DEVNULL,
        stderr=open(tmp_path / "gunicorn.log", "wb"))
    return process, f"http://127.0.0.1:{port}", tmp_path / "metrics"


def worker_pids(directory):
    return sorted(int(p.name.split(".")[0]) for p in directory.glob("*.json")
                  if p.name.split(".")[0].isdigit())


def login_failures(base):
    return value(scrape(base), "kz_crossbar_request_duration_seconds_count", method="PUT",
                 route="/v2/api_auth", status="401")


@pytest.mark.slow
def test_gunicorn_workers_add_up_their_counters_even_after_one_died(tmp_path):
    process, base, spool = gunicorn_crossbar(tmp_path)
    try:
        wait_for(lambda: _answers(base) and len(worker_pids(spool)) == 2, timeout=30)
        for _ in range(20):      # a new connection each: gunicorn spreads them over workers
            reply = requests.put(base + "/v2/api_auth", json={"data": {"api_key": "no"}},
                                 timeout=5)
            assert reply.status_code == 401
        for _ in range(6):       # whichever worker answers the scrape: the same sum
            assert wait_for(lambda: login_failures(base) == 20, timeout=5)
        counted = wait_for(lambda: (lambda c: c if sum(c.values()) == 20 else None)(
            {pid: _own_count(spool, pid) for pid in worker_pids(spool)}), timeout=5)
        victim = max(counted, key=counted.get)       # the worker that counted the most
        assert counted[victim] > 0 and sum(counted.values()) == 20, counted
        os.kill(victim, signal.SIGKILL)              # the master replaces it ...
        wait_for(lambda: victim not in worker_pids(spool) and len(worker_pids(spool)) == 2,
                 timeout=30)
        for _ in range(6):       # ... and its counts stay in the sum (dead.json)
            assert login_failures(base) == 20
        assert (spool / "dead.json").exists()
    finally:
        process.terminate()
        process.wait(timeout=15)


def _own_count(spool, pid):
    """What one worker last wrote of the 401s it served itself."""
    import json
    requests_seen = json.loads((spool / f"{pid}.json").read_text())["counters"]["requests"]
    series = requests_seen.get("PUT\t/v2/api_auth\t401")
    return sum(series["buckets"]) if series else 0


def _answers(base):
    try:
        return requests.get(base + "/health", timeout=2).status_code == 200
    except requests.RequestException:    # not listening yet, or no worker loaded yet
        return False
