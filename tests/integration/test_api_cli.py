"""kz-bootstrap and kz-crossbar as processes: real TCP, a file-backed store,
tokens that survive a restart (the generated secret is kept beside the store)."""
import json
import os
import subprocess
import sys
import time

import pytest
import requests

from crossbar.bootstrap import bootstrap
from kzcore.naming import ACCOUNTS_DB
from kzcore.store.embedded import EmbeddedStore
from tests.support.couch import free_port

pytestmark = pytest.mark.slow


def _env(tmp_path, port):
    env = dict(os.environ, KZ_STORE="embedded", KZ_STORE_PATH=str(tmp_path / "store.sqlite3"),
               KZ_LISTEN_PORT=str(port), KZ_LISTEN_HOST="127.0.0.1", KZ_TOKEN_SECRET="",
               KZ_LOG_LEVEL="WARNING", KZ_ESL_NODES="")
    env["PYTHONPATH"] = os.getcwd() + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _start(env, port):
    process = subprocess.Popen([sys.executable, "-m", "crossbar.cli"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/v2/openapi.json", timeout=1)
            return process
        except requests.ConnectionError:
            if process.poll() is not None:
                raise RuntimeError(process.stderr.read().decode())
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("kz-crossbar did not start")


def _stop(process):
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def test_bootstrap_is_idempotent():
    store = EmbeddedStore(":memory:")
    first = bootstrap(store, account_name="Root Co", realm="root.local", username="admin",
                      password="pw")
    again = bootstrap(store, account_name="root co", realm="root.local", username="admin",
                      password="pw")
    other_password = bootstrap(store, account_name="Root Co", realm="root.local",
                               username="admin", password="different")
    assert first["created"] and not again["created"]
    assert (again["account_id"], again["api_key"]) == (first["account_id"], first["api_key"])
    assert again["password"] == "pw" and other_password["password"] is None
    assert len(store.find(ACCOUNTS_DB, {"pvt_type": "account"})) == 1
    account = store.get(ACCOUNTS_DB, first["account_id"])
    assert account["pvt_superduper_admin"] is True and len(account["pvt_api_key"]) == 64
    store.close()


def test_served_over_tcp_bootstrap_and_token_survives_restart(tmp_path):
    port = free_port()
    env = _env(tmp_path, port)
    printed = subprocess.run([sys.executable, "-m", "crossbar.bootstrap", "--json",
                              "--account-name", "Demo", "--password", "pw"],
                             env=env, capture_output=True, text=True, timeout=30, check=True)
    creds = json.loads(printed.stdout)
    process = _start(env, port)
    base = f"http://127.0.0.1:{port}"
    try:
        # curl-style: form content type, body is JSON anyway
        reply = requests.put(f"{base}/v2/api_auth", timeout=5,
                             data=json.dumps({"data": {"api_key": creds["api_key"]}}),
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert reply.status_code == 201, reply.text
        token = reply.json()["auth_token"]
        created = requests.put(f"{base}/v2/accounts/{creds['account_id']}/conferences",
                               json={"data": {"name": "tcp"}}, timeout=5,
                               headers={"X-Auth-Token": token})
        assert created.status_code == 201 and created.headers["X-Request-Id"]
    finally:
        _stop(process)
    assert (tmp_path / "token_secret").exists()
    process = _start(env, port)
    try:
        listed = requests.get(f"{base}/v1/accounts/{creds['account_id']}/conferences",
                              headers={"X-Auth-Token": token}, timeout=5)
        assert listed.status_code == 200
        assert [c["name"] for c in listed.json()["data"]] == ["tcp"]
    finally:
        _stop(process)


def test_make_app_composes_xmlcurl_and_ui_and_no_live_without_nodes(tmp_path):
    from crossbar.cli import close_app, make_app
    from crossbar.context import EXTENSION
    from kzcore.config import load_config
    config = load_config(env={"KZ_STORE_PATH": str(tmp_path / "s.sqlite3"),
                              "KZ_ESL_NODES": ""})
    app = make_app(config)
    try:
        assert app.extensions[EXTENSION].live is None
        assert "xmlcurl" in app.blueprints
        assert any(rule.rule.startswith("/v2/accounts") for rule in app.url_map.iter_rules())
    finally:
        close_app(app)
