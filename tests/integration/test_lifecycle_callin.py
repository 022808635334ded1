"""The lifecycle of rooms started by the call-in service: callers dial a number,
the simulator's ``socket`` application connects to the real call-in service over
TCP. ``wait_for_moderator_timeout_s``: members join with ``wait-mod``, and the
lifecycle service tells those who waited too long goodbye and hangs them up.
Callers refused (locked, full) show among the recent participants."""
import gevent
import pytest

from callin.directory import ConferenceDirectory
from callin.flow import CallinOptions
from callin.server import CallinServer
from fssim import Simulator, outbound
from kzcore import lifecycle as lc
from tests.integration.lifecycle_rig import events_of, make_rig, named, wait_for

pytestmark = [pytest.mark.rabbitmq, pytest.mark.slow]
SCALE = 0.05        # the call-in prompts run 20 times faster; run_time/join_time follow


@pytest.fixture
def callin_rig(tmp_path, amqp_url, temp_exchange):
    sim = Simulator(port=0, time_scale=SCALE, recordings_dir=str(tmp_path))
    sim.start()
    rig = make_rig(sim, amqp_url, temp_exchange)
    server = CallinServer(ConferenceDirectory(rig.store, rescan_interval=0.0), "127.0.0.1", 0,
                          CallinOptions(names_dir=str(tmp_path / "names"), join_timeout=3.0,
                                        linger_seconds=5)).start()
    sim.core.dialplan.add(r"^(64\d\d)$", outbound.socket_extension("127.0.0.1", server.port))
    rig.start_lifecycle()
    yield rig
    rig.teardown()
    server.stop(timeout=1)
    sim.stop()


def call(rig, number, cid):
    return outbound.place_call(rig.sim.core, number, cid, f"Caller {cid}")


def member_uuid(rig, conference_id, cid):
    return member_uuid_in(rig.wire_room(conference_id), cid)


def member_uuid_in(room, cid):
    return next((m["uuid"] for m in (room or {"members": []})["members"]
                 if m.get("caller_id_number") == cid), None)


def test_members_who_waited_too_long_are_told_goodbye_and_hung_up(callin_rig):
    rig = callin_rig
    conference_id = rig.create(wait_for_moderator=True, wait_for_moderator_timeout_s=1,
                               member={"numbers": ["6400"], "join_muted": False},
                               moderator={"numbers": ["6401"]})
    tap = rig.tap(conference_id)
    caller = call(rig, "6400", "101")
    # the member and the room's wait_mod from one listing: a second listing may come
    # after the 1 s limit on a loaded machine, when the room is already gone
    room = wait_for(lambda: (lambda r: r if member_uuid_in(r, "101") else None)(
        rig.wire_room(conference_id)), timeout=20)
    uuid = member_uuid_in(room, "101")
    assert room["wait_mod"] is True
    wait_for(lambda: rig.wire_room(conference_id) is None, timeout=20,
             message="the waiting member was not hung up")
    wait_for(lambda: not caller.is_up)
    name = rig.room_name(conference_id)
    (kick,) = [c for c in rig.sim.command_log if c.startswith(f"conference {name} kick ")]
    assert kick.endswith("/voicemail/vm-goodbye.wav")
    payloads = events_of(tap, lambda got: any(p["event"] == lc.CONFERENCE_ENDED for p in got))
    (left,) = named(payloads, lc.PARTICIPANT_LEFT)
    assert left["call_id"] == uuid and left["left_reason"] == lc.KICKED


def test_a_moderator_joining_in_time_keeps_the_members(callin_rig):
    rig = callin_rig
    conference_id = rig.create(wait_for_moderator=True, wait_for_moderator_timeout_s=60,
                               member={"numbers": ["6410"], "join_muted": False},
                               moderator={"numbers": ["6411"]})
    calls = [call(rig, "6410", "201")]
    wait_for(lambda: member_uuid(rig, conference_id, "201"), timeout=20)
    calls.append(call(rig, "6411", "900"))
    wait_for(lambda: member_uuid(rig, conference_id, "900"), timeout=20)
    assert rig.wire_room(conference_id)["wait_mod"] is False
    gevent.sleep(3.5)                     # 70 simulated seconds: past the 60 s limit
    (member,) = [m for m in rig.wire_room(conference_id)["members"]
                 if m.get("caller_id_number") == "201"]
    assert member["join_time"] > 60       # still there, although it joined that long ago
    assert not [c for c in rig.sim.command_log if " kick " in c]
    for channel in calls:
        outbound.hangup_with_event(channel)


def test_callers_refused_by_a_locked_or_full_room_are_recent_participants(callin_rig):
    rig = callin_rig
    conference_id = rig.create(max_participants=1, member={"numbers": ["6420"],
                                                           "join_muted": False})
    first = call(rig, "6420", "301")
    wait_for(lambda: member_uuid(rig, conference_id, "301"), timeout=20)
    full = call(rig, "6420", "302")
    wait_for(lambda: not full.is_up, timeout=20)
    assert rig.action(conference_id, "lock").status_code == 202
    locked = call(rig, "6420", "303")
    wait_for(lambda: not locked.is_up, timeout=20)
    recent = wait_for(lambda: (lambda r: r if len(r) == 2 else None)(
        rig.read_only(conference_id)["recent_participants"]))
    assert [(p["caller_id_number"], p["left_reason"], p["state"]) for p in recent] == [
        ("303", lc.REFUSED_LOCKED, lc.LEFT), ("302", lc.REFUSED_FULL, lc.LEFT)]
    assert {p["call_id"] for p in recent} == {full.uuid, locked.uuid}
    assert rig.wire_room(conference_id)["member_count"] == 1
    outbound.hangup_with_event(first)
