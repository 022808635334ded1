"""Stable msg_id: the switch's own identity of each event (real recordings), the same
in every ecallmgr instance, synthetic events included."""
import json

from ecallmgr import event_ids
from ecallmgr.event_ids import REAL, Position, parse_event_id
from ecallmgr.stream import EventStream
from kzcore.bus.memory import MemoryBus
from tests.unit.test_ecallmgr_state import FakeClient, listing, switch_events_only
from tests.unit.test_normalize import fixture_events


def run_stream(events_, replies, lifecycle=False):
    """One ecallmgr stream fed ``events_`` after a connect whose json_list is
    ``replies[0]``; returns the published payloads (the lifecycle messages
    ecallmgr derives only with ``lifecycle``)."""
    bus, published = MemoryBus(), []
    bus.start(["#"], (lambda key, payload: published.append(payload)) if lifecycle
              else switch_events_only(published))
    answers = iter(replies)

    def api(node, command, timeout=None):
        return "-ERR No such channel!\n" if command.startswith("uuid_dump") else next(answers)

    stream = EventStream(publisher=bus, node="ecallmgr@unit", api=api).start()
    stream.on_connect(FakeClient())
    for event in events_:
        stream.on_event(FakeClient(), event)
    stream.on_disconnect(FakeClient())
    assert stream.drain(2) and bus.flush(2)
    stream.stop()
    return published


def test_a_real_event_is_named_by_core_uuid_and_sequence():
    events_ = fixture_events("room1_scenario.json.esl")
    published = run_stream(events_, [json.dumps([])])
    sequenced = {f"{e['Core-UUID']}:{e['Event-Sequence']}" for e in events_}
    assert published and all(p["msg_id"] in sequenced for p in published)
    assert len({p["msg_id"] for p in published}) == len(published)
    first = parse_event_id(published[0]["msg_id"])
    assert first.after == REAL and first.core == events_[0]["Core-UUID"]


def test_two_instances_give_the_same_ids_synthetic_events_included():
    """The resync announces the room json_list shows; a second instance fed the
    same switch makes the very same messages, ids and all."""
    rooms = listing("api_conference_room1_json_list.esl")
    events_ = fixture_events("room1_scenario.json.esl")
    first = run_stream(events_, [json.dumps(rooms)], lifecycle=True)
    second = run_stream(events_, [json.dumps(rooms)], lifecycle=True)
    assert [p["msg_id"] for p in first] == [p["msg_id"] for p in second]
    assert [p["sequence"] for p in first] == [p["sequence"] for p in second]
    synthetic = [p for p in first if parse_event_id(p["msg_id"]).synthetic]
    assert [p["event"] for p in synthetic][:4] == ["conference-create", "conference-started",
                                                   "add-member", "joined"]
    assert len({p["msg_id"] for p in first}) == len(first)


def test_synthetic_ids_name_what_they_say_at_their_position():
    at = Position("core-1", 41, 2)         # the second synthetic message after event 41
    event = {"Action": "del-member", "Conference-Unique-ID": "room-uuid", "Unique-ID": "call-1"}
    same = event_ids.event_id(at, dict(event), "node-lost")
    assert same == event_ids.event_id(at, event, "node-lost")
    assert same != event_ids.event_id(at, {**event, "Unique-ID": "call-2"}, "node-lost")
    assert same != event_ids.event_id(at, event, "resync")
    assert same != event_ids.event_id(Position("core-1", 41, 3), event, "node-lost")
    assert parse_event_id(same) == at and parse_event_id(same).synthetic


def test_ids_of_other_schemes_are_not_positions():
    for other in ("a1b2c3d400000001", None, 17, "x:y", "a:1:b:c", "a:1:0:d", "a:1:2"):
        assert parse_event_id(other) is None
    assert event_ids.switch_position({"Core-UUID": "c", "Event-Sequence": "x"}) is None
    assert event_ids.switch_position({"Event-Sequence": "5"}) is None
