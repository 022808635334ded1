"""MemoryBus: topic routing, isolation between consumers, resilience of delivery."""
import gevent
import pytest

from kzcore.bus.base import Consumer, Publisher
from kzcore.bus.memory import MemoryBus


def collect(bus, bindings, exchange="conference"):
    received = []
    handle = bus.start(bindings, lambda key, payload: received.append((key, payload)),
                       exchange=exchange)
    return handle, received


def test_implements_both_contracts():
    bus = MemoryBus()
    assert isinstance(bus, Publisher) and isinstance(bus, Consumer)


def test_topic_routing_star_and_hash():
    bus = MemoryBus()
    _, star = collect(bus, ["conference.event.c1.*"])
    _, hashed = collect(bus, ["conference.#"])
    bus.publish("conference.event.c1.call-a", {"n": 1})
    bus.publish("conference.event.c2.call-b", {"n": 2})
    bus.publish("conference.event.c1.call-a.extra", {"n": 3})
    bus.publish("other.event.c1.x", {"n": 4})
    assert bus.flush(2)
    assert [p["n"] for _, p in star] == [1]
    assert [p["n"] for _, p in hashed] == [1, 2, 3]
    assert star[0][0] == "conference.event.c1.call-a"


def test_order_preserved_for_many_events():
    bus = MemoryBus()
    _, received = collect(bus, ["#"])
    for n in range(2000):
        bus.publish(f"k.{n % 7}", {"n": n})
    assert bus.flush(5)
    assert [p["n"] for _, p in received] == list(range(2000))


def test_exchanges_are_separate():
    bus = MemoryBus()
    _, conf = collect(bus, ["#"])
    _, other = collect(bus, ["#"], exchange="other")
    bus.publish("a.b", {"x": 1})
    bus.publish("a.b", {"x": 2}, exchange="other")
    assert bus.flush(2)
    assert [p["x"] for _, p in conf] == [1]
    assert [p["x"] for _, p in other] == [2]


def test_each_consumer_gets_its_own_copy():
    bus = MemoryBus()

    def vandal(key, payload):
        payload["nested"]["v"] = "changed"

    bus.start(["#"], vandal)
    _, received = collect(bus, ["#"])
    original = {"nested": {"v": "orig"}}
    bus.publish("a", original)
    assert bus.flush(2)
    assert received[0][1] == {"nested": {"v": "orig"}}
    assert original == {"nested": {"v": "orig"}}


def test_non_serialisable_payload_fails_at_publish():
    bus = MemoryBus()
    with pytest.raises(TypeError):
        bus.publish("a", {"bad": object()})


def test_callback_exception_does_not_stop_delivery():
    bus = MemoryBus()
    seen = []

    def flaky(key, payload):
        seen.append(payload["n"])
        if payload["n"] == 1:
            raise ValueError("boom")

    handle = bus.start(["#"], flaky)
    for n in range(3):
        bus.publish("a", {"n": n})
    assert bus.flush(2)
    assert seen == [0, 1, 2]
    assert handle.failed == 1 and handle.delivered == 2


def test_publish_never_blocks_on_slow_consumer():
    bus = MemoryBus()
    bus.start(["#"], lambda key, payload: gevent.sleep(10))
    with gevent.Timeout(0.5):
        for n in range(500):
            bus.publish("a", {"n": n})
    assert bus.stats()["published"] == 500
    bus.close()


def test_full_queue_drops_and_counts():
    bus = MemoryBus(queue_size=3)
    bus.start(["#"], lambda key, payload: gevent.sleep(10))
    for n in range(10):
        bus.publish("a", {"n": n})
    # the delivery greenlet has not run yet: 3 queued, 7 dropped
    assert bus.stats()["dropped"] == 7
    bus.close()


def test_add_and_remove_binding_on_handle_and_bus():
    bus = MemoryBus()
    handle, received = collect(bus, ["a.*"])
    bus.publish("b.1", {"n": 1})
    handle.add_binding("b.*")
    bus.publish("b.2", {"n": 2})
    bus.remove_binding("a.*")          # acts on the last started subscription
    bus.publish("a.3", {"n": 3})
    assert bus.flush(2)
    assert [p["n"] for _, p in received] == [2]
    assert handle.bindings == {"b.*"}


def test_close_stops_delivery_and_detaches():
    bus = MemoryBus()
    handle, received = collect(bus, ["#"])
    _, other = collect(bus, ["#"])
    handle.close()
    bus.publish("a", {"n": 1})
    assert bus.flush(2)
    assert received == [] and len(other) == 1
    assert bus.stats()["consumers"] == 1


def test_independent_consumers_from_factory_method():
    bus = MemoryBus()
    first, second = bus.consumer(), bus.consumer()
    got1, got2 = [], []
    first.start(["x.*"], lambda k, p: got1.append(k))
    second.start(["y.*"], lambda k, p: got2.append(k))
    first.add_binding("y.*")
    bus.publish("x.1", {})
    bus.publish("y.1", {})
    assert bus.flush(2)
    assert got1 == ["x.1", "y.1"] and got2 == ["y.1"]


def test_bus_close_spares_consumers_made_by_others():
    bus = MemoryBus()
    own, own_received = collect(bus, ["#"])
    theirs = bus.consumer()
    got = []
    theirs.start(["#"], lambda k, p: got.append(k))
    bus.close()                          # e.g. a publisher shutting down
    bus.publish("a", {})
    assert bus.flush(2)
    assert got == ["a"] and own_received == []
