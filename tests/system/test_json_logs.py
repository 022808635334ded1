"""DEPLOY's promise: "Logs are JSON lines, one object per event with structured
fields". Each service runs as its console script (a process, as docker-compose
runs it), is driven through its ordinary traffic and its failure paths (a
FreeSWITCH node that is down, refused requests, a bad websocket frame, a caller
gone), and every line it wrote must be one JSON object."""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter

import pytest
import requests
import websocket

from crossbar.bootstrap import bootstrap
from kzcore.schemas.loader import load_schemas
from kzcore.store.embedded import EmbeddedStore
from kzcore.tokens import TokenSigner
from tests.support.couch import free_port
from tests.support.paths import REPO

SECRET = "json-logs-secret"
ADMIN = {"account_name": "Logs Co", "realm": "logs.test.local", "username": "admin",
         "password": "l0gs-admin"}
REQUIRED = {"ts", "level", "logger", "msg"}


def service_env(tmp_path, **settings):
    env = {key: value for key, value in os.environ.items() if not key.startswith("KZ_")}
    env.update(KZ_STORE="embedded", KZ_STORE_PATH=str(tmp_path / "store.sqlite3"),
               KZ_TOKEN_SECRET=SECRET, KZ_LOG_FORMAT="json", KZ_LOG_LEVEL="INFO",
               KZ_RECORDINGS_DIR=str(tmp_path / "recordings"),
               PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.update({key: str(value) for key, value in settings.items()})
    return env


def seeded_store(tmp_path):
    """The store file the service will open, with schemas and an admin account."""
    store = EmbeddedStore(str(tmp_path / "store.sqlite3"))
    load_schemas(store)
    admin = bootstrap(store, **ADMIN)
    store.close()
    return admin


def console_script(module):
    """The argv of a console script (``kz-crossbar`` is ``crossbar.cli:main``)."""
    return [sys.executable, "-c", f"from {module} import main; raise SystemExit(main())"]


class Service:
    """One service as a process; ``stop()`` returns its log records."""

    def __init__(self, argv, env):
        self.process = subprocess.Popen(
            argv, env=env, cwd=str(REPO), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)

    def stop(self, signum=signal.SIGTERM):
        if self.process.poll() is None:
            self.process.send_signal(signum)
        try:
            out, err = self.process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, err = self.process.communicate(timeout=5)
        return json_records(out + err)

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate(timeout=5)


def json_records(text):
    """Every non-empty line as a JSON object with the standard fields (fails on any other)."""
    records = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            pytest.fail(f"line {number} is not JSON: {line!r}\n--- log ---\n{text[-4000:]}")
        assert isinstance(record, dict) and REQUIRED <= set(record), line
        records.append(record)
    assert records, "the service wrote no log at all"
    return records


def messages(records, **fields):
    return [r for r in records if all(r.get(k) == v for k, v in fields.items())]


def wait_until(condition, timeout=15.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except (OSError, requests.RequestException):
            pass
        time.sleep(0.05)
    pytest.fail(f"{what} not met within {timeout}s")


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
