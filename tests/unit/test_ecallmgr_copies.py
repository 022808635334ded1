"""ecallmgr and a room running on two switches at once (issue 18): each copy's
events carry its node as ``focus``, conference-destroy is published once, when the
last copy ends (also when a lost node's copy is dropped after its grace period),
and synthetic destroys carry the size a real one does (0), del-members the count
after each member left."""
import gevent

from ecallmgr import resync
from ecallmgr.state import LiveState
from ecallmgr.stream import EventStream
from kzcore.bus.memory import MemoryBus

ACCOUNT = "9d351ad7ffd6f846313af9eed3bb7b85"
ROOM = f"{ACCOUNT}_c0ffee"
A, B = "freeswitch@a", "freeswitch@b"


class Client:
    def __init__(self, name):
        self.name = name


def room_event(action, instance, size, **extra):
    return {"Event-Name": "CUSTOM", "Event-Subclass": "conference::maintenance",
            "Action": action, "Conference-Name": ROOM, "Conference-Unique-ID": instance,
            "Conference-Size": str(size), **extra}


def member(action, instance, size, member_id, call_id, ghost=False):
    return room_event(action, instance, size, **{
        "Member-ID": str(member_id), "Unique-ID": call_id, "Caller-Caller-ID-Name": "X",
        "Caller-Caller-ID-Number": "1", "Member-Type": "member",
        "Member-Ghost": "true" if ghost else "false"})


def started(instance, member_id, call_id):
    return [room_event("conference-create", instance, 0),
            member("add-member", instance, 1, member_id, call_id)]


def ended(instance, member_id, call_id):
    return [member("del-member", instance, 0, member_id, call_id),
            room_event("conference-destroy", instance, 0)]


def stream_on_memory_bus(**options):
    bus, published = MemoryBus(), []
    bus.start(["#"], lambda key, payload: published.append(payload))
    stream = EventStream(publisher=bus, node="ecallmgr@unit", api=None, **options).start()
    return stream, bus, published


def feed(stream, bus, node, *events):
    for event in events:
        stream.on_event(Client(node), event)
    assert stream.drain(2) and bus.flush(2)


ROOM_LIFECYCLE = ("conference-started", "conference-ended")
PARTICIPANT_LIFECYCLE = ("joined", "left")


def switch_events(published):
    return [(p["event"], p["focus"]) for p in published
            if p["event"] not in ROOM_LIFECYCLE + PARTICIPANT_LIFECYCLE]


def room_lifecycle(published):
    return [(p["event"], p["focus"]) for p in published if p["event"] in ROOM_LIFECYCLE]


def test_destroy_of_one_copy_is_withheld_until_the_last_copy_ends():
    stream, bus, published = stream_on_memory_bus()
    feed(stream, bus, A, *started("ia", 7, "ua"))
    feed(stream, bus, B, *started("ib", 7, "ub"), *ended("ib", 7, "ub"))
    assert switch_events(published) == [
        ("conference-create", A), ("add-member", A), ("conference-create", B), ("add-member", B),
        ("del-member", B)]                          # B's copy ended: A's still runs
    assert stream.counts["destroy_withheld"] == 1
    # the lifecycle says it once per room too: started with A's copy, not ended with B's
    assert room_lifecycle(published) == [("conference-started", A)]
    assert [p["event"] for p in published if p["focus"] == B
            and p["event"] in PARTICIPANT_LIFECYCLE] == ["joined", "left"]
    feed(stream, bus, A, *ended("ia", 7, "ua"))
    destroys = [p for p in published if p["event"] == "conference-destroy"]
    assert [(p["focus"], p["conference_size"], p["instance_id"]) for p in destroys] == [
        (A, 0, "ia")]
    assert room_lifecycle(published) == [("conference-started", A), ("conference-ended", A)]


def test_a_lost_nodes_copy_ends_silently_while_another_copy_runs():
    stream, bus, published = stream_on_memory_bus(grace=0.05)
    feed(stream, bus, A, *started("ia", 3, "ua"))
    feed(stream, bus, B, *started("ib", 4, "ub"))
    stream.on_disconnect(Client(A))
    with gevent.Timeout(2, AssertionError("grace period never ended")):
        while not stream.is_expired(A):
            gevent.sleep(0.01)
    assert stream.drain(2) and bus.flush(2)
    lost = [p for p in published if p.get("focus") == A and p["event"] == "del-member"]
    assert [p["call_id"] for p in lost] == ["ua"]
    assert not [p for p in published if p["event"] == "conference-destroy"]
    feed(stream, bus, B, *ended("ib", 4, "ub"))
    assert [p["focus"] for p in published if p["event"] == "conference-destroy"] == [B]


def test_synthetic_room_end_counts_down_to_zero_without_ghosts():
    state = LiveState()
    state.apply(A, room_event("conference-create", "ia", 0))
    for member_id, call_id, ghost in ((1, "u1", False), (2, "u2", True), (3, "u3", False)):
        state.apply(A, member("add-member", "ia", 0, member_id, call_id, ghost))
    (conference,) = state.conferences(A)
    events = resync.room_gone_events(conference, "node-lost")
    assert [(e["Action"], e.get("Member-ID"), e["Conference-Size"]) for e in events] == [
        ("del-member", "1", "1"), ("del-member", "2", "1"), ("del-member", "3", "0"),
        ("conference-destroy", None, "0")]
