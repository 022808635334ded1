"""ecallmgr when things break: FreeSWITCH restarts, RabbitMQ drops the connection,
a node stays away past its grace period."""
import time

import gevent

from tests.integration.test_ecallmgr_flow import harness, names, of_member, read_until, wait_for  # noqa: F401
from kzcore.lifecycle import LIFECYCLE_EVENTS
from tests.support.rabbit import close_broker_connection


def switch_names(messages):
    """The switch's events among ``messages`` (without ecallmgr's lifecycle events)."""
    return [name for name in names(messages) if name not in LIFECYCLE_EVENTS]


def adds_and_dels(messages):
    return [(p["event"], p["caller_id_name"]) for _, p, _ in messages
            if p["event"] in ("add-member", "del-member")]


def test_simulator_restart_resyncs_without_duplicate_add_member(harness, fssim):
    h = harness()
    room, _conference_id, tap = h.new_room()
    got = []
    alice = fssim.join(room, "1001", "Alice")
    bob = fssim.join(room, "1002", "Bob")
    read_until(tap, got, lambda p: p["event"] == "add-member" and p["call_id"] == bob.uuid)
    stream = h.daemon.stream

    fssim.stop()                      # the switch "dies": every ESL connection drops
    wait_for(lambda: not h.daemon.pool.connected_names())
    carol = fssim.join(room, "1003", "Carol")     # while ecallmgr is blind
    fssim.hangup(bob.uuid)
    gevent.sleep(0.3)
    restarted = time.monotonic()
    fssim.start()
    wait_for(lambda: stream.counts["resyncs"] >= 2, timeout=5)
    reconnect_time = time.monotonic() - restarted
    assert reconnect_time < 2.0, f"reconnected after {reconnect_time:.2f}s"

    read_until(tap, got, lambda p: p["event"] == "add-member" and p["call_id"] == carol.uuid)
    got.extend(tap.read_quiet(0.5))
    assert adds_and_dels(got) == [("add-member", "Alice"), ("add-member", "Bob"),
                                  ("del-member", "Bob"), ("add-member", "Carol")]
    carol_add = of_member(got, carol.uuid)[0]
    assert (carol_add["caller_id_number"], carol_add["participant_id"]) == ("1003", carol.id)
    # still live afterwards: Alice's events keep flowing, with no second add-member
    fssim.talk(alice.uuid)
    read_until(tap, got, lambda p: p["event"] == "start-talking" and p["call_id"] == alice.uuid)
    assert [p["event"] for p in of_member(got, alice.uuid)].count("add-member") == 1


def test_broker_closing_the_connection_loses_no_event(harness, fssim):
    h = harness()
    room, _conference_id, tap = h.new_room()
    alice = fssim.join(room, "1001", "Alice")
    got = []
    read_until(tap, got, lambda p: p["event"] == "add-member")
    burst = fssim.emit_talk_burst(alice.uuid, 600, 300)          # 2 s of talk events
    gevent.sleep(0.5)
    assert close_broker_connection(h.publisher_name) == 1
    burst.join(timeout=10)
    wait_for(lambda: h.publisher.stats()["reconnects"] >= 1)
    assert h.daemon.stream.drain(5) and h.publisher.flush(10)
    got.extend(tap.read(100000, timeout=1.0))
    talk = [(p["event"], p["msg_id"]) for p in of_member(got, alice.uuid)
            if p["event"] in ("start-talking", "stop-talking")]
    unique = list(dict.fromkeys(talk))                 # re-sends may repeat, in order
    assert len(unique) == 600
    assert [event for event, _ in unique] == ["start-talking", "stop-talking"] * 300
    assert h.publisher.stats()["dropped"] == 0


def test_node_lost_past_grace_drops_its_members(harness, fssim):
    h = harness(node_grace=0.5)
    room, _conference_id, tap = h.new_room()
    got = []
    fssim.join(room, "1001", "Alice")
    bob = fssim.join(room, "1002", "Bob")
    read_until(tap, got, lambda p: p["event"] == "add-member" and p["call_id"] == bob.uuid)
    fssim.stop()
    read_until(tap, got, lambda p: p["event"] == "conference-destroy", timeout=5)
    got.extend(tap.read_quiet(0.3))
    assert switch_names(got)[-3:] == ["del-member", "del-member", "conference-destroy"]
    assert [p.get("left_reason") or p.get("end_reason") for _, p, _ in got
            if p["event"] in ("left", "conference-ended")][-3:] == ["ended", "ended", "node_lost"]
    assert h.daemon.stream.state.member_count() == 0
    # the switch comes back with the room still up: members are announced again
    mark = len(got)
    fssim.start()
    read_until(tap, got, lambda p: p["event"] == "add-member" and p["call_id"] == bob.uuid,
               since=mark)
    assert adds_and_dels(got[mark:]) == [("add-member", "Alice"), ("add-member", "Bob")]


def test_short_outage_within_grace_publishes_nothing(harness, fssim):
    h = harness(node_grace=3.0)
    room, _conference_id, tap = h.new_room()
    got = []
    fssim.join(room, "1001", "Alice")
    read_until(tap, got, lambda p: p["event"] == "add-member")
    got.extend(tap.read_quiet(1.0))   # the alone sound ends 0.65 s later (400 ms lead-in)
    seen = len(got)
    fssim.stop()
    gevent.sleep(0.3)
    fssim.start()
    wait_for(lambda: h.daemon.stream.counts["resyncs"] >= 2)
    gevent.sleep(3.2)                 # past the grace period of the first outage
    assert tap.read_quiet(0.3) == [] and len(got) == seen
    assert h.daemon.stream.counts["nodes_expired"] == 0


def test_two_nodes_one_lost(harness, fssim_factory):
    node1, node2 = fssim_factory(hostname="fs-one"), fssim_factory(hostname="fs-two")
    h = harness(sims=[node1, node2], node_grace=0.5)
    room1, _id1, tap1 = h.new_room()
    room2, _id2, tap2 = h.new_room()
    got1, got2 = [], []
    alice = node1.join(room1, "1001", "Alice")
    bob = node2.join(room2, "1002", "Bob")
    read_until(tap1, got1, lambda p: p["event"] == "add-member")
    read_until(tap2, got2, lambda p: p["event"] == "add-member")
    assert of_member(got1, alice.uuid)[0]["focus"] == "freeswitch@fs-one"
    assert of_member(got2, bob.uuid)[0]["focus"] == "freeswitch@fs-two"
    node1.stop()
    read_until(tap1, got1, lambda p: p["event"] == "conference-destroy", timeout=5)
    assert switch_names(got1)[-2:] == ["del-member", "conference-destroy"]
    node2.talk(bob.uuid)          # the other node is untouched and still live
    read_until(tap2, got2, lambda p: p["event"] == "start-talking")
    assert "del-member" not in names(got2)
    assert h.daemon.pool.connected_names() == ["freeswitch@fs-two"]
