"""``supervise`` on the simulator over TCP: the relationships and mute/deaf flags
each mode leaves on the switch, read back with ``relate <id>`` and json_list
(mod_conference: A->B nospeak = B does not hear A). Self-supervision and bad
requests are 400s that send nothing (the event: test_live_action_events)."""
import pytest

from tests.integration.test_live_participants import one
from tests.integration.test_live_support import rig  # noqa: F401 (fixture)
from tests.support.sim import sim_api


def room_of_four(rig):
    conference_id = rig.create_conference(rig.alpha)
    room = rig.room(rig.alpha, conference_id)
    sim = rig.sims[0]
    people = {name: sim.join(room, f"100{n}", name.title())
              for n, name in enumerate(("boss", "agent", "customer", "trainee"))}
    return conference_id, room, sim, {name: member.id for name, member in people.items()}


def relations(sim, room, member_id):
    """``{other_id: (speak, hear)}`` as the switch lists member_id's relationships."""
    text = sim_api(sim, f"conference {room} relate {member_id}")
    found = {}
    for line in text.splitlines():
        if "->" in line:
            left, right = line.split("->")
            other, speak, hear, _video = right.split()
            assert int(left) == member_id
            found[int(other)] = (speak, hear)
    return found


def flags(rig, sim, room, member_id):
    member = rig.wire_members(sim, room)[member_id]["flags"]
    return member["can_speak"], member["can_hear"]


def supervise(rig, conference_id, supervisor, mode, target=None):
    data = {"mode": mode} if target is None else {"mode": mode, "target": target}
    return one(rig, conference_id, supervisor, "supervise", data)


def test_whisper_is_heard_by_the_target_only(rig):
    conference_id, room, sim, ids = room_of_four(rig)
    boss, agent = ids["boss"], ids["agent"]
    sim_api(sim, f"conference {room} mute {boss}")        # a supervisor who joined muted
    reply = supervise(rig, conference_id, boss, "whisper", agent)
    assert reply.status_code == 202, reply.get_json()
    # nobody but the agent hears the boss; the boss hears everyone
    assert relations(sim, room, boss) == {ids["customer"]: ("NOSPEAK", "HEAR"),
                                          ids["trainee"]: ("NOSPEAK", "HEAR")}
    assert flags(rig, sim, room, boss) == (True, True)
    for other in (agent, ids["customer"], ids["trainee"]):     # nobody else was touched
        assert relations(sim, room, other) == {} and flags(rig, sim, room, other) == (True, True)


def test_monitor_then_barge_then_clear(rig):
    conference_id, room, sim, ids = room_of_four(rig)
    boss, agent = ids["boss"], ids["agent"]
    assert supervise(rig, conference_id, boss, "whisper", agent).status_code == 202
    assert supervise(rig, conference_id, boss, "monitor", agent).status_code == 202
    assert relations(sim, room, boss) == {}                 # the whisper's relations are gone
    assert flags(rig, sim, room, boss) == (False, True)     # nobody hears the boss, who hears all
    assert supervise(rig, conference_id, boss, "barge", agent).status_code == 202
    assert relations(sim, room, boss) == {} and flags(rig, sim, room, boss) == (True, True)
    assert supervise(rig, conference_id, boss, "whisper", agent).status_code == 202
    sim_api(sim, f"conference {room} deaf {boss}")
    mark = len(sim.command_log)
    cleared = supervise(rig, conference_id, boss, "clear")
    assert cleared.status_code == 202, cleared.get_json()
    assert relations(sim, room, boss) == {}
    assert flags(rig, sim, room, boss) == (True, False)     # clear leaves mute and deaf alone
    sent = [c.split(" ", 2)[2] for c in sim.command_log[mark:] if " relate " in c]
    others = ",".join(str(ids[n]) for n in ("agent", "customer", "trainee") if ids[n] != boss)
    assert sorted(sent[0].split()[2].split(",")) == sorted(others.split(","))


def test_monitor_mutes_and_undeafens(rig):
    conference_id, room, sim, ids = room_of_four(rig)
    boss = ids["boss"]
    sim_api(sim, f"conference {room} deaf {boss}")
    assert supervise(rig, conference_id, boss, "monitor", ids["customer"]).status_code == 202
    assert flags(rig, sim, room, boss) == (False, True)


@pytest.mark.parametrize("data, status", [
    ({"mode": "whisper", "target": "SELF"}, 400),
    ({"mode": "monitor"}, 400),                   # target needed but for clear
    ({"mode": "spy", "target": 1}, 400),
    ({"mode": "whisper", "target": "1 2"}, 400),
    ({"mode": "whisper", "target": 0}, 400),
    ({"mode": "whisper", "target": 1, "extra": 1}, 400),
    ({"mode": "whisper", "target": 9999}, 404),
])
def test_refused_before_anything_is_sent(rig, data, status):
    conference_id, room, sim, ids = room_of_four(rig)
    if data.get("target") == "SELF":
        data = dict(data, target=ids["boss"])
    mark = len(sim.command_log)
    reply = one(rig, conference_id, ids["boss"], "supervise", data)
    assert reply.status_code == status, reply.get_json()
    assert [c for c in sim.command_log[mark:] if not c.endswith("json_list")] == []
