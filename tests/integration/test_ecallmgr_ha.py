"""Two kz-ecallmgr processes on one simulated switch, RabbitMQ on the machine: the
active one is killed (SIGKILL) or cut off from the broker mid-stream, while a
member talks in a burst and callers join and leave. Every switch event reaches the
consumer (counted per msg_id), in the switch's order, a duplicate only where the
documented guarantee allows one, and the standby takes over within 2 s."""
import collections
import time
import uuid

import gevent
import pytest

from ecallmgr import events
from ecallmgr.event_ids import parse_event_id
from kzcore.lifecycle import LIFECYCLE_EVENTS
from tests.support.ecallmgr_procs import EcallmgrProcess, record_bus, record_switch
from tests.support.waiting import wait_for

ACCOUNT = "9d351ad7ffd6f846313af9eed3bb7b85"
BURST, RATE = 800, 200.0           # talk events of the first caller: 4 s of them
CUT_AFTER = 1.5                    # seconds into the burst
TAKEOVER_LIMIT = 2.0               # what the issue asks; the measure is printed
IN_FLIGHT = 1.0                    # seconds before a failure a duplicated message may be from


@pytest.fixture
def ecallmgr_factory(tmp_path, fssim, amqp_url, temp_exchange):
    made = []

    def start(name, url=None, **settings):
        process = EcallmgrProcess(tmp_path / f"{name}.log", name=name, amqp_url=url or amqp_url,
                                  exchange=temp_exchange, sims=[fssim], **settings)
        made.append(process)
        return process.start()

    yield start
    for process in made:
        process.stop()


@pytest.fixture
def bus(amqp_url, temp_exchange):
    recorder = record_bus(amqp_url, temp_exchange)
    yield recorder
    recorder.close()
    recorder.tap.close()


@pytest.fixture
def switch(fssim, events_on):
    recorder = record_switch(events_on(fssim))
    yield recorder
    recorder.close()


def published_kind(event, room):
    """Is this switch event one ecallmgr publishes (the contract of events.py)?"""
    if event.get("Event-Subclass") != events.MAINTENANCE_SUBCLASS:
        return False
    if event.get("Conference-Name") != room:
        return False
    action = event.get("Action")
    member = "Member-ID" in event and "Unique-ID" in event
    return action in events.CONFERENCE_EVENTS or (action in events.PARTICIPANT_EVENTS and member)


def switch_ids(switch, room):
    return [f"{e['Core-UUID']}:{e['Event-Sequence']}" for _, e in switch.items
            if published_kind(e, room)]


def room_messages(bus, conference_id, lifecycle=False):
    """The room's messages: the switch's events, or (``lifecycle``) the lifecycle
    messages ecallmgr derives from them (ecallmgr.lifecycle)."""
    return [(at, payload) for at, (_key, payload) in bus.items
            if payload.get("conference_id") == conference_id
            and (payload.get("event") in LIFECYCLE_EVENTS) == lifecycle]


def check_lifecycle(switch, bus, room, conference_id):
    """One joined/left per add-member/del-member, each numbered right after its switch
    event, with the same msg_id and sequence whichever instance published it."""
    derived = {}
    for _, payload in room_messages(bus, conference_id, lifecycle=True):
        if payload["event"] not in ("joined", "left"):
            continue
        derived.setdefault(payload["msg_id"], set()).add((payload["event"],
                                                          payload["sequence"]))
    assert all(len(copies) == 1 for copies in derived.values())    # copies agree
    wanted = {"add-member": "joined", "del-member": "left"}
    expected = sorted((wanted[e["Action"]], int(e["Event-Sequence"]) * 1000 + 1)
                      for _, e in switch.items
                      if published_kind(e, room) and e.get("Action") in wanted)
    got = sorted(copy for copies in derived.values() for copy in copies)
    assert got == expected


def a_pair(ecallmgr_factory, fssim, first_url=None):
    active = ecallmgr_factory("ecallmgr-a", url=first_url)
    active.wait_role(fssim.node_name, "active")
    standby = ecallmgr_factory("ecallmgr-b")
    wait_for(lambda: standby.get("/ready")[0] == 200)
    assert standby.role(fssim.node_name) == "standby"
    assert active.role(fssim.node_name) == "active"
    return active, standby


