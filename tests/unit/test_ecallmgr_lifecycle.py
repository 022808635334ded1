"""Lifecycle events ecallmgr derives from the switch's own (ecallmgr.lifecycle),
replayed from recorded round-4 traffic and checked for the reasons, the end
reason carried by the room's ``kz_end_reason`` variable, and ``sequence``."""
import json

from ecallmgr.event_ids import Position
from ecallmgr.lifecycle import LifecycleEvents, sequence_number
from kzcore import lifecycle as lc
from tests.unit.test_ecallmgr_event_ids import run_stream
from tests.unit.test_normalize import ACCOUNT, fixture_events

NODE = "freeswitch@vm"


def derive_all(events_, lifecycle=None):
    lifecycle = lifecycle or LifecycleEvents()
    out = []
    for event in events_:
        identity = (ACCOUNT, event.get("Conference-Name", "").partition("_")[2])
        for derived in lifecycle.derive(NODE, event, identity, now=1000.0):
            out.append((event.get("Unique-ID"), derived))
    return out


def round4(name):
    return [e for e in fixture_events(f"round4/{name}.events.json.esl")
            if e.get("Event-Subclass") == "conference::maintenance"]


def test_hup_all_members_left_kicked_and_the_room_ended_by_its_last_member():
    derived = derive_all(round4("hup_all_other"))
    assert [d.name for _, d in derived] == ["left", "left", "conference-ended"]
    assert [d.extras["left_reason"] for _, d in derived[:2]] == [lc.KICKED, lc.KICKED]
    assert derived[-1][1].extras["end_reason"] == lc.LAST_MEMBER_LEFT
    assert derived[0][1].extras["conference_size"] == 1


def test_a_decided_end_is_read_off_the_rooms_variable_on_every_event():
    """`setvar kz_end_reason max_duration` then `hup all`: the switch stamps the
    variable on each later event, so the members left because the room ended."""
    events_ = round4("hup_all_other")
    for event in events_:
        event[lc.END_REASON_VARIABLE] = lc.MAX_DURATION
    derived = derive_all(events_)
    assert [d.extras.get("left_reason") for _, d in derived[:2]] == [lc.ENDED, lc.ENDED]
    assert derived[-1][1].extras["end_reason"] == lc.MAX_DURATION


def test_a_transferred_member_left_moved_to_the_other_conference_of_the_account():
    events_ = round4("transfer_to_other_room")
    for event in events_:
        if "New-Conference-Name" in event:      # named as this system names rooms
            event["New-Conference-Name"] = f"{ACCOUNT}_{event['New-Conference-Name']}"
    derived = derive_all(events_)
    left = [(call, d) for call, d in derived if d.name == lc.PARTICIPANT_LEFT]
    assert len(left) == 1 and left[0][1].extras["left_reason"] == lc.MOVED
    assert left[0][1].extras["moved_to"] == "r4other"
    joined = [d for _, d in derived if d.name == lc.PARTICIPANT_JOINED]
    assert joined and joined[0].extras["is_moderator"] is False


def test_kick_all_members_left_kicked():
    derived = derive_all(round4("kick_all"))
    reasons = [d.extras.get("left_reason") for _, d in derived if d.name == "left"]
    assert reasons == [lc.KICKED] * 3
    assert derived[-1][1].name == lc.CONFERENCE_ENDED


def test_a_join_only_refusal_is_a_participant_who_left_refused():
    events_ = [e for e in fixture_events("round4/join_only_into_missing_room.events.json.esl")
               if e.get("Action") == "rejected-join-only"]
    [(call_id, derived)] = derive_all(events_)
    assert derived.name == lc.PARTICIPANT_LEFT and derived.participant
    assert derived.extras["left_reason"] == lc.REFUSED_JOIN_ONLY
    assert call_id == events_[0]["Unique-ID"]


def test_a_member_who_hung_up_left_with_hangup():
    events_ = round4("hup_member")
    hup = next(e for e in events_ if e["Action"] == "hup-member")
    gone = next(e for e in events_ if e["Action"] == "del-member")
    other = dict(gone, **{"Unique-ID": "another-call"})
    derived = derive_all([hup, gone, other])
    assert [d.extras["left_reason"] for _, d in derived] == [lc.KICKED, lc.HANGUP]


def test_sequence_orders_derived_messages_right_after_their_switch_event():
    assert sequence_number(Position("c", 605129, 0)) == 605129000
    assert sequence_number(Position("c", 605129, 2)) == 605129002
    assert sequence_number(Position("c", 605129, 5000)) == 605129999
    assert sequence_number(Position("c", 605129, 5000)) < sequence_number(Position("c", 605130, 0))


def test_stream_publishes_lifecycle_events_in_order_with_increasing_sequence():
    events_ = fixture_events("room1_scenario.json.esl")
    published = run_stream(events_, [json.dumps([])], lifecycle=True)
    names = [p["event"] for p in published]
    assert names.index("conference-create") + 1 == names.index("conference-started")
    assert names.count("joined") == names.count("add-member") > 0
    assert names.count("left") == names.count("del-member") > 0
    assert names[-1] == "conference-ended"
    assert published[-1]["end_reason"] == lc.LAST_MEMBER_LEFT
    sequences = [p["sequence"] for p in published]
    assert sequences == sorted(sequences) and len(set(sequences)) == len(sequences)
    for own, derived in zip(published, published[1:]):
        if derived["event"] in ("joined", "left"):
            assert derived["call_id"] == own["call_id"] and derived["account_id"] == ACCOUNT
