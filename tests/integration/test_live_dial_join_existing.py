"""``participant_flags: ["join_existing"]`` (join-only) against the simulator over TCP:
into a room that is not running the switch answers the leg, refuses it with a
``rejected-join-only`` event and never creates the room (round4
join_only_into_missing_room); the dial result says so per leg, and neither a room nor,
for a dynamic id, a document is left. Into a running room the legs join."""
import gevent
import pytest

from kzcore.naming import account_db
from tests.integration.test_live_support import rig  # noqa: F401 (fixture)

pytestmark = pytest.mark.timeout(60)
NUMBERS = ("5550201", "5550202")


def dial(rig, conference_id, endpoints, **data):
    rig.dialplan_numbers(rig.alpha, endpoints)
    for number in endpoints:
        rig.sims[0].add_extension(rf"^{number}$", lambda channel, match: channel.answer())
    return rig.call("PUT", rig.alpha, conference_id,
                    body={"action": "dial", "data": {"data": {
                        "endpoints": list(endpoints), "participant_flags": ["join_existing"],
                        **data}}})


def assert_refused_join_only(reply, endpoints):
    assert reply.status_code == 422, reply.get_json()
    body = reply.get_json()
    legs = body["data"]["endpoint_responses"]
    assert [leg["endpoint_id"] for leg in legs] == list(endpoints)
    for leg in legs:
        assert leg["status"] == "error" and leg["call_id"], leg
        assert leg["message"].startswith("dial failed: rejected-join-only: "), leg
        assert "not running" in leg["message"]
    assert "rejected-join-only" in body["message"]


def assert_no_room(rig, conference_id):
    gevent.sleep(0.2)  # (a room would have been created by the first answer)
    room = rig.room(rig.alpha, conference_id)
    assert all(rig.wire_json_list(sim, room) == [] for sim in rig.sims)


def test_join_existing_into_a_stored_conference_not_running_is_refused(rig):
    conference_id = rig.create_conference(rig.alpha)
    mark = len(rig.sims[0].command_log)
    reply = dial(rig, conference_id, NUMBERS)
    assert_refused_join_only(reply, NUMBERS)
    (sent, _) = [c for c in rig.sims[0].command_log[mark:] if " bgdial " in c]
    assert "conference_member_flags=join-only" in sent        # the switch decided
    assert_no_room(rig, conference_id)
    assert rig.call("GET", rig.alpha, conference_id).status_code == 200   # the document stays


def test_join_existing_into_a_dynamic_id_leaves_no_document(rig):
    conference_id = "adhoc-join-only"
    reply = dial(rig, conference_id, NUMBERS[:1], name="Never started")
    assert_refused_join_only(reply, NUMBERS[:1])
    assert_no_room(rig, conference_id)
    assert rig.call("GET", rig.alpha, conference_id).status_code == 404
    assert rig.api.store.get_or_none(account_db(rig.alpha.account_id), conference_id) is None


def test_join_existing_into_a_running_room_joins(rig):
    conference_id = rig.create_conference(rig.alpha)
    room = rig.room(rig.alpha, conference_id)
    rig.sims[0].join(room, "1001", "Alice")
    reply = dial(rig, conference_id, NUMBERS[:1])
    assert reply.status_code == 200, reply.get_json()
    (leg,) = reply.get_json()["data"]["endpoint_responses"]
    assert leg["status"] == "success", leg
    assert leg["call_id"] in {m["uuid"] for m in rig.wire_members(rig.sims[0], room).values()}
