"""Lifecycle events reach websocket subscribers (the blackhole gateway of the
one-process stack: simulator over TCP, ecallmgr, the in-process bus, the
lifecycle service), with their reasons and ``sequence``, and only the account's."""
import types

import pytest
import requests
import websocket

from tests.integration.lifecycle_rig import wait_for
from tests.integration.test_blackhole_support import Client
from tests.support.stack import build_stack

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    made = build_stack(tmp_path_factory.mktemp("lifecycle-ws"))
    yield made
    made.teardown()


def child_token(stack):
    status, body = stack.api("PUT", f"/accounts/{stack.account_id}", {"name": "Child Co"})
    assert status == 201, body
    child = body["data"]["id"]
    _, key = stack.api("GET", f"/accounts/{child}/api_key")
    reply = requests.put(f"{stack.base_url}/v2/api_auth", timeout=5,
                         json={"data": {"api_key": key["data"]["api_key"]}})
    return child, reply.json()["auth_token"]


def test_a_connect_room_life_on_the_websocket(stack):
    status, body = stack.api("PUT", f"/accounts/{stack.account_id}/conferences",
                             {"name": "Websocket connect", "conference_type": "connect"})
    conference_id = body["data"]["id"]
    gateway = types.SimpleNamespace(port=stack.config.blackhole_port)
    watcher, outsider = Client(gateway), Client(gateway)
    binding = f"conference.event.{conference_id}.*"
    assert watcher.subscribe(stack.token(), stack.account_id, binding)["status"] == "success"
    child, token = child_token(stack)
    assert outsider.subscribe(token, child, binding)["status"] == "success"
    room = stack.fs_name(conference_id)
    alice = stack.sim.join(room, "5101", "Alice")
    bob = stack.sim.join(room, "5102", "Bob")
    wait_for(lambda: (stack.wire_room(conference_id) or {}).get("member_count") == 2)
    stack.sim.hangup(bob.uuid)
    events = [m["data"] for m in watcher.events_until(
        lambda m: m["data"]["event"] == "conference-ended", timeout=8)]
    lifecycle = [(e["event"], e.get("call_id"), e.get("left_reason") or e.get("end_reason"))
                 for e in events if e["event"] in ("conference-started", "joined", "left",
                                                   "conference-ended")]
    assert lifecycle[:3] == [("conference-started", None, None), ("joined", alice.uuid, None),
                             ("joined", bob.uuid, None)]
    assert sorted(lifecycle[3:], key=str) == sorted([
        ("left", bob.uuid, "hangup"), ("left", alice.uuid, "ended"),
        ("conference-ended", None, "connect_completed")], key=str)
    assert lifecycle[-1][0] == "conference-ended"
    sequences = [e["sequence"] for e in events]
    assert sequences == sorted(sequences)
    assert {e["account_id"] for e in events} == {stack.account_id}
    with pytest.raises(websocket.WebSocketTimeoutException):   # nothing for another account
        outsider.events_until(lambda m: True, timeout=0.5)
    watcher.close()
    outsider.close()
