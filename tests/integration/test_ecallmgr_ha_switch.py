"""Two ecallmgr instances (in this process, each with its own RabbitMQ connections)
when the *switch* side breaks: the holder loses its event socket while the standby
still sees the switch; the switch goes away for everyone past its grace period and
comes back."""
import collections
import uuid

import gevent
import pytest

from ecallmgr.daemon import create_daemon
from kzcore.bus.pika_publisher import PikaPublisher
from kzcore.config import load_config
from kzcore.lifecycle import LIFECYCLE_EVENTS
from tests.integration.test_ecallmgr_ha import ACCOUNT, published_kind, switch_ids, wait_for
from tests.support.ecallmgr_procs import record_bus, record_switch
from tests.support.rabbit import TcpProxy, unique_name


class Instance:
    def __init__(self, name, amqp_url, exchange, esl_address, sim, **settings):
        self.name = name
        self.publisher = PikaPublisher(amqp_url, exchange=exchange,
                                       connection_name=unique_name(f"kz-test-{name}"))
        host, port = esl_address
        config = load_config(env={}, amqp_url=amqp_url, node_name=name,
                             esl_nodes=f"{sim.node_name}={host}:{port}:{sim.password}",
                             amqp_exchange=exchange, ecallmgr_lease_poll=0.1, **settings)
        self.daemon = create_daemon(config, publisher=self.publisher, ha=True).start()

    def role(self, switch):
        return self.daemon.roles()[switch]

    def standing_by(self, switch):
        """Live on the switch and observing what the holder publishes (its lease
        connection is up): only from then on does it drop what the holder published
        from what it would publish on a takeover. Events it got from the switch
        before that stay pending (at least once) until the holder publishes more."""
        return self.daemon.stream.is_live(switch) and self.daemon.broker_connected()

    def stop(self):
        self.daemon.stop(flush_timeout=2)
        self.publisher.close(timeout=2)


@pytest.fixture
def instances(amqp_url, temp_exchange, fssim):
    made = []

    def make(name, esl_address=None, **settings):
        made.append(Instance(name, amqp_url, temp_exchange, esl_address or (fssim.host, fssim.port),
                             fssim, **settings))
        return made[-1]

    yield make
    for instance in made:
        instance.stop()


@pytest.fixture
def recorders(amqp_url, temp_exchange, fssim, events_on):
    bus, switch = record_bus(amqp_url, temp_exchange), record_switch(events_on(fssim))
    yield bus, switch
    for recorder in (bus, switch):
        recorder.close()
    bus.tap.close()


def new_room():
    conference_id = uuid.uuid4().hex
    return f"{ACCOUNT}_{conference_id}", conference_id


def of_room(bus, conference_id, lifecycle=False):
    """The switch's events of the room, or (``lifecycle``) the lifecycle messages."""
    return [payload for _, (_, payload) in bus.items if payload["conference_id"] == conference_id
            and (payload["event"] in LIFECYCLE_EVENTS) == lifecycle]


def test_holder_losing_its_switch_hands_over_to_a_standby_that_sees_it(
        instances, recorders, fssim):
    bus, switch = recorders
    esl_proxy = TcpProxy(f"amqp://x:x@{fssim.host}:{fssim.port}/").start()   # a plain TCP relay
    try:
        first = instances("ecallmgr-a", esl_address=("127.0.0.1", esl_proxy.port))
        wait_for(lambda: first.role(fssim.node_name) == "active")
        second = instances("ecallmgr-b")
        wait_for(lambda: second.standing_by(fssim.node_name))
        room, conference_id = new_room()
        alice = fssim.join(room, "1001", "Alice")
        burst = fssim.emit_talk_burst(alice.uuid, 300, 200)
        gevent.sleep(0.5)
        esl_proxy.cut()                      # only the holder loses the switch
        assert burst.get(timeout=10) == 300
        bob = fssim.join(room, "1002", "Bob")
        # every event the switch sent is on the bus: a generous deadline, not a quiet
        # period, since a loaded machine can pause a reader for more than 0.5 s
        def caught_up():
            return set(switch_ids(switch, room)) <= {p["msg_id"] for p in of_room(bus, conference_id)}
        wait_for(lambda: bob.uuid in {e.get("Unique-ID") for _, e in switch.items} and caught_up(),
                 timeout=20.0)
        switch.settle(quiet=0.5)
        wait_for(caught_up, timeout=20.0)
        bus.settle(quiet=0.5)                # and nothing more (a duplicate) is on its way
    finally:
        esl_proxy.cut()
    wait_for(lambda: first.role(fssim.node_name) == "standby")
    assert second.role(fssim.node_name) == "active"
    expected = switch_ids(switch, room)
    got = [p["msg_id"] for p in of_room(bus, conference_id)]
    assert list(dict.fromkeys(got)) == expected            # all of them, in order
    assert {p["node"] for p in of_room(bus, conference_id)} == {"ecallmgr-a", "ecallmgr-b"}


def test_switch_gone_past_its_grace_is_emptied_once_and_announced_once_when_back(
        instances, recorders, fssim):
    bus, _switch = recorders
    first = instances("ecallmgr-a", node_grace=0.5)
    wait_for(lambda: first.role(fssim.node_name) == "active")
    second = instances("ecallmgr-b", node_grace=0.5)
    wait_for(lambda: second.standing_by(fssim.node_name))
    room, conference_id = new_room()
    alice, bob = fssim.join(room, "1001", "Alice"), fssim.join(room, "1002", "Bob")
    wait_for(lambda: [p["event"] for p in of_room(bus, conference_id)].count("add-member") == 2)

    fssim.stop()                             # every instance loses the switch
    wait_for(lambda: any(p["event"] == "conference-destroy" for p in of_room(bus, conference_id)))
    bus.settle(quiet=1.0)
    gone = [(p["event"], p.get("call_id")) for p in of_room(bus, conference_id)
            if p["event"] in ("del-member", "conference-destroy")]
    assert sorted(gone, key=str) == sorted([("del-member", alice.uuid), ("del-member", bob.uuid),
                                            ("conference-destroy", None)], key=str)
    fssim.start()                            # the room is still up on the switch
    wait_for(lambda: [p["event"] for p in of_room(bus, conference_id)].count("add-member") == 4)
    bus.settle(quiet=1.0)
    counts = collections.Counter(p["msg_id"] for p in of_room(bus, conference_id))
    assert max(counts.values()) == 1                       # nothing twice, from either
    back = [(p["event"], p.get("call_id"), p["node"]) for p in of_room(bus, conference_id)]
    back = back[[e for e, _, _ in back].index("conference-destroy") + 1:]
    assert [(event, call_id) for event, call_id, _ in back] == [
        ("conference-create", None), ("add-member", alice.uuid), ("add-member", bob.uuid)]
    wait_for(lambda: {first.role(fssim.node_name), second.role(fssim.node_name)}
             == {"active", "standby"})
    derived = [(p["event"], p.get("call_id"), p.get("left_reason") or p.get("end_reason"))
               for p in of_room(bus, conference_id, lifecycle=True)]
    ended = derived[:derived.index(("conference-ended", None, "node_lost")) + 1]
    assert sorted(ended[-3:], key=str) == sorted([("left", alice.uuid, "ended"),
                                                  ("left", bob.uuid, "ended"),
                                                  ("conference-ended", None, "node_lost")], key=str)
    assert [event for event, _, _ in derived].count("conference-ended") == 1
