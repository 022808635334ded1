"""Ending rooms on request (``end``, ``DELETE ?end=true``), racing a dial, and
``end_conference_on_exit`` (dial flag and participant action): checked on the
switch over ESL and on RabbitMQ."""
import gevent
import pytest

from kzcore import lifecycle as lc
from kzcore.lifecycle import status_doc
from tests.integration.lifecycle_rig import (events_of, lifecycle_rig, named,  # noqa: F401
                                             wait_for)

pytestmark = [pytest.mark.rabbitmq, pytest.mark.slow]


def ended(payloads):
    return any(p["event"] == lc.CONFERENCE_ENDED for p in payloads)


def dial(rig, conference_id, data):
    rig.dialplan_numbers([e for e in data["endpoints"] if isinstance(e, str) and e.isdigit()])
    return rig.call("PUT", conference_id, body={"action": "dial", "data": data})


def test_end_hangs_everyone_up_with_end_reason_api(lifecycle_rig):
    rig = lifecycle_rig()
    conference_id = rig.create()
    tap = rig.tap(conference_id)
    calls = [rig.join(conference_id, f"100{n}", f"Caller{n}")[1] for n in range(3)]
    reply = rig.action(conference_id, "end")
    assert reply.status_code == 202, reply.get_json()
    data = reply.get_json()["data"]
    assert data["end_reason"] == lc.API and data["ended"] is True
    assert data["reply"].startswith("+OK hup ")
    wait_for(lambda: rig.wire_room(conference_id) is None)
    assert not any(rig.call_alive(call) for call in calls)
    payloads = events_of(tap, ended)
    assert named(payloads, lc.CONFERENCE_ENDED)[0]["end_reason"] == lc.API
    assert {p["left_reason"] for p in named(payloads, lc.PARTICIPANT_LEFT)} == {lc.ENDED}
    assert len(named(payloads, "hup-member")) == 3     # the switch's own events as before
    view = wait_for(lambda: (lambda ro: ro if ro["end_reason"] else None)(
        rig.read_only(conference_id)))
    assert (view["status"], view["end_reason"]) == (lc.IDLE, lc.API)


def test_end_of_a_room_not_running_is_409_and_bad_input_is_400_changing_nothing(lifecycle_rig):
    rig = lifecycle_rig()
    conference_id = rig.create()
    idle = rig.action(conference_id, "end")
    assert idle.status_code == 409 and idle.get_json()["error_id"] == "conference_not_running"
    rig.join(conference_id, "1001", "Alice")
    before = rig.sim.command_log[:]
    bad = rig.action(conference_id, "end", {"reason": "because"})
    refusal = bad.get_json()["data"]           # the end definition allows no parameter
    assert bad.status_code == 400 and refusal["data"]["additionalProperties"]["value"] \
        == {"reason": "because"}
    unknown = rig.action(conference_id, "finish")
    assert unknown.status_code == 400
    assert "end" in unknown.get_json()["data"]["action"]["enum"]["target"]
    assert rig.wire_room(conference_id)["member_count"] == 1
    sent = rig.sim.command_log[len(before):]
    assert not [c for c in sent if " hup " in c or " setvar " in c or "uuid_kill" in c]
    other = rig.action(conference_id, "end", account=rig.beta)   # another account's room
    assert other.status_code == 404 and rig.wire_room(conference_id) is not None


def test_a_switch_refusal_is_a_422_with_its_text(lifecycle_rig):
    """No state of a room makes the switch refuse ``hup all``; its usage text (what
    mod_conference prints for a hup it cannot parse) is put on the wire reply, and
    crossbar's reply judging must make it a 422 carrying that text."""
    rig = lifecycle_rig()
    conference_id = rig.create()
    rig.join(conference_id, "1001", "Alice")
    usage = "hup <[member_id|all|last|non_moderator]>"
    real_api = rig.live.pool.api

    def api(node, command, timeout=None):
        if command.endswith(" hup all"):
            return usage                 # the switch's usage text instead of doing it
        return real_api(node, command, timeout=timeout)
    rig.live.pool.api = api
    try:
        reply = rig.action(conference_id, "end")
    finally:
        rig.live.pool.api = real_api
    assert reply.status_code == 422 and reply.get_json()["message"] == usage
    assert rig.wire_room(conference_id)["member_count"] == 1


