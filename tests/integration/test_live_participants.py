"""Participants: single and bulk actions change the simulator's members (read back
over ESL), bulk skips moderators and members already in the state, relate needs
both participants, 404 for anyone not in the room."""
import pytest

from tests.integration.test_live_support import media_server, rig  # noqa: F401 (fixtures)
from tests.support.waiting import wait_for

pytestmark = pytest.mark.both_stores   # embedded and CouchDB-API (tests.support.api)


def setup_room(rig, node=0):
    conference_id = rig.create_conference(rig.alpha)
    room = rig.room(rig.alpha, conference_id)
    sim = rig.sims[node]
    people = {"alice": sim.join(room, "1001", "Alice"), "bob": sim.join(room, "1002", "Bob"),
              "mod": sim.join(room, "1003", "Moderator", moderator=True)}
    # the switch gives the first member the floor 20 ms after joining: a settled room
    # has a holder, so what a test snapshots does not change under it
    wait_for(lambda: any(m["flags"]["has_floor"] for m in rig.wire_members(sim, room).values()),
             message="nobody got the floor")
    return conference_id, room, sim, people


def one(rig, conference_id, member, name, data=None):
    return rig.call("PUT", rig.alpha, conference_id, f"/participants/{member}",
                    data={"action": name, "data": data or {}})


def bulk(rig, conference_id, name, data=None):
    return rig.call("PUT", rig.alpha, conference_id, "/participants",
                    data={"action": name, "data": data or {}})


@pytest.mark.parametrize("verb, flag, value", [("mute", "can_speak", False),
                                               ("deaf", "can_hear", False)])
def test_single_actions_change_one_member(rig, verb, flag, value):
    conference_id, room, sim, people = setup_room(rig, node=1)
    alice = people["alice"].id
    reply = one(rig, conference_id, alice, verb)
    assert reply.status_code == 202 and reply.get_json()["data"] == f"+OK {verb} {alice}"
    members = rig.wire_members(sim, room)
    assert members[alice]["flags"][flag] is value
    assert members[people["bob"].id]["flags"][flag] is not value
    undo = one(rig, conference_id, alice, "un" + verb)
    assert undo.status_code == 202, undo.get_json()
    assert rig.wire_members(sim, room)[alice]["flags"][flag] is not value


def test_kick_one(rig):
    conference_id, room, sim, people = setup_room(rig)
    reply = one(rig, conference_id, people["bob"].id, "kick")
    assert reply.status_code == 202 and reply.get_json()["data"].startswith("+OK kicked")
    assert people["bob"].id not in rig.wire_members(sim, room)
    assert one(rig, conference_id, people["bob"].id, "kick").status_code == 404


def test_unknown_participant_is_404(rig):
    """FreeSWITCH's own "-ERR Non-Existant ID" / "Member not found" become 404s."""
    conference_id, room, sim, people = setup_room(rig)
    before = rig.wire_members(sim, room)
    for verb, data in (("mute", None), ("kick", None),
                       ("play", {"media_id": "https://media.example.com/a.wav"})):
        reply = one(rig, conference_id, 9999, verb, data)
        assert reply.status_code == 404, (verb, reply.get_json())
        assert reply.get_json()["data"]["cause"] == "9999"
    assert rig.wire_members(sim, room).keys() == before.keys()
    assert rig.wire_members(sim, room)[people["alice"].id]["flags"]["can_speak"]


def test_unknown_participant_action_is_400(rig):
    conference_id, _, _, people = setup_room(rig)
    reply = one(rig, conference_id, people["alice"].id, "relate")
    assert reply.status_code == 400
    assert "kick" in reply.get_json()["data"]["action"]["enum"]["target"]


