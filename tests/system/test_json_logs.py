"""DEPLOY's promise: "Logs are JSON lines, one object per event with structured
fields". Each service runs as its console script (a process, as docker-compose
runs it), is driven through its ordinary traffic and its failure paths (a
FreeSWITCH node that is down, refused requests, a bad websocket frame, a caller
gone), and every line it wrote must be one JSON object."""
import json
import os
import signal
import socket
import sys
import time
import uuid
from collections import Counter

import pytest
import requests
import websocket

from kzcore.tokens import TokenSigner
from tests.support.couch import free_port
from tests.system.log_support import (
    SECRET, Service, console_script, messages, seeded_store, service_env, wait_until)


@pytest.fixture
def services():
    started = []

    def start(module_or_argv, env):
        argv = console_script(module_or_argv) if isinstance(module_or_argv, str) \
            else module_or_argv
        started.append(Service(argv, env))
        return started[-1]

    yield start
    for service in started:
        service.kill()


def test_crossbar_logs_json_lines_while_a_node_is_down(tmp_path, fssim, services):
    admin = seeded_store(tmp_path)
    port, down = free_port(), free_port()
    crossbar = services("crossbar.cli", service_env(
        tmp_path, KZ_LISTEN_PORT=port, KZ_ESL_TIMEOUT=1,
        KZ_ESL_NODES=f"up=127.0.0.1:{fssim.port}:ClueCon,down=127.0.0.1:{down}:ClueCon"))
    base = f"http://127.0.0.1:{port}/v2"
    wait_until(lambda: requests.get(f"{base}/openapi.json", timeout=1).ok, what="crossbar up")
    token = requests.put(f"{base}/api_auth", json={"data": {"api_key": admin["api_key"]}},
                         timeout=5).json()["auth_token"]
    session = requests.Session()
    session.headers["X-Auth-Token"] = token
    confs = f"{base}/accounts/{admin['account_id']}/conferences"
    conference_id = session.put(confs, json={"data": {"name": "Logged"}}, timeout=5).json()[
        "data"]["id"]
    assert session.get(confs, timeout=5).status_code == 200                # asks every node
    assert session.get(f"{confs}/{conference_id}", timeout=5).status_code == 200
    assert session.put(f"{confs}/{conference_id}", json={"action": "lock", "data": {}},
                       timeout=5).status_code == 503                       # may be on "down"
    assert session.put(confs, json={"data": {"name": 5}}, timeout=5).status_code == 400
    assert requests.post(f"http://127.0.0.1:{port}/fsxml", data={"section": "directory"},
                         headers={"X-Forwarded-For": "203.0.113.9"}, timeout=5).status_code == 403
    records = crossbar.stop()

    failed = messages(records, logger="kzcore.esl.pool", msg="api_all: node failed")
    assert {r["node"] for r in failed} == {"down"}
    assert all(n == 1 for n in Counter(r["command"] for r in failed).values()), failed  # once
    assert messages(records, logger="gevent.hub") == []           # no greenlet died of it
    requests_logged = messages(records, logger="crossbar.app", msg="request")
    assert {(r["method"], r["status"]) for r in requests_logged} >= {
        ("GET", 200), ("PUT", 201), ("PUT", 400), ("PUT", 503)}
    assert all(r["request_id"] and r["path"].startswith("/") for r in requests_logged)
    assert messages(records, msg="fsxml request refused", remote_addr="127.0.0.1")


def test_crossbar_under_gunicorn_logs_json_lines(tmp_path, services):
    """docker-compose runs crossbar under gunicorn: gunicorn's own lines are JSON too."""
    admin = seeded_store(tmp_path)
    port, down = free_port(), free_port()
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    crossbar = services(
        [gunicorn, "-c", "python:crossbar.gunicorn_conf", "--workers", "1",
         "crossbar.wsgi:application"],
        service_env(tmp_path, KZ_LISTEN_PORT=port, KZ_ESL_TIMEOUT=1,
                    KZ_HTTP_HEADER_TIMEOUT=1,          # idle keep-alives do not delay the stop
                    KZ_ESL_NODES=f"down=127.0.0.1:{down}:ClueCon"))
    base = f"http://127.0.0.1:{port}/v2"
    wait_until(lambda: requests.get(f"{base}/openapi.json", timeout=1).ok, what="gunicorn up")
    token = requests.put(f"{base}/api_auth", json={"data": {"api_key": admin["api_key"]}},
                         timeout=5).json()["auth_token"]
    listed = requests.get(f"{base}/accounts/{admin['account_id']}/conferences", timeout=5,
                          headers={"X-Auth-Token": token})
    assert listed.status_code == 200
    records = crossbar.stop()

    assert any(r["msg"].startswith("Booting worker") for r in messages(records,
                                                                       logger="gunicorn.error"))
    assert [r["node"] for r in messages(records, msg="api_all: node failed")] == ["down"]
    assert len(messages(records, logger="crossbar.app", msg="request", status=200,
                        path=f"/v2/accounts/{admin['account_id']}/conferences")) == 1   # once


