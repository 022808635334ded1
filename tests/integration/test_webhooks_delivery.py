"""The delivery service in-process on the in-process bus, against a local HTTP
receiver: accounts, signatures, retries, order, disabling. Events are published
as ecallmgr publishes them (its own normalizer) and by crossbar's document writes."""
import time

import pytest

from kzcore.bus.memory import MemoryBus
from kzcore.store.embedded import EmbeddedStore
from tests.support.webhooks import (bus_event, create_webhook, receiver, settle,  # noqa: F401
                                    start_service, wait_until, webhook_api)
from webhooks.health import DISABLED_KEY, NOTIFY_EXCHANGE
from kzcore.bus.event_sources import MemorySource


@pytest.fixture
def rig():
    store = EmbeddedStore(":memory:")
    bus = MemoryBus()
    api = webhook_api(store, bus)
    started = []

    def service(**settings):
        made = start_service(store, MemorySource(bus), bus, **settings)
        started.append(made)
        return made

    yield api, bus, service
    for made in started:
        made.stop()
    store.close()


def names(requests):
    return [r.json["webhook_event"] for r in requests]


def by_account(requests):
    grouped = {}
    for request in requests:
        grouped.setdefault(request.json["account_id"], []).append(request.json["webhook_event"])
    return grouped


RECORDING_ID = "5e1f0c6a9b2d4e7f8a0b1c2d3e4f5a6b"


def publish_room_lives(api, bus, a, a1, b):
    """A's conference: its document (through crossbar) and a whole room life; a
    room of A's sub-account A1; a room of sibling B. Returns A's conference id."""
    reply = api.call("PUT", f"/v2/accounts/{a.account_id}/conferences", {"name": "Alpha room"},
                     token=a.token)
    conf = reply.get_json()["data"]["id"]
    wav = f"/rec/{a.account_id}/{conf}/{RECORDING_ID}.wav"   # crossbar names files by id
    for args, headers in [
            (("conference-create",), {}), (("add-member", "call-a"), {}),
            (("mute-member", "call-a"), {}), (("start-recording",), {"Path": wav}),
            (("stop-recording",), {"Path": wav, "Record-File-Size": "4096"}),
            (("kick-member", "call-a"), {}), (("del-member", "call-a"), {}),
            (("conference-destroy",), {})]:
        bus.publish(*bus_event(a.account_id, conf, *args, **headers))
    bus.publish(*bus_event(a1.account_id, "child-room", "conference-create"))
    bus.publish(*bus_event(a1.account_id, "child-room", "add-member", "call-x"))
    bus.publish(*bus_event(a1.account_id, "child-room", "start-recording", Path="/x.wav"))
    bus.publish(*bus_event(b.account_id, "beta-room", "add-member", "call-b"))
    return conf


def test_every_hook_fires_for_its_account_only_and_subaccounts_when_asked(rig, receiver):
    api, bus, service = rig
    a = api.create_account(api.root, "Alpha")
    a1 = api.create_account(a, "Alpha Child")
    b = api.create_account(api.root, "Beta")
    create_webhook(api, a, receiver.url("/a-all"), hook="all")
    create_webhook(api, a, receiver.url("/a-part-sub"), hook="participant",
                   include_subaccounts=True)
    create_webhook(api, a1, receiver.url("/a1-conf"), hook="conference")
    create_webhook(api, b, receiver.url("/b-all"), hook="all")
    create_webhook(api, api.root, receiver.url("/root-rec"), hook="recording",
                   include_subaccounts=True)
    running = service()
    conf = publish_room_lives(api, bus, a, a1, b)
    settle(bus, running)

    assert names(receiver.on("/a-all")) == [
        "conference.created", "conference.started", "participant.joined", "participant.muted",
        "recording.started", "recording.stopped", "recording.ready", "participant.left",
        "conference.ended"]
    assert {r.json["account_id"] for r in receiver.on("/a-all")} == {a.account_id}
    left = receiver.on("/a-all")[-2].json
    assert (left["reason"], receiver.on("/a-all")[-1].json["end_reason"]) == \
        ("kicked", "participants_kicked")
    ready = receiver.on("/a-all")[6].json
    assert ready["download_url"] == \
        f"/v2/accounts/{a.account_id}/conferences/{conf}/recordings/{RECORDING_ID}/raw"
    # (order is kept per conference: rooms of different accounts are compared apart)
    assert by_account(receiver.on("/a-part-sub")) == {
        a.account_id: ["participant.joined", "participant.muted", "participant.left"],
        a1.account_id: ["participant.joined"]}
    assert [(r.json["webhook_event"], r.json["conference_id"])
            for r in receiver.on("/a1-conf")] == [("conference.started", "child-room")]
    assert [(r.json["webhook_event"], r.json["account_id"]) for r in receiver.on("/b-all")] == \
        [("participant.joined", b.account_id)]
    assert by_account(receiver.on("/root-rec")) == {
        a.account_id: ["recording.started", "recording.stopped", "recording.ready"],
        a1.account_id: ["recording.started"]}