def stream_with_failure(fssim, bus, fail):
    """A room: the first caller talks in a burst while five more join (one leaves);
    ``fail()`` runs CUT_AFTER seconds into the burst. Returns (room, conference id,
    the time of the failure)."""
    conference_id = uuid.uuid4().hex
    room = f"{ACCOUNT}_{conference_id}"
    alice = fssim.join(room, "1001", "Alice")
    wait_for(lambda: any(p["event"] == "add-member" for _, p in room_messages(bus, conference_id)))
    burst = fssim.emit_talk_burst(alice.uuid, BURST, RATE)

    def callers():
        joined = []
        for n in range(5):
            gevent.sleep(0.6)
            joined.append(fssim.join(room, f"20{n}", f"Caller {n}"))
            if n == 3:
                fssim.hangup(joined[1].uuid)
    joining = gevent.spawn(callers)
    gevent.sleep(CUT_AFTER)
    failed_at = time.monotonic()
    fail()
    assert burst.get(timeout=30) == BURST
    joining.get(timeout=30)
    return room, conference_id, failed_at


def check_delivery(switch, bus, room, conference_id, old, new, failed_at):
    """Every switch event once or more, in the switch's order; duplicates only as
    documented: one copy from each instance, of what the old holder published in
    the moment before it failed (in flight, not yet seen by the new holder when it
    took over). Returns the duplicated ids."""
    bus.settle(quiet=1.0)
    expected = switch_ids(switch, room)
    got = room_messages(bus, conference_id)
    counts = collections.Counter(p["msg_id"] for _, p in got)
    missing = [msg_id for msg_id in expected if msg_id not in counts]
    assert not missing, f"{len(missing)} of {len(expected)} switch events never published"
    assert list(dict.fromkeys(p["msg_id"] for _, p in got)) == expected    # order, nothing else
    duplicated = {msg_id for msg_id, n in counts.items() if n > 1}
    for msg_id in duplicated:
        copies = [(at, p["node"]) for at, p in got if p["msg_id"] == msg_id]
        assert sorted(node for _, node in copies) == sorted([old, new])
        assert abs(min(at for at, node in copies if node == old) - failed_at) < IN_FLIGHT
    assert len(expected) >= BURST + 5 * 2       # the burst, adds and dels: a real stream
    check_lifecycle(switch, bus, room, conference_id)
    return duplicated


def takeover_seconds(bus, conference_id, new, failed_at):
    first = min(at for at, p in room_messages(bus, conference_id) if p["node"] == new)
    return first - failed_at


def test_sigkill_of_the_active_instance_loses_and_duplicates_nothing(
        ecallmgr_factory, fssim, bus, switch):
    active, standby = a_pair(ecallmgr_factory, fssim)
    room, conference_id, failed_at = stream_with_failure(fssim, bus, active.kill)

    duplicated = check_delivery(switch, bus, room, conference_id, active.name, standby.name,
                                failed_at)
    took = takeover_seconds(bus, conference_id, standby.name, failed_at)
    print(f"\nSIGKILL: takeover {took * 1000:.0f} ms, {len(duplicated)} duplicates")
    assert took < TAKEOVER_LIMIT
    assert standby.role(fssim.node_name) == "active"
    # the standby's warm state matched the switch: its takeover resync added nothing
    assert not [p for _, p in room_messages(bus, conference_id)
                if parse_event_id(p["msg_id"]).synthetic]


def test_active_instance_cut_off_from_the_broker_hands_over_and_stays_quiet(
        ecallmgr_factory, fssim, bus, switch, amqp_proxy):
    active, standby = a_pair(ecallmgr_factory, fssim, first_url=amqp_proxy.url)
    room, conference_id, failed_at = stream_with_failure(fssim, bus, amqp_proxy.cut)

    status, body = active.get("/ready")
    assert status == 503 and body["checks"]["broker"]["ok"] is False
    assert body["roles"] == {fssim.node_name: "standby"}
    restored_at = time.monotonic()
    amqp_proxy.start()                 # the partition heals: the old holder stands by
    wait_for(lambda: active.get("/ready")[0] == 200)
    assert active.role(fssim.node_name) == "standby"
    gevent.sleep(0.5)
    late = fssim.join(room, "3000", "Late")     # events after the heal: the new holder's
    wait_for(lambda: any(p.get("call_id") == late.uuid
                         for _, p in room_messages(bus, conference_id)))
    duplicated = check_delivery(switch, bus, room, conference_id, active.name, standby.name,
                                failed_at)
    took = takeover_seconds(bus, conference_id, standby.name, failed_at)
    print(f"\npartition: takeover {took * 1000:.0f} ms, {len(duplicated)} duplicates")
    assert took < TAKEOVER_LIMIT
    from_old = [at for at, p in room_messages(bus, conference_id) if p["node"] == active.name]
    assert max(from_old) < restored_at          # nothing stale re-sent after the heal
