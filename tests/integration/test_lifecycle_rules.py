"""The lifecycle rules against the simulator over TCP, with ecallmgr and the
lifecycle service on the real RabbitMQ: connect rooms, maximum duration, empty
rooms. Outcomes are read from the switch (json_list over ESL) and the events on
the broker; the API's view is checked where it is the point."""
import time

import gevent
import pytest

from kzcore import lifecycle as lc
from tests.integration.lifecycle_rig import (events_of, lifecycle_rig, named,  # noqa: F401
                                             wait_for)

pytestmark = [pytest.mark.rabbitmq, pytest.mark.slow]


def ended(payloads):
    return any(p["event"] == lc.CONFERENCE_ENDED for p in payloads)


def test_a_connect_room_ends_when_its_second_last_participant_leaves(lifecycle_rig):
    rig = lifecycle_rig()
    conference_id = rig.create(conference_type="connect")
    tap = rig.tap(conference_id)
    _, alice = rig.join(conference_id, "1001", "Alice")
    gevent.sleep(0.5)
    assert rig.wire_room(conference_id)["member_count"] == 1     # one alone: not connected yet
    _, bob = rig.join(conference_id, "1002", "Bob")
    wait_for(lambda: rig.wire_room(conference_id)["member_count"] == 2)
    rig.hang_up(bob)
    wait_for(lambda: rig.wire_room(conference_id) is None, message="the room did not end")
    assert not rig.call_alive(alice)
    payloads = events_of(tap, ended)
    left = {p["call_id"]: p["left_reason"] for p in named(payloads, lc.PARTICIPANT_LEFT)}
    assert left == {bob: lc.HANGUP, alice: lc.ENDED}
    (end,) = named(payloads, lc.CONFERENCE_ENDED)
    assert end["end_reason"] == lc.CONNECT_COMPLETED
    sequences = [p["sequence"] for p in payloads]
    assert sequences == sorted(sequences) and len(set(sequences)) == len(sequences)
    assert len({p["msg_id"] for p in payloads}) == len(payloads)
    view = wait_for(lambda: (lambda ro: ro if ro["end_reason"] else None)(
        rig.read_only(conference_id)))
    assert view["status"] == lc.IDLE and view["end_reason"] == lc.CONNECT_COMPLETED
    assert view["ended_at"] >= view["started_at"] > 0
    assert {p["call_id"]: p["left_reason"] for p in view["recent_participants"]} == left
    assert all(p["state"] == lc.LEFT for p in view["recent_participants"])


def test_a_plain_conference_keeps_running_with_one_participant_left(lifecycle_rig):
    rig = lifecycle_rig()
    conference_id = rig.create()
    rig.join(conference_id, "1001", "Alice")
    _, bob = rig.join(conference_id, "1002", "Bob")
    rig.hang_up(bob)
    gevent.sleep(1.5)
    assert rig.wire_room(conference_id)["member_count"] == 1


def test_max_duration_ends_the_room_when_it_has_run_that_long(lifecycle_rig):
    rig = lifecycle_rig()
    conference_id = rig.create(max_duration_s=2)
    tap = rig.tap(conference_id)
    _, alice = rig.join(conference_id, "1001", "Alice")
    joined = time.monotonic()
    gevent.sleep(1.2)
    if time.monotonic() - joined < 1.8:      # (a loaded machine may oversleep: ended_at says it)
        assert rig.wire_room(conference_id) is not None           # not before its time
    wait_for(lambda: rig.wire_room(conference_id) is None, timeout=20,
             message="the room outlived max_duration_s")
    payloads = events_of(tap, ended)
    (end,) = named(payloads, lc.CONFERENCE_ENDED)
    assert end["end_reason"] == lc.MAX_DURATION
    (left,) = named(payloads, lc.PARTICIPANT_LEFT)
    assert left["call_id"] == alice and left["left_reason"] == lc.ENDED
    (started,) = named(payloads, lc.CONFERENCE_STARTED)
    assert 2 <= end["ended_at"] - started["started_at"] <= 6


def test_empty_timeout_ends_a_room_left_with_ghosts_only(lifecycle_rig):
    rig = lifecycle_rig()
    conference_id = rig.create(empty_timeout_s=1)
    tap = rig.tap(conference_id)
    _, ghost = rig.join(conference_id, "1900", "Supervisor", flags=("ghost",))
    _, alice = rig.join(conference_id, "1001", "Alice")
    gevent.sleep(1.5)
    room = rig.wire_room(conference_id)
    assert (room["member_count"], room["ghost_count"]) == (1, 1)   # not empty: still running
    rig.hang_up(alice)
    wait_for(lambda: rig.wire_room(conference_id)["member_count"] == 0)
    gevent.sleep(0.5)
    assert rig.wire_room(conference_id) is not None                # a ghost keeps it alive...
    wait_for(lambda: rig.wire_room(conference_id) is None, timeout=4,
             message="the empty room was not ended")               # ...until empty_timeout_s
    payloads = events_of(tap, ended)
    assert named(payloads, lc.CONFERENCE_ENDED)[0]["end_reason"] == lc.EMPTY
    left = {p["call_id"]: p["left_reason"] for p in named(payloads, lc.PARTICIPANT_LEFT)}
    assert left == {alice: lc.HANGUP, ghost: lc.ENDED}


def test_a_dynamic_connect_room_started_by_dial_ends_when_one_leg_hangs_up(lifecycle_rig):
    """A dial into an id with no document: the rules come from the dial's parameters."""
    rig = lifecycle_rig()
    conference_id = "dynamic-connect-1"
    tap = rig.tap(conference_id)
    rig.dialplan_numbers(["5550201", "5550202"])
    reply = rig.call("PUT", conference_id, body={"action": "dial", "data": {
        "endpoints": ["5550201", "5550202"], "conference_type": "connect"}})
    assert reply.status_code == 200, reply.get_json()
    first, second = [leg["call_id"] for leg in reply.get_json()["data"]["endpoint_responses"]]
    wait_for(lambda: len(rig.wire_callers(conference_id)) == 2)
    rig.hang_up(second)
    wait_for(lambda: rig.wire_room(conference_id) is None, message="the room did not end")
    assert not rig.call_alive(first)
    payloads = events_of(tap, ended)
    assert named(payloads, lc.CONFERENCE_ENDED)[0]["end_reason"] == lc.CONNECT_COMPLETED