def test_requests_are_signed_with_the_secret_shown_once_and_rotation_switches_it(rig, receiver):
    api, bus, service = rig
    hook_id, secret = create_webhook(api, api.root, receiver.url(), custom_data={"crm": "42"})
    shown = api.call("GET", f"/v2/accounts/{api.root.account_id}/webhooks/{hook_id}",
                     token=api.root.token).get_json()["data"]
    assert "secret" not in shown and not any(key.startswith("pvt") for key in shown)
    running = service()
    bus.publish(*bus_event(api.root.account_id, "room-s", "add-member", "call-1"))
    first = receiver.wait_for(1)[0]
    assert first.verified_by(secret)
    assert not first.verified_by(secret + "x")
    body = first.json
    assert (body["webhook_id"], body["custom_data"], body["sequence"]) == \
        (hook_id, {"crm": "42"}, 1)
    assert body["event_name"] == "participant_event" and body["event"] == "add-member"
    assert first.headers["x-kazoo-event-id"] == body["event_id"] == body["msg_id"]

    rotated = api.call("POST", f"/v2/accounts/{api.root.account_id}/webhooks/{hook_id}/secret",
                       token=api.root.token).get_json()["data"]["secret"]
    assert rotated != secret
    bus.publish(*bus_event(api.root.account_id, "room-s", "del-member", "call-1"))
    second = receiver.wait_for(2)[1]
    assert second.verified_by(rotated) and not second.verified_by(secret)
    assert second.json["sequence"] == 2
    settle(bus, running)


def test_500_twice_then_200_delivers_once_more_after_back_off(rig, receiver):
    api, bus, service = rig
    receiver.respond = lambda request, index: 500 if index < 2 else 200
    hook_id, _ = create_webhook(api, api.root, receiver.url(), retries=3)
    running = service(retry_delay=0.2, retry_max_delay=1.0)
    bus.publish(*bus_event(api.root.account_id, "room-r", "add-member", "call-1"))
    first, second, third = receiver.wait_for(3)
    assert first.body == second.body == third.body
    assert [r.headers["x-kazoo-attempt"] for r in (first, second, third)] == ["1", "2", "3"]
    assert second.at - first.at >= 0.1 and third.at - second.at >= 0.2   # half of 0.2, 0.4
    bus.publish(*bus_event(api.root.account_id, "room-r", "del-member", "call-1"))
    settle(bus, running)
    assert names(receiver.requests) == ["participant.joined"] * 3 + ["participant.left"]

    def logged():
        data = api.call("GET", f"/v2/accounts/{api.root.account_id}/webhooks/{hook_id}/attempts",
                        token=api.root.token).get_json()["data"]
        return data if len(data) == 4 else None
    log = wait_until(logged)
    assert [(e["event"], e["attempt"], e["status"], e["result"]) for e in log] == [
        ("participant.left", 1, 200, "success"), ("participant.joined", 3, 200, "success"),
        ("participant.joined", 2, 500, "retrying"), ("participant.joined", 1, 500, "retrying")]
    assert all(e["duration_ms"] >= 0 and e["time"] <= time.time() for e in log)


