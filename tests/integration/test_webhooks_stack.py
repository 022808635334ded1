"""Webhooks on the product's own one-process composition (``kz-all``: the
simulator over TCP, ecallmgr, the in-process bus, crossbar, the delivery
service): a conference's whole life reaches a local receiver, in order,
numbered and signed, through the real event path."""
import time

import pytest
import requests

from tests.support.stack import build_stack
from tests.support.webhooks import receiver  # noqa: F401 (fixture)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    made = build_stack(tmp_path_factory.mktemp("webhooks-stack"))
    yield made
    made.teardown()


def test_a_conference_life_reaches_the_webhook_in_order(stack, receiver):
    status, body = stack.api("PUT", f"/accounts/{stack.account_id}/webhooks",
                             {"name": "everything", "uri": receiver.url(), "hook": "all"})
    assert status == 201, body
    secret = body["data"]["secret"]
    status, body = stack.api("PUT", f"/accounts/{stack.account_id}/conferences",
                             {"name": "Hooked room"})
    conference_id = body["data"]["id"]
    base = f"/accounts/{stack.account_id}/conferences/{conference_id}"
    alice = stack.sim.join(stack.fs_name(conference_id), "1001", "Alice")
    receiver.wait_for(3)
    participant = f"{base}/participants/{alice.id}"
    assert stack.api("PUT", participant, {"action": "mute"})[0] == 202
    assert stack.api("PUT", base, {"action": "record", "data": {"action": "start"}})[0] == 202
    time.sleep(0.3)
    assert stack.api("PUT", base, {"action": "record", "data": {"action": "stop"}})[0] == 202
    stack.sim.hangup(alice.uuid)
    receiver.wait_for(9)
    assert stack.api("DELETE", base)[0] == 200
    got = receiver.wait_for(10)
    time.sleep(0.3)                                     # nothing more arrives
    assert [r.json["webhook_event"] for r in receiver.requests] == [
        "conference.created", "conference.started", "participant.joined", "participant.muted",
        "recording.started", "recording.stopped", "recording.ready", "participant.left",
        "conference.ended", "conference.deleted"]
    assert [r.json["sequence"] for r in got] == list(range(1, 11))
    assert all(r.verified_by(secret) for r in got)
    assert {r.json["account_id"] for r in got} == {stack.account_id}
    assert {r.json["conference_id"] for r in got} == {conference_id}
    ready = got[6].json
    download = requests.get(f"{stack.base_url}{ready['download_url']}", timeout=5,
                            headers={"X-Auth-Token": stack.token()})
    assert download.status_code == 200 and download.content[:4] == b"RIFF"
    assert got[7].json["reason"] == "hangup" and got[8].json["end_reason"] == \
        "last_participant_left"
    assert "pins" not in (got[0].json["doc"].get("member") or {})
