"""The lifecycle rules, facts and settings (pure): what a room's settings, the
switch's json_list and the run's memory decide."""
import json

import pytest

from kzcore import lifecycle as lc
from kzcore.fs_replies import parse_json_list
from lifecycle import settings as room_settings
from lifecycle.facts import facts_from
from lifecycle.rules import KICK_RETRY, MIN_WAKE, RunMemory, decide
from tests.support.paths import fs_fixture


def recorded_room(name="round4/json_list_with_ghost.esl"):
    body = fs_fixture(name).decode().split("\n\n")[-1]
    return parse_json_list(body[body.index("["):])[0]


def room(count=2, run_time=10, wait_mod=False, members=(), variables=None, ghosts=0):
    return {"conference_name": "acc_conf", "conference_uuid": "uuid-1", "run_time": run_time,
            "member_count": count, "ghost_count": ghosts, "wait_mod": wait_mod,
            "variables": variables or {}, "members": list(members)}


def caller(member_id, join_time, moderator=False):
    return {"type": "caller", "id": member_id, "uuid": f"call-{member_id}",
            "join_time": join_time, "flags": {"is_moderator": moderator}}


def rules(**fields):
    return room_settings.from_document({"pvt_type": "conference", **fields})


def test_facts_from_a_recorded_json_list_count_ghosts_apart():
    facts = facts_from(recorded_room())
    listed = recorded_room()
    assert facts.count == listed["member_count"] and facts.ghosts == listed["ghost_count"] >= 1
    assert facts.run_time == listed["run_time"] and facts.instance_id == listed["conference_uuid"]
    assert facts.ending is None and facts.wait_mod is False and facts.waiting == ()


def test_settings_read_only_valid_values():
    assert not room_settings.from_document(None).has_rules
    assert not rules().has_rules and rules().conference_type == lc.CONFERENCE
    assert rules(conference_type="connect").connect
    assert rules(conference_type="bogus").conference_type == lc.CONFERENCE
    assert rules(max_duration_s=0).max_duration_s is None
    assert rules(max_duration_s=True).max_duration_s is None
    assert rules(empty_timeout_s=30).has_rules


def test_connect_ends_only_after_having_had_two():
    connect, memory = rules(conference_type="connect"), RunMemory("uuid-1")
    assert decide(connect, facts_from(room(count=1)), memory, 0).end is None
    assert decide(connect, facts_from(room(count=2)), memory, 0).end is None
    assert memory.peak == 2
    assert decide(connect, facts_from(room(count=1)), memory, 0).end == lc.CONNECT_COMPLETED
    assert decide(rules(), facts_from(room(count=1)), RunMemory("u", peak=5), 0).end is None


def test_max_duration_ends_at_run_time_and_says_when_to_look_again():
    limit = rules(max_duration_s=60)
    waiting = decide(limit, facts_from(room(run_time=45)), RunMemory("u"), 0)
    assert waiting.end is None and waiting.wake_in == 15
    assert decide(limit, facts_from(room(run_time=60)), RunMemory("u"), 0).end == lc.MAX_DURATION


def test_empty_counts_from_when_the_last_counted_participant_left():
    limit, memory = rules(empty_timeout_s=30), RunMemory("u")
    assert decide(limit, facts_from(room(count=1)), memory, 100).wake_in is None
    first = decide(limit, facts_from(room(count=0, ghosts=1)), memory, 100)
    assert first.end is None and first.wake_in == 30 and memory.empty_since == 100
    assert decide(limit, facts_from(room(count=0, ghosts=1)), memory, 129.5).end is None
    assert decide(limit, facts_from(room(count=0, ghosts=1)), memory, 130).end == lc.EMPTY
    decide(limit, facts_from(room(count=1)), memory, 131)
    assert memory.empty_since is None                     # someone came back


def test_waiting_members_are_kicked_once_they_waited_too_long_and_not_twice_at_once():
    limit = rules(wait_for_moderator_timeout_s=30)
    listed = room(wait_mod=True, members=[caller(1, 40), caller(2, 10), caller(3, 50, True)])
    memory = RunMemory("u")
    decision = decide(limit, facts_from(listed), memory, 0)
    assert decision.kick == (1,) and decision.wake_in == 20
    memory.kicked[1] = 0
    assert decide(limit, facts_from(listed), memory, 1).kick == ()
    assert decide(limit, facts_from(listed), memory, KICK_RETRY).kick == (1,)
    no_wait = room(wait_mod=False, members=[caller(1, 400)])
    assert decide(limit, facts_from(no_wait), RunMemory("u"), 0).kick == ()


def test_a_room_being_ended_is_left_alone_then_ended_again_if_still_there():
    limit = rules(max_duration_s=1)
    ending = facts_from(room(run_time=99, variables={lc.END_REASON_VARIABLE: "api"}))
    seen = RunMemory("u")
    untouched = decide(limit, ending, seen, 10, retry=5)     # crossbar's end: seen now
    assert untouched.end is None and untouched.wake_in == 5
    assert decide(limit, ending, seen, 13, retry=5).wake_in == 2
    assert decide(limit, ending, seen, 15, retry=5).end == "api"    # still there: again
    assert decide(limit, ending, seen, 16, retry=5).end is None
    sent = RunMemory("u", end_sent=("max_duration", 10))
    assert decide(limit, ending, sent, 12, retry=5).end is None
    assert decide(limit, ending, sent, 15, retry=5).end == "api"


@pytest.mark.parametrize("run_time", [0, 30, 58])
def test_the_next_look_is_never_sooner_than_the_minimum(run_time):
    decision = decide(rules(max_duration_s=59, empty_timeout_s=1),
                      facts_from(room(run_time=run_time, count=0)), RunMemory("u"), 0)
    assert decision.end or decision.wake_in >= MIN_WAKE


def test_facts_come_through_json_as_the_switch_prints_them():
    listed = json.loads(json.dumps(room(wait_mod=True, members=[caller(7, 3)])))
    assert facts_from(listed).waiting == ((7, 3),) and facts_from(listed).call_ids == {"call-7"}
