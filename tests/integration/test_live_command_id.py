"""``command_id`` on every kind of action (conference, bulk, one participant), in
both of Kazoo's body shapes, checked on the simulator's command log; a bad one is
a 400 that sends nothing. Across processes: test_command_id_processes."""
import pytest

from tests.integration.test_live_participants import setup_room
from tests.integration.test_live_support import rig  # noqa: F401 (fixture)


def sent(sim, room, verb):
    return [c for c in sim.command_log if c.startswith(f"conference {room} {verb}")]


def put(rig, conference_id, tail, body):
    reply = rig.call("PUT", rig.alpha, conference_id, tail, body=body)
    return reply.status_code, reply.get_json(), reply.headers.get("X-Command-Replayed")


@pytest.mark.parametrize("tail, body, verb", [
    ("", {"action": "lock", "data": {}, "command_id": "c-lock"}, "lock"),
    ("", {"data": {"action": "stop_play", "command_id": "c-stop", "data": {"which": "all"}}},
     "stop"),
    ("/participants", {"data": {"action": "mute", "command_id": "c-bulk"}}, "mute"),
    ("/participants/{alice}", {"action": "deaf", "data": {"command_id": "c-in-data"}}, "deaf"),
])
def test_each_kind_of_action_runs_once(rig, tail, body, verb):
    conference_id, room, sim, people = setup_room(rig)
    tail = tail.format(alice=people["alice"].id)
    first = put(rig, conference_id, tail, body)
    again = put(rig, conference_id, tail, body)
    assert first[0] == again[0] == 202, first[1]
    assert first[1]["data"] == again[1]["data"] and (first[2], again[2]) == (None, "true")
    assert first[1]["request_id"] != again[1]["request_id"]
    assert len(sent(sim, room, verb)) == (2 if verb == "mute" else 1)  # bulk: alice and bob


def test_an_id_names_one_command_on_its_conference(rig):
    conference_id, room, sim, people = setup_room(rig)
    body = {"action": "mute", "data": {}, "command_id": "shared"}
    assert put(rig, conference_id, f"/participants/{people['alice'].id}", body)[0] == 202
    status, reply, _ = put(rig, conference_id, f"/participants/{people['bob'].id}", body)
    assert status == 400 and "unique" in reply["data"]["command_id"]
    assert rig.wire_members(sim, room)[people["bob"].id]["flags"]["can_speak"] is True
    other_id, other_room, other_sim, other_people = setup_room(rig)
    assert put(rig, other_id, f"/participants/{other_people['alice'].id}", body)[0] == 202


@pytest.mark.parametrize("command_id", ["", "x" * 65, 7, ["a"], {"id": 1}])
def test_a_bad_command_id_is_400_and_sends_nothing(rig, command_id):
    conference_id, room, sim, people = setup_room(rig)
    mark = len(sim.command_log)
    status, reply, _ = put(rig, conference_id, "", {"action": "lock", "data": {},
                                                     "command_id": command_id})
    assert status == 400 and "command_id" in reply["data"], reply
    assert sim.command_log[mark:] == []


def test_a_request_refused_as_invalid_keeps_nothing(rig):
    conference_id, room, sim, people = setup_room(rig)
    tail = f"/participants/{people['alice'].id}"
    bad = put(rig, conference_id, tail, {"action": "dtmf", "data": {"digits": "x"},
                                         "command_id": "fix-me"})
    assert bad[0] == 400
    fixed = put(rig, conference_id, tail, {"action": "dtmf", "data": {"digits": "1"},
                                           "command_id": "fix-me"})
    assert fixed[0] == 202 and fixed[2] is None and len(sent(sim, room, "dtmf")) == 1