def test_ecallmgr_logs_json_lines_while_a_node_is_down(tmp_path, fssim, services, amqp_url,
                                                       temp_exchange, rabbit_tap):
    tap = rabbit_tap("conference.event.#", temp_exchange)
    down = free_port()
    ecallmgr = services("ecallmgr.cli", service_env(
        tmp_path, KZ_AMQP_URL=amqp_url, KZ_AMQP_EXCHANGE=temp_exchange, KZ_NODE_NAME="ecm@logs",
        KZ_ESL_NODES=f"up=127.0.0.1:{fssim.port}:ClueCon,down=127.0.0.1:{down}:ClueCon"))
    room = f"{'a' * 32}_{uuid.uuid4().hex}"
    deadline = time.monotonic() + 15
    got = []
    while not any(p.get("event") == "add-member" for _, p, _ in got):   # once it is connected
        assert time.monotonic() < deadline, "ecallmgr never published the member"
        member = fssim.join(room, "1001", "Alice")
        got.extend(tap.read(5, timeout=1.0))
        fssim.hangup(member.uuid)
    records = ecallmgr.stop()

    assert {r["node"] for r in messages(records, msg="ESL connect failed")} == {"down"}
    assert messages(records, logger="gevent.hub") == []


def test_blackhole_logs_json_lines(tmp_path, services, amqp_url, temp_exchange):
    admin = seeded_store(tmp_path)
    port = free_port()
    gateway = services("blackhole.cli", service_env(
        tmp_path, KZ_AMQP_URL=amqp_url, KZ_AMQP_EXCHANGE=temp_exchange, KZ_BLACKHOLE_PORT=port))
    wait_until(lambda: socket.create_connection(("127.0.0.1", port), timeout=1).close() is None,
               what="blackhole listening")
    client = websocket.create_connection(f"ws://127.0.0.1:{port}/", timeout=5)
    token = TokenSigner(SECRET).issue({"account_id": admin["account_id"]})
    client.send(json.dumps({"action": "subscribe", "auth_token": token, "data": {
        "account_id": admin["account_id"], "binding": "conference.event.*.*"}}))
    assert json.loads(client.recv())["status"] == "success"
    client.send("{not json")
    assert json.loads(client.recv())["status"] == "error"
    client.send(json.dumps({"action": "subscribe", "auth_token": token, "data": {
        "account_id": "f" * 32, "binding": "conference.event.*.*"}}))   # another tenant's
    assert json.loads(client.recv())["status"] == "error"
    client.close()
    records = gateway.stop()

    assert messages(records, msg="subscribed", account_id=admin["account_id"])
    assert messages(records, level="warning", account_id="f" * 32,
                    token_account_id=admin["account_id"])
    assert messages(records, msg="blackhole stopped")


def test_callin_logs_json_lines(tmp_path, services):
    seeded_store(tmp_path)
    port = free_port()
    callin = services("callin.cli", service_env(tmp_path, KZ_CALLIN_PORT=port))
    wait_until(lambda: socket.create_connection(("127.0.0.1", port), timeout=1).close() is None,
               what="call-in listening")
    with socket.create_connection(("127.0.0.1", port), timeout=5) as caller:
        caller.sendall(b"garbage that is not ESL\n\n")        # then gone, as a dropped call
    time.sleep(0.3)
    records = callin.stop(signal.SIGINT)

    [listening] = messages(records, msg="call-in listening", port=port)
    later = records[records.index(listening) + 1:]
    assert any(r["logger"].startswith("callin.") for r in later), later   # the dropped caller
    assert messages(records, logger="gevent.hub", level="error") == []
