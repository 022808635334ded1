"""A webhook's body (kzcore.representations.webhook_body): the bus event as it is,
plus the declared extras and the delivery's fields, on events replayed from the
recorded FreeSWITCH traffic through the hook table."""
import orjson

from kzcore.representations.webhook_body import EXTRAS, WEBHOOK_ADDITIONS, webhook_body
from tests.unit.test_normalize import ACCOUNT, replay
from webhooks.body import build_body
from webhooks.directory import Webhook
from webhooks.hooks import HookEvent, RoomMemory, hook_events

HOOK = Webhook(id="w1", account_id=ACCOUNT, rev="1-a", name="n", uri="http://x/",
               http_verb="post", hook="all", enabled=True, include_subaccounts=False,
               retries=2, secret="whsec_test", custom_data={"crm": "7"})
ADDED = ("webhook_id", "webhook_event", "account_id", "custom_data", "sequence", "event_id")


def recorded_bus_events():
    _, published = replay("room1_scenario.plain.esl")
    return [payload for _, payload in published]


def test_exact_body_of_a_recorded_departure():
    left = [p for p in recorded_bus_events() if p["event"] == "del-member"][0]
    body = orjson.loads(build_body(left, HOOK, HookEvent("participant.left",
                                                         {"reason": "kicked"}), 9))
    assert body == {**left, "reason": "kicked", "webhook_id": "w1",
                    "webhook_event": "participant.left", "account_id": ACCOUNT,
                    "custom_data": {"crm": "7"}, "sequence": 9, "event_id": left["msg_id"]}
    # the event's fields first, as the bus carries them; then the extras, then ours
    assert list(body) == [*left, "reason", *[k for k in ADDED if k not in left]]


def test_every_extra_the_hook_table_makes_is_declared_and_sent():
    memory, extras_seen = RoomMemory(), set()
    for payload in recorded_bus_events():
        for event in hook_events(payload, memory):
            body = webhook_body(payload, HOOK, event, 1)
            assert {k: body[k] for k in event.extras} == event.extras
            assert body["webhook_event"] == event.name
            extras_seen |= set(event.extras)
    assert extras_seen and extras_seen <= set(EXTRAS)
    ready = HookEvent("recording.ready", {"recording_id": "r" * 32, "download_url": "/v2/x"})
    body = webhook_body({"account_id": ACCOUNT}, HOOK, ready, 2)
    assert list(body)[1:3] == ["recording_id", "download_url"]


def test_what_the_contract_does_not_declare_is_not_sent_and_gaps_are_null():
    body = webhook_body({"event": "doc_created"}, HOOK,
                        HookEvent("conference.created", {"internal": "x"}), 3)
    assert body == {"event": "doc_created", "webhook_id": "w1",
                    "webhook_event": "conference.created", "account_id": None,
                    "custom_data": {"crm": "7"}, "sequence": 3, "event_id": None}


def test_the_delivery_fields_win_over_the_events_own():
    body = webhook_body({"account_id": ACCOUNT, "msg_id": "m1", "webhook_id": "forged",
                         "sequence": 99}, HOOK, HookEvent("participant.joined", {}), 4)
    assert (body["webhook_id"], body["sequence"], body["event_id"]) == ("w1", 4, "m1")
    assert WEBHOOK_ADDITIONS.validate({k: body[k] for k in ADDED}) == {}
