"""ecallmgr with one room forced onto two simulator nodes (TCP) and RabbitMQ: each
copy's lifecycle events carry its node (``focus``), and conference-destroy is
published once, when the last copy ends, with size 0."""
import pytest

from tests.integration.test_ecallmgr_flow import Harness, read_until, wait_for  # noqa: F401

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def two_node_harness(fssim_factory, amqp_url, rabbit_tap, temp_exchange):
    sims = [fssim_factory(hostname="node1"), fssim_factory(hostname="node2")]
    harness = Harness(sims, amqp_url, rabbit_tap, temp_exchange).start()
    yield harness, sims
    harness.stop()


def of(got, event):
    return [p for _, p, _ in got if p["event"] == event]


def test_a_split_rooms_destroy_is_published_once_when_the_last_copy_ends(two_node_harness):
    harness, (node1, node2) = two_node_harness
    room, conference_id, tap = harness.new_room()
    got = []
    alice = node1.join(room, "1001", "Alice")
    bob = node2.join(room, "2002", "Bob")
    read_until(tap, got, lambda p: len(of(got, "add-member")) == 2)
    assert sorted(p["focus"] for p in of(got, "conference-create")) == [node1.node_name,
                                                                        node2.node_name]
    node2.hangup(bob.uuid)                       # node 2's copy ends ...
    read_until(tap, got, lambda p: p["event"] == "del-member" and p["call_id"] == bob.uuid)
    got.extend(tap.read_quiet(0.5))
    assert of(got, "conference-destroy") == []   # ... while node 1's still runs: no destroy
    wait_for(lambda: harness.daemon.stream.counts["destroy_withheld"] == 1)
    node1.hangup(alice.uuid)
    read_until(tap, got, lambda p: p["event"] == "conference-destroy")
    got.extend(tap.read_quiet(0.3))
    (destroy,) = of(got, "conference-destroy")
    assert (destroy["focus"], destroy["conference_size"], destroy["conference_id"]) == (
        node1.node_name, 0, conference_id)
