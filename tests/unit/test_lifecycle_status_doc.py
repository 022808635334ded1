"""The conference status document (kzcore.lifecycle.status_doc) on the embedded
store: runs, departures, flags, dial marks, concurrent writers; and the API's
lifecycle view built from it."""
import gevent
import pytest

from crossbar.lifecycle.dial_marks import split_flags
from crossbar.lifecycle.read_only import lifecycle_view, list_status
from kzcore import lifecycle as lc
from kzcore.lifecycle import status_doc
from kzcore.naming import account_db
from kzcore.store.embedded import EmbeddedStore

ACCOUNT = "ab" * 16
CONF = "conf-1"


@pytest.fixture
def store():
    made = EmbeddedStore(":memory:", account_dbs_on_write=False)   # as the product
    made.create_db(account_db(ACCOUNT))
    yield made
    made.close()


def update(store, change):
    return status_doc.update(store, ACCOUNT, CONF, change)


def test_a_run_starts_once_and_ends_once(store):
    assert update(store, status_doc.start_run("i1", "fs1", 100))["run"]["started_at"] == 100
    assert update(store, status_doc.start_run("i1", "fs1", 105)) is None       # a repeat
    done = update(store, status_doc.end_run("i1", 160, lc.MAX_DURATION))
    assert done["run"] is None
    assert done["last_run"] == {"instance_id": "i1", "started_at": 100, "ended_at": 160,
                                "end_reason": lc.MAX_DURATION}
    assert update(store, status_doc.end_run("i1", 170, lc.API)) is None          # at-least-once
    assert done["_id"] == "lifecycle:conf-1" and done["pvt_type"] == status_doc.DOC_TYPE


def test_departures_are_bounded_newest_first_and_counted_once(store):
    for n in range(5):
        update(store, status_doc.add_left({"call_id": f"c{n}", "event_id": f"e{n}"}, limit=3))
    update(store, status_doc.add_left({"call_id": "c4", "event_id": "e4"}, limit=3))
    recent = status_doc.load(store, ACCOUNT, CONF)["recent_participants"]
    assert [e["call_id"] for e in recent] == ["c4", "c3", "c2"]


def test_concurrent_writers_lose_nothing(store):
    writers = [gevent.spawn(update, store, status_doc.flag_end_on_exit([f"call-{n}"]))
               for n in range(10)]
    gevent.joinall(writers)
    assert sorted(status_doc.flagged_calls(status_doc.load(store, ACCOUNT, CONF))) == \
        sorted(f"call-{n}" for n in range(10))
    update(store, status_doc.flag_end_on_exit(["call-3"], on=False))
    assert "call-3" not in status_doc.flagged_calls(status_doc.load(store, ACCOUNT, CONF))


def test_a_dial_is_pending_until_the_room_starts_an_end_is_asked_or_time_is_up(store):
    doc = update(store, status_doc.mark_dial(["leg-1"], at=100, until=160))
    assert status_doc.pending_dial(doc, 120) == ["leg-1"]
    assert status_doc.pending_dial(doc, 160) == []
    ended = update(store, status_doc.mark_end_request(101))
    assert status_doc.pending_dial(ended, 120) == []
    assert status_doc.end_requested_since(ended, 100) and not status_doc.end_requested_since(
        ended, 102)


def test_a_missing_account_database_writes_nothing(store):
    assert status_doc.update(store, "cd" * 16, CONF, status_doc.mark_end_request(1)) is None
    assert status_doc.load(store, "cd" * 16, CONF) is None


def test_the_api_view_of_an_idle_conference_shows_the_last_run(store):
    update(store, status_doc.start_run("i1", "fs1", 100))
    update(store, status_doc.end_run("i1", 160, lc.CONNECT_COMPLETED))
    update(store, status_doc.add_left({"call_id": "c1", "left_reason": lc.ENDED,
                                       "state": lc.LEFT, "event_id": "e1"}))
    view = lifecycle_view(store, ACCOUNT, CONF, {"participants": []}, 200)
    assert (view["status"], view["started_at"], view["ended_at"], view["end_reason"]) == \
        (lc.IDLE, 100, 160, lc.CONNECT_COMPLETED)
    assert view["recent_participants"][0]["left_reason"] == lc.ENDED


def test_the_api_view_of_a_running_room_comes_from_the_switch(store):
    update(store, status_doc.flag_end_on_exit(["call-a"]))
    live = {"conference_uuid": "i2", "status": lc.ENDING, "started_at": 190,
            "participants": [{"call_id": "call-a"}, {"call_id": "call-b"}]}
    view = lifecycle_view(store, ACCOUNT, CONF, live, 200)
    assert (view["status"], view["started_at"], view["end_reason"]) == (lc.ENDING, 190, None)
    assert [p["end_conference_on_exit"] for p in live["participants"]] == [True, False]
    unknown = lifecycle_view(store, ACCOUNT, CONF, {"live": "unknown"}, 200)
    assert unknown["status"] is None
    assert list_status(None) == lc.IDLE and list_status({"status": lc.ENDING}) == lc.ENDING


def test_a_dial_in_flight_shows_as_starting_with_its_legs_joining(store):
    update(store, status_doc.mark_dial(["leg-1", "leg-2"], at=100, until=160))
    view = lifecycle_view(store, ACCOUNT, CONF, {"participants": []}, 110)
    assert view["status"] == lc.STARTING
    assert view["pending_participants"] == [{"call_id": "leg-1", "state": lc.JOINING},
                                            {"call_id": "leg-2", "state": lc.JOINING}]


def test_end_conference_on_exit_is_taken_out_of_the_switch_flags():
    params, asked = split_flags({"participant_flags": ["mute", "end_conference_on_exit"]})
    assert asked and params["participant_flags"] == ["mute"]
    same, asked = split_flags({"participant_flags": ["mute"]})
    assert not asked and same == {"participant_flags": ["mute"]}