def test_delete_of_a_running_conference_is_409_unless_end_true(lifecycle_rig):
    rig = lifecycle_rig()
    conference_id = rig.create()
    tap = rig.tap(conference_id)
    _, alice = rig.join(conference_id, "1001", "Alice")
    refused = rig.call("DELETE", conference_id)
    assert refused.status_code == 409 and refused.get_json()["data"]["cause"] == "running"
    assert rig.wire_room(conference_id)["member_count"] == 1
    assert rig.call("GET", conference_id).status_code == 200          # kept
    bad = rig.call("DELETE", conference_id, query_string={"end": "maybe"})
    assert bad.status_code == 400 and rig.wire_room(conference_id) is not None
    deleted = rig.call("DELETE", conference_id, query_string={"end": "true"})
    assert deleted.status_code == 200, deleted.get_json()
    assert rig.wire_room(conference_id) is None and not rig.call_alive(alice)
    assert rig.call("GET", conference_id).status_code == 404
    payloads = events_of(tap, lambda got: any(p["event"] == "doc_deleted" for p in got)
                         or ended(got))
    assert named(events_of(tap, ended) if not ended(payloads) else payloads,
                 lc.CONFERENCE_ENDED)[0]["end_reason"] == lc.API
    # its status document goes with it, and a late event does not bring it back
    wait_for(lambda: status_doc.load(rig.store, rig.alpha.account_id, conference_id) is None)
    gevent.sleep(1.0)
    assert status_doc.load(rig.store, rig.alpha.account_id, conference_id) is None


def test_end_while_a_dial_rings_hangs_its_legs_up_and_no_room_starts(lifecycle_rig):
    rig = lifecycle_rig()
    conference_id = rig.create()
    realm = rig.api.call("GET", f"/v2/accounts/{rig.alpha.account_id}",
                         token=rig.alpha.token).get_json()["data"]["realm"]
    rig.sim.register_device("3001", realm, "no_answer")
    device = rig.api.call("PUT", f"/v2/accounts/{rig.alpha.account_id}/devices",
                          {"name": "Slow", "sip": {"username": "3001", "password": "pw12345"}},
                          token=rig.alpha.token).get_json()["data"]["id"]
    dialling = gevent.spawn(dial, rig, conference_id, {"endpoints": [device], "timeout": 20})
    wait_for(lambda: rig.read_only(conference_id)["status"] == lc.STARTING)
    (pending,) = rig.read_only(conference_id)["pending_participants"]
    assert pending["state"] == lc.JOINING and rig.call_alive(pending["call_id"])
    reply = rig.action(conference_id, "end")
    assert reply.status_code == 202, reply.get_json()
    assert reply.get_json()["data"]["cancelled_calls"] == [pending["call_id"]]
    result = dialling.get(timeout=15)
    assert result.status_code == 422       # its only leg was hung up
    assert not rig.call_alive(pending["call_id"]) and rig.wire_room(conference_id) is None
    assert rig.read_only(conference_id)["status"] == lc.IDLE


@pytest.mark.parametrize("delay", [0.0, 0.01, 0.05, 0.2])
def test_end_racing_a_dial_never_leaves_a_leg_of_that_dial_in_a_room(lifecycle_rig, delay):
    """Whichever comes first: an ``end`` answered 202 leaves no leg of a dial made
    before it alive and no room; one answered 409 came before the dial."""
    rig = lifecycle_rig()
    conference_id = rig.create()
    dialling = gevent.spawn(dial, rig, conference_id, {"endpoints": ["5550101", "5550102"]})
    gevent.sleep(delay)
    reply = rig.action(conference_id, "end")
    result = dialling.get(timeout=15)
    assert result.status_code in (200, 422), result.get_json()
    calls = [leg["call_id"] for leg in result.get_json()["data"]["endpoint_responses"]
             if leg.get("call_id")]
    if reply.status_code == 409:              # the end came first: the dial may start the room
        return
    assert reply.status_code == 202, reply.get_json()
    wait_for(lambda: rig.wire_room(conference_id) is None and
             not any(rig.call_alive(call) for call in calls),
             message="a leg of the raced dial survived the end")
    gevent.sleep(0.5)
    assert rig.wire_room(conference_id) is None


def test_end_conference_on_exit_from_dial_ends_the_room_when_that_leg_leaves(lifecycle_rig):
    rig = lifecycle_rig()
    conference_id = rig.create()
    tap = rig.tap(conference_id)
    rig.join(conference_id, "1001", "Alice")
    rig.join(conference_id, "1002", "Bob")
    reply = dial(rig, conference_id, {"endpoints": ["5550103"],
                                      "participant_flags": ["end_conference_on_exit", "mute"]})
    assert reply.status_code == 200, reply.get_json()
    (leg,) = reply.get_json()["data"]["endpoint_responses"]
    host = wait_for(lambda: rig.wire_callers(conference_id).get(leg["call_id"]))
    assert host["flags"]["can_speak"] is False                       # the other flags still apply
    assert "end_conference_on_exit" not in " ".join(c for c in rig.sim.command_log if "bgdial" in c)
    participants = {p["call_id"]: p for p in rig.read_only(conference_id)["participants"]}
    assert participants[leg["call_id"]]["end_conference_on_exit"] is True
    assert sum(p["end_conference_on_exit"] for p in participants.values()) == 1
    rig.hang_up(leg["call_id"])
    wait_for(lambda: rig.wire_room(conference_id) is None, message="the room did not end")
    payloads = events_of(tap, ended)
    assert named(payloads, lc.CONFERENCE_ENDED)[0]["end_reason"] == lc.MODERATOR_LEFT
    reasons = [p["left_reason"] for p in named(payloads, lc.PARTICIPANT_LEFT)]
    assert reasons == [lc.HANGUP, lc.ENDED, lc.ENDED]


