"""``crossbar.cli.make_app`` (what kz-crossbar and ``crossbar.wsgi`` serve) wires the
live part on the app's own store: a bootstrapped account locks its running room."""
import pytest

from crossbar.bootstrap import bootstrap
from crossbar.context import EXTENSION
from crossbar.cli import make_app
from kzcore.config import load_config
from kzcore.naming import fs_conference_name


@pytest.fixture
def app(fssim, tmp_path):
    config = load_config(env={}, store_path=":memory:", token_secret="compose-secret",
                         esl_nodes=f"{fssim.node_name}=127.0.0.1:{fssim.port}:ClueCon",
                         recordings_dir=str(tmp_path))
    made = make_app(config)
    yield made
    services = made.extensions[EXTENSION]
    services.live.close()
    services.store.close()


def test_live_app_controls_a_running_room(app, fssim):
    client = app.test_client()
    creds = bootstrap(app.extensions[EXTENSION].store, account_name="Compose", realm="compose.test",
                      username="admin", password="compose-pass")
    token = client.put("/v2/api_auth", json={"data": {"api_key": creds["api_key"]}}).get_json()["auth_token"]
    base = f"/v2/accounts/{creds['account_id']}/conferences"
    created = client.put(base, json={"data": {"name": "Wired"}}, headers={"X-Auth-Token": token})
    conference_id = created.get_json()["data"]["id"]
    room = fs_conference_name(creds["account_id"], conference_id)
    fssim.join(room, "1001", "Alice")
    reply = client.put(f"{base}/{conference_id}", json={"action": "lock", "data": {}},
                       headers={"X-Auth-Token": token})
    assert reply.status_code == 202, reply.get_json()
    assert fssim.json_list(room)[0]["locked"] is True