def test_order_per_conference_holds_while_the_receiver_is_slow(rig, receiver):
    api, bus, service = rig
    receiver.respond = lambda request, index: (200, {}, 0.002 * (index % 7))
    create_webhook(api, api.root, receiver.url(), hook="participant")
    running = service()
    rooms = ["room-1", "room-2", "room-3"]
    for n in range(30):
        for room in rooms:
            action = "mute-member" if n % 2 else "unmute-member"
            bus.publish(*bus_event(api.root.account_id, room, action, f"call-{n}", member_id=n))
    settle(bus, running)
    assert len(receiver.requests) == 90
    for room in rooms:
        got = [r.json for r in receiver.requests if r.json["conference_id"] == room]
        assert [body["call_id"] for body in got] == [f"call-{n}" for n in range(30)]
        assert [body["sequence"] for body in got] == list(range(1, 31))
    assert receiver.max_in_flight > 1       # rooms were delivered side by side


def test_a_disabled_webhook_receives_nothing_until_re_enabled(rig, receiver):
    api, bus, service = rig
    hook_id, _ = create_webhook(api, api.root, receiver.url("/quiet"))
    create_webhook(api, api.root, receiver.url("/witness"))
    path = f"/v2/accounts/{api.root.account_id}/webhooks/{hook_id}"
    assert api.call("PATCH", path, {"enabled": False}, token=api.root.token).status_code == 200
    running = service()
    for n in range(5):
        bus.publish(*bus_event(api.root.account_id, "room-d", "add-member", f"call-{n}"))
    receiver.wait_for(5, "/witness")
    settle(bus, running)
    assert receiver.on("/quiet") == []
    reply = api.call("PATCH", path, {"enabled": True}, token=api.root.token)
    assert reply.get_json()["data"]["enabled"] is True
    bus.publish(*bus_event(api.root.account_id, "room-d", "del-member", "call-0"))
    assert names(receiver.wait_for(1, "/quiet")) == ["participant.left"]


def test_consecutive_failed_events_disable_the_webhook_with_an_event(rig, receiver):
    api, bus, service = rig
    receiver.respond = lambda request, index: 503
    hook_id, _ = create_webhook(api, api.root, receiver.url("/down"), retries=0)
    notices = []
    bus.consumer().start(["notifications.#"], lambda key, payload: notices.append(payload),
                         NOTIFY_EXCHANGE)
    running = service(disable_after=3)
    for n in range(5):
        bus.publish(*bus_event(api.root.account_id, "room-f", "add-member", f"call-{n}"))
    settle(bus, running)
    assert len(receiver.on("/down")) == 3          # the 4th and 5th were not sent
    path = f"/v2/accounts/{api.root.account_id}/webhooks/{hook_id}"
    doc = api.call("GET", path, token=api.root.token).get_json()["data"]
    assert doc["enabled"] is False
    assert doc["_read_only"]["auto_disabled"]["failures"] == 3
    assert [(n["event_name"], n["webhook_id"], n["failures"]) for n in notices] == \
        [("webhook_disabled", hook_id, 3)]
    assert DISABLED_KEY == "notifications.webhook.disabled"

    receiver.respond = lambda request, index: 204
    reply = api.call("PATCH", path, {"enabled": True}, token=api.root.token).get_json()["data"]
    assert reply["enabled"] is True and "_read_only" not in reply
    bus.publish(*bus_event(api.root.account_id, "room-f", "del-member", "call-0"))
    assert names(receiver.wait_for(4, "/down"))[-1] == "participant.left"
    settle(bus, running)


def test_an_event_larger_than_the_body_limit_is_dropped_and_logged(rig, receiver):
    api, bus, service = rig
    hook_id, _ = create_webhook(api, api.root, receiver.url("/big"),
                                custom_data={"blob": "x" * 900})
    create_webhook(api, api.root, receiver.url("/witness"))
    running = service(max_body=1024)
    bus.publish(*bus_event(api.root.account_id, "room-b", "add-member", "call-1"))
    receiver.wait_for(1, "/witness")
    settle(bus, running)
    assert receiver.on("/big") == []

    def logged():
        return api.call("GET", f"/v2/accounts/{api.root.account_id}/webhooks/{hook_id}/attempts",
                        token=api.root.token).get_json()["data"]
    [entry] = wait_until(logged)
    assert entry["result"] == "dropped" and entry["error"].endswith("exceeds 1024")