def test_end_conference_on_exit_set_on_a_participant_ends_the_room_when_they_leave(
        lifecycle_rig):
    rig = lifecycle_rig()
    conference_id = rig.create()
    tap = rig.tap(conference_id)
    host_id, host = rig.join(conference_id, "1001", "Host")
    guest_id, guest = rig.join(conference_id, "1002", "Guest")
    path = f"/participants/{host_id}"
    before = list(rig.sim.command_log)
    for bad in ({"enabled": "yes"}, {"when": "now"}):
        refused = rig.call("PUT", conference_id, path,
                           body={"action": "end_conference_on_exit", "data": bad})
        assert refused.status_code == 400, refused.get_json()
    missing = rig.call("PUT", conference_id, "/participants/9999",
                       body={"action": "end_conference_on_exit", "data": {}})
    assert missing.status_code == 404
    other = rig.call("PUT", conference_id, path, account=rig.beta,
                     body={"action": "end_conference_on_exit", "data": {}})
    assert other.status_code == 404
    views = {p["call_id"]: p for p in rig.read_only(conference_id)["participants"]}
    assert not any(p["end_conference_on_exit"] for p in views.values())
    reply = rig.call("PUT", conference_id, path,
                     body={"action": "end_conference_on_exit", "data": {"enabled": True}})
    assert reply.status_code == 202, reply.get_json()
    assert reply.get_json()["data"] == {"participant_id": host_id, "call_id": host,
                                        "end_conference_on_exit": True}
    sent = rig.sim.command_log[len(before):]
    assert not [c for c in sent if " json_list" not in c]      # nothing but reads hit the switch
    views = {p["call_id"]: p for p in rig.read_only(conference_id)["participants"]}
    assert views[host]["end_conference_on_exit"] and not views[guest]["end_conference_on_exit"]
    rig.hang_up(host)
    wait_for(lambda: rig.wire_room(conference_id) is None, message="the room did not end")
    assert not rig.call_alive(guest)
    payloads = events_of(tap, ended)
    assert named(payloads, lc.CONFERENCE_ENDED)[0]["end_reason"] == lc.MODERATOR_LEFT
    left = {p["call_id"]: p["left_reason"] for p in named(payloads, lc.PARTICIPANT_LEFT)}
    assert left == {host: lc.HANGUP, guest: lc.ENDED}


def test_end_conference_on_exit_cleared_again_leaves_the_room_running(lifecycle_rig):
    rig = lifecycle_rig()
    conference_id = rig.create()
    host_id, host = rig.join(conference_id, "1001", "Host")
    rig.join(conference_id, "1002", "Guest")
    for enabled in (True, False):
        reply = rig.call("PUT", conference_id, f"/participants/{host_id}",
                         body={"action": "end_conference_on_exit", "data": {"enabled": enabled}})
        assert reply.status_code == 202
    rig.hang_up(host)
    gevent.sleep(1.0)
    assert rig.wire_room(conference_id)["member_count"] == 1


def test_a_join_only_leg_refused_by_the_switch_is_a_recent_participant(lifecycle_rig):
    rig = lifecycle_rig()
    conference_id = rig.create()
    tap = rig.tap(conference_id)
    reply = dial(rig, conference_id, {"endpoints": ["5550104"],
                                      "participant_flags": ["join_existing"]})
    assert reply.status_code in (200, 422), reply.get_json()
    (leg,) = reply.get_json()["data"]["endpoint_responses"]
    payloads = events_of(tap, lambda got: named(got, lc.PARTICIPANT_LEFT))
    (left,) = named(payloads, lc.PARTICIPANT_LEFT)
    assert left["left_reason"] == lc.REFUSED_JOIN_ONLY and left["call_id"] == leg["call_id"]
    assert rig.wire_room(conference_id) is None
    recent = wait_for(lambda: rig.read_only(conference_id)["recent_participants"])
    assert [(p["call_id"], p["left_reason"]) for p in recent] == [
        (leg["call_id"], lc.REFUSED_JOIN_ONLY)]


def test_end_of_an_unknown_id_is_404_and_leaves_no_trace(lifecycle_rig):
    rig = lifecycle_rig()
    reply = rig.action("no-such-conference", "end")
    assert reply.status_code == 404
    assert status_doc.load(rig.store, rig.alpha.account_id, "no-such-conference") is None