def test_play_to_one_participant(rig, esl_client_factory, media_server):
    conference_id, room, sim, people = setup_room(rig)
    events = esl_client_factory(sim)
    events.command("event plain CUSTOM conference::maintenance")
    url = media_server.url()  # the switch fetches it (mod_http_cache)
    reply = one(rig, conference_id, people["alice"].id, "play", {"media_id": url})
    assert reply.status_code == 202, reply.get_json()
    played = events.wait_event(lambda e: e.get("Action") == "play-file-member")
    assert played["File"] == f"http_cache://{url}" and played["Member-ID"] == str(people["alice"].id)


def test_bulk_mute_skips_moderators_and_the_already_muted(rig):
    conference_id, room, sim, people = setup_room(rig)
    assert one(rig, conference_id, people["alice"].id, "mute").status_code == 202
    mark = len(sim.command_log)
    reply = bulk(rig, conference_id, "mute")
    assert reply.status_code == 202, reply.get_json()
    sent = [c for c in sim.command_log[mark:] if " mute " in c]
    assert sent == [f"conference {room} mute {people['bob'].id}"]
    members = rig.wire_members(sim, room)
    assert not members[people["alice"].id]["flags"]["can_speak"]
    assert not members[people["bob"].id]["flags"]["can_speak"]
    assert members[people["mod"].id]["flags"]["can_speak"]
    nothing = bulk(rig, conference_id, "mute")
    assert nothing.status_code == 202 and nothing.get_json()["data"] == "no participant needed mute"
    unmuted = bulk(rig, conference_id, "unmute")
    assert unmuted.status_code == 202
    assert all(m["flags"]["can_speak"] for m in rig.wire_members(sim, room).values())


def test_bulk_deaf_and_undeaf(rig):
    conference_id, room, sim, people = setup_room(rig, node=1)
    assert bulk(rig, conference_id, "deaf").status_code == 202
    hearing = {mid: m["flags"]["can_hear"] for mid, m in rig.wire_members(sim, room).items()}
    assert hearing == {people["alice"].id: False, people["bob"].id: False, people["mod"].id: True}
    assert bulk(rig, conference_id, "undeaf").status_code == 202
    assert all(m["flags"]["can_hear"] for m in rig.wire_members(sim, room).values())


def test_bulk_kick_removes_everyone(rig):
    conference_id, room, sim, _ = setup_room(rig)
    reply = bulk(rig, conference_id, "kick")
    assert reply.status_code == 202 and reply.get_json()["data"].startswith("+OK kicked")
    assert rig.wire_members(sim, room) == {}


def test_relate_sets_and_clears_a_relationship(rig):
    conference_id, room, sim, people = setup_room(rig)
    alice, bob = people["alice"].id, people["bob"].id
    reply = bulk(rig, conference_id, "relate",
                 {"participant_id": alice, "other_participant": str(bob), "relationship": "mute"})
    assert reply.status_code == 202 and reply.get_json()["data"] == f"+OK {alice}->{bob} nospeak set"
    assert "NOSPEAK" in sim.api(f"conference {room} relate {alice}")
    cleared = bulk(rig, conference_id, "relate", {"participant_id": alice, "other_participant": bob})
    assert cleared.status_code == 202 and "cleared" in cleared.get_json()["data"]


def test_relate_needs_both_participants_live(rig):
    conference_id, room, sim, people = setup_room(rig)
    mark = len(sim.command_log)
    reply = bulk(rig, conference_id, "relate",
                 {"participant_id": people["alice"].id, "other_participant": 777, "relationship": "deaf"})
    assert reply.status_code == 404
    assert not [c for c in sim.command_log[mark:] if " relate " in c]
    missing = bulk(rig, conference_id, "relate", {"participant_id": people["alice"].id})
    assert missing.status_code == 400 and "data.other_participant" in missing.get_json()["data"]


def test_bulk_on_a_conference_not_running(rig):
    conference_id = rig.create_conference(rig.alpha)
    assert bulk(rig, conference_id, "mute").status_code == 409
    assert bulk(rig, "nosuchroom", "mute").status_code == 404
