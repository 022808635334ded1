"""``command_id`` across crossbar processes: two ``kz-crossbar`` processes on one
CouchDB-API store (a pouchdb-server of this module's own) and one simulated
FreeSWITCH, over real HTTP. A repeat reaching the other process, and two copies
sent to both at once, reach the switch once and get the first answer."""
import os
import subprocess
import sys
import time

import gevent
import pytest
import requests

from crossbar.bootstrap import bootstrap
from kzcore.config import load_config
from kzcore.naming import fs_conference_name
from kzcore.store.factory import make_store
from tests.support.couch import (POUCHDB_BIN, _die_with_parent, ensure_pouchdb_installed,
                                 free_port, stop_process, wait_for_http)

pytestmark = [pytest.mark.slow, pytest.mark.couch]
SECRET = "command-id-processes-secret"


@pytest.fixture(scope="module")
def own_couch(tmp_path_factory):
    """A pouchdb-server for these processes alone: they use the product's database
    names (accounts, system_schemas, command_ids...), unprefixed."""
    ensure_pouchdb_installed()
    workdir = tmp_path_factory.mktemp("pouchdb-command-id")
    port = free_port()
    log_path = workdir / "stdout.txt"
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(
            [str(POUCHDB_BIN), "--in-memory", "--port", str(port), "--host", "127.0.0.1",
             "--no-stdout-logs"], cwd=workdir, stdout=log_file, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for_http(url, process, log_path)
        yield url
    finally:
        stop_process(process)


def _env(couch_url, sim, port):
    env = dict(os.environ, KZ_STORE="couchdb", KZ_COUCH_URL=couch_url, KZ_LISTEN_PORT=str(port),
               KZ_LISTEN_HOST="127.0.0.1", KZ_TOKEN_SECRET=SECRET, KZ_LOG_LEVEL="WARNING",
               KZ_ESL_NODES=f"{sim.node_name}=127.0.0.1:{sim.port}:ClueCon", KZ_ESL_TIMEOUT="2",
               KZ_AMQP_URL="memory://", KZ_COMMAND_ID_WAIT="5")
    env["PYTHONPATH"] = os.getcwd() + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _start(env, port):
    process = subprocess.Popen([sys.executable, "-m", "crossbar.cli"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               preexec_fn=_die_with_parent)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/v2/openapi.json", timeout=1)
            return process
        except requests.ConnectionError:
            if process.poll() is not None:
                raise RuntimeError(process.stderr.read().decode()[-3000:])
            gevent.sleep(0.1)
    process.kill()
    raise RuntimeError("kz-crossbar did not start")


@pytest.fixture(scope="module")
def two_crossbars(own_couch, fssim_module):
    sim = fssim_module
    ports = [free_port(), free_port()]
    processes = [_start(_env(own_couch, sim, port), port) for port in ports]
    store = make_store(load_config(env={}, store="couchdb", couch_url=own_couch))
    admin = bootstrap(store, account_name="Two Procs", realm="two.test", username="admin",
                      password="pw-two-procs")
    store.close()
    token = requests.put(f"http://127.0.0.1:{ports[0]}/v2/api_auth", timeout=5,
                         json={"data": {"api_key": admin["api_key"]}}).json()["auth_token"]
    yield [f"http://127.0.0.1:{port}/v2/accounts/{admin['account_id']}" for port in ports], \
        token, admin["account_id"], sim
    for process in processes:
        stop_process(process)


@pytest.fixture(scope="module")
def fssim_module():
    from fssim import Simulator
    sim = Simulator(host="127.0.0.1", port=0, password="ClueCon", hostname="procs")
    sim.start()
    yield sim
    sim.stop()


def call(base, token, tail, body):
    reply = requests.put(f"{base}/conferences{tail}", json=body, timeout=10,
                         headers={"X-Auth-Token": token})
    return reply.status_code, reply.json(), reply.headers.get("X-Command-Replayed")


def room_with(sim, bases, token, account_id):
    created = requests.put(f"{bases[0]}/conferences", json={"data": {"name": "Procs"}},
                           timeout=10, headers={"X-Auth-Token": token}).json()
    conference_id = created["data"]["id"]
    room = fs_conference_name(account_id, conference_id)
    return conference_id, room, sim.join(room, "1001", "Alice"), sim.join(room, "1002", "Bob")


def switch_commands(sim, room, verb):
    return [c for c in sim.command_log if c.startswith(f"conference {room} {verb} ")]


def test_a_repeat_on_the_other_process_is_answered_from_the_first(two_crossbars):
    bases, token, account_id, sim = two_crossbars
    conference_id, room, alice, _ = room_with(sim, bases, token, account_id)
    body = {"action": "dtmf", "data": {"digits": "123"}, "command_id": "retry-1"}
    tail = f"/{conference_id}/participants/{alice.id}"
    first = call(bases[0], token, tail, body)
    again = call(bases[1], token, tail, body)
    assert first[0] == again[0] == 202
    assert first[1]["data"] == again[1]["data"] == f"+OK sent 123 to {alice.id}"
    assert (first[2], again[2]) == (None, "true")
    assert len(switch_commands(sim, room, "dtmf")) == 1
    other = call(bases[1], token, tail, {**body, "data": {"digits": "9"}})
    assert other[0] == 400 and "command_id" in other[1]["data"]
    assert len(switch_commands(sim, room, "dtmf")) == 1


def test_copies_sent_to_both_at_once_reach_the_switch_once(two_crossbars):
    bases, token, account_id, sim = two_crossbars
    conference_id, room, _, bob = room_with(sim, bases, token, account_id)
    for round_ in range(5):
        body = {"data": {"action": "volume_in", "command_id": f"burst-{round_}",
                         "data": {"level": round_ - 2}}}
        tail = f"/{conference_id}/participants/{bob.id}"
        replies = [job.get(timeout=15) for job in
                   [gevent.spawn(call, base, token, tail, body) for base in bases * 2]]
        assert {(status, data["data"]) for status, data, _ in replies} == {
            (202, f"+OK Volume IN {bob.id} = {round_ - 2}")}
        assert sorted(flag or "" for _, _, flag in replies) == ["", "true", "true", "true"]
    assert len(switch_commands(sim, room, "volume_in")) == 5


def test_a_switch_refusal_is_replayed_by_the_other_process(two_crossbars):
    bases, token, account_id, sim = two_crossbars
    conference_id, room, _, _ = room_with(sim, bases, token, account_id)
    with gevent.Timeout(5, AssertionError("the enter tones did not end")):
        while not sim.api(f"conference {room} play_status").startswith("-ERR Nothing"):
            gevent.sleep(0.05)      # (in-process: not in the ESL command log)
    body = {"action": "pause_play", "data": {}, "command_id": "pause-1"}
    first = call(bases[0], token, f"/{conference_id}", body)
    again = call(bases[1], token, f"/{conference_id}", body)
    assert first[0] == again[0] == 422
    assert first[1]["message"] == again[1]["message"] == "-ERR Nothing is playing"
    assert len([c for c in sim.command_log if c == f"conference {room} play_status"]) == 1
