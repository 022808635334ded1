"""What FreeSWITCH refuses is a 422 carrying its own words, never a silent
success; a node that does not answer in time is a 503. The node here is a
scripted ESL server replaying recorded FreeSWITCH replies."""
import pytest

from crossbar.live import LiveConferences, create_blueprint
from crossbar.live.compose import COMMAND_EVENTS
from kzcore.config import load_config
from kzcore.esl.pool import EslPool
from kzcore.naming import fs_conference_name
from kzcore.store.embedded import EmbeddedStore
from tests.support.api import build_app
from tests.support.esl_script_server import EslScriptServer, recorded_body

pytestmark = pytest.mark.both_stores   # embedded and CouchDB-API (tests.support.api)


@pytest.fixture
def scripted(tmp_path):
    server = EslScriptServer().start()
    settings = dict(esl_nodes=f"freeswitch@scripted=127.0.0.1:{server.port}:ClueCon",
                    esl_timeout=0.5, recordings_dir=str(tmp_path), token_secret="s")
    config = load_config(env={}, **settings)
    pool = EslPool(config.nodes, timeout=config.esl_timeout, events=COMMAND_EVENTS).start()
    assert pool.wait_connected(5)
    store = EmbeddedStore(":memory:")
    api = build_app(store=store, live=LiveConferences(pool, store, config),
                    extra_blueprints=[create_blueprint()], **settings)
    account = api.create_account(api.root, "Refused Co")
    reply = api.call("PUT", f"/v2/accounts/{account.account_id}/conferences", {"name": "R"},
                     token=account.token)
    conference_id = reply.get_json()["data"]["id"]
    room = fs_conference_name(account.account_id, conference_id)
    server.api[f"conference {room} list count"] = b"2"
    url = f"/v2/accounts/{account.account_id}/conferences/{conference_id}"
    yield server, api, account, room, url
    pool.close()
    server.stop()
    store.close()


def test_error_reply_is_422_with_freeswitchs_text(scripted):
    server, api, account, room, url = scripted
    server.api[f"conference {room} lock"] = recorded_body("api_conference_room1_badsubcommand.esl")
    reply = api.call("PUT", url, token=account.token, body={"action": "lock", "data": {}})
    assert reply.status_code == 422
    body = reply.get_json()
    assert body["message"] == "-ERR Conference command 'frobnicate' not found."
    assert body["error_id"] == "switch_refused"
    assert body["data"]["command"] == f"conference {room} lock"


def test_usage_text_is_a_refusal(scripted):
    server, api, account, room, url = scripted
    server.api[f"conference {room} mute 3"] = recorded_body("api_conference_room1_energy_noargs.esl")
    reply = api.call("PUT", f"{url}/participants/3", token=account.token,
                     data={"action": "mute"})
    assert reply.status_code == 422
    assert reply.get_json()["message"].startswith("energy <member_id|all|last|non_moderator>")


def test_a_reply_without_ok_is_not_a_success(scripted):
    server, api, account, room, url = scripted
    server.api[f"conference {room} unlock"] = b"-ERR no reply\n"
    reply = api.call("PUT", url, token=account.token, body={"action": "unlock", "data": {}})
    assert reply.status_code == 422 and reply.get_json()["message"] == "-ERR no reply"
    server.api[f"conference {room} unlock"] = b"\n"
    reply = api.call("PUT", url, token=account.token, body={"action": "unlock", "data": {}})
    assert reply.status_code == 422


def test_a_node_that_does_not_answer_is_503(scripted):
    server, api, account, room, url = scripted
    server.api[f"conference {room} lock"] = recorded_body("api_conference_room1_lock.esl")
    server.delays[f"conference {room} lock"] = 2.0
    reply = api.call("PUT", url, token=account.token, body={"action": "lock", "data": {}})
    assert reply.status_code == 503 and reply.get_json()["error_id"] == "switch_unavailable"
