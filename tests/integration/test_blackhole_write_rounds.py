"""The gateway's write rounds over real TCP, on the in-process bus and on RabbitMQ:
with a 10 s write interval an idle subscriber still gets each event at once, even
right after the write that carried its subscribe reply or a previous event (the
pump's coalescing is for busy rounds only; tests/unit/test_blackhole_pump.py)."""
import time

import pytest

from kzcore.tokens import TokenSigner
from tests.support.bus import BUS_KINDS

from tests.integration.test_blackhole_support import (
    PARENT, SECRET, Client, account_store, key, participant_event, start_gateway)

INTERVAL = 10.0


@pytest.fixture
def slow_rounds_gateway(bus):
    gateway = start_gateway(bus.consumer(), account_store(), write_interval=INTERVAL,
                            ping_interval=30.0, idle_timeout=60.0)
    if hasattr(bus, "wait_ready"):
        assert bus.wait_ready(), "the gateway's AMQP consumer never became ready"
    yield gateway
    gateway.stop()


@pytest.mark.parametrize("bus", BUS_KINDS, indirect=True)
def test_an_idle_subscriber_gets_each_event_without_waiting_for_the_interval(
        bus, slow_rounds_gateway):
    client = Client(slow_rounds_gateway, timeout=INTERVAL * 2)
    try:
        token = TokenSigner(SECRET).issue({"account_id": PARENT})
        reply = client.subscribe(token, PARENT, "conference.event.room1.*")
        assert reply["status"] == "success", reply
        waits = []
        for seq in range(3):        # each one right after the round that wrote the last
            sent = time.monotonic()
            bus.publish(key("room1", "call1"), participant_event(PARENT, "room1", "call1", seq))
            event = client.events_until(lambda message: True, timeout=INTERVAL * 2)[-1]
            waits.append(time.monotonic() - sent)
            assert event["data"]["seq"] == seq
        # a held event would wait for the 10 s interval; a loaded machine's stalls
        # stay well under half of it
        assert max(waits) < INTERVAL / 2, waits
    finally:
        client.close()
