"""Participant controls against the simulator over TCP: hold / unhold (the profile's
music or a given one), dtmf, volume_in / volume_out, energy, stop_play, and the bulk
hold / unhold / dtmf. Checked on the switch: json_list flags and levels, its command
log, its events. Bad values are 400s that send nothing."""
import pytest

from tests.integration.test_live_actions import watch_events
from tests.integration.test_live_participants import bulk, one, setup_room
from tests.integration.test_live_support import rig  # noqa: F401 (fixture)
from tests.support.sim import sim_api


def controls(rig, sim, room):
    """What the actions may change, per member, as json_list shows it."""
    return {mid: (m["volume_in"], m["volume_out"], m["energy"], m["flags"])
            for mid, m in rig.wire_members(sim, room).items()}


def sent(sim, mark, room):
    prefix = f"conference {room} "
    return [c[len(prefix):] for c in sim.command_log[mark:]
            if c.startswith(prefix) and not c.endswith((" count", " json_list"))]


def test_hold_plays_the_profile_s_music_and_unhold_ends_it(rig):
    conference_id, room, sim, people = setup_room(rig)
    alice = people["alice"].id
    mark = len(sim.command_log)
    reply = one(rig, conference_id, alice, "hold")
    assert reply.status_code == 202 and reply.get_json()["data"] == f"+OK hold {alice}"
    assert sent(sim, mark, room) == [f"hold {alice} local_stream://moh"]
    flags = rig.wire_members(sim, room)[alice]["flags"]
    assert (flags["hold"], flags["can_hear"], flags["can_speak"]) == (True, False, False)
    view = rig.call("GET", rig.alpha, conference_id, f"/participants/{alice}").get_json()["data"]
    assert view["is_held"] is True
    assert one(rig, conference_id, alice, "unhold").get_json()["data"] == f"+OK unhold {alice}"
    flags = rig.wire_members(sim, room)[alice]["flags"]
    assert (flags["hold"], flags["can_hear"], flags["can_speak"]) == (False, True, True)


def test_hold_music_of_the_document_or_the_request(rig):
    tone = "tone_stream://%(500,500,350,440);loops=3"
    conference_id = rig.create_conference(rig.alpha, profile={"moh-sound": tone})
    room = rig.room(rig.alpha, conference_id)
    sim = rig.sims[0]
    member = sim.join(room, "1001", "Alice")
    mark = len(sim.command_log)
    assert one(rig, conference_id, member.id, "hold").status_code == 202
    url = "https://media.example.com/hold.wav"
    assert one(rig, conference_id, member.id, "hold", {"media_id": url}).status_code == 202
    assert sent(sim, mark, room) == [f"hold {member.id} {tone}",
                                     f"hold {member.id} http_cache://{url}"]


@pytest.mark.parametrize("data", [{"media_id": "tts://hello"}, {"media_id": "a b"},
                                  {"music": "x"}, {"media_id": ""}])
def test_bad_hold_music_is_400(rig, data):
    conference_id, room, sim, people = setup_room(rig)
    mark = len(sim.command_log)
    assert one(rig, conference_id, people["alice"].id, "hold", data).status_code == 400
    assert sent(sim, mark, room) == []


def test_dtmf_reaches_the_member(rig, esl_client_factory):
    conference_id, room, sim, people = setup_room(rig)
    alice = people["alice"]
    events = watch_events(esl_client_factory, sim)
    reply = one(rig, conference_id, alice.id, "dtmf", {"digits": "12#A"})
    assert reply.status_code == 202 and reply.get_json()["data"] == f"+OK sent 12#A to {alice.id}"
    event = events.wait_event(lambda e: e.get("Action") == "dtmf-member")
    assert (event["Member-ID"], event["Digits"]) == (str(alice.id), "12#A")


@pytest.mark.parametrize("digits", ["12x", "1 2", "1\n2", "1\n", "", "E", 12, "1" * 65])
def test_bad_digits_are_400_and_send_nothing(rig, digits):
    conference_id, room, sim, people = setup_room(rig)
    mark = len(sim.command_log)
    reply = one(rig, conference_id, people["alice"].id, "dtmf", {"digits": digits})
    assert reply.status_code == 400, reply.get_json()
    assert sent(sim, mark, room) == []


@pytest.mark.parametrize("action, level, field, reply", [
    ("volume_in", 2, "volume_in", "+OK Volume IN {id} = 2"),
    ("volume_out", -4, "volume_out", "+OK Volume OUT {id} = -4"),
    ("energy", 300, "energy", "Energy {id} = 300"),
    ("energy", 1800, "energy", "Energy {id} = 1800"),
])
def test_levels_reach_the_member(rig, action, level, field, reply):
    conference_id, room, sim, people = setup_room(rig)
    alice = people["alice"].id
    answer = one(rig, conference_id, alice, action, {"level": level})
    assert answer.status_code == 202 and answer.get_json()["data"] == reply.format(id=alice)
    members = rig.wire_members(sim, room)
    assert members[alice][field] == level and members[people["bob"].id][field] != level


@pytest.mark.parametrize("action, level", [("volume_in", 5), ("volume_out", -5),
                                           ("energy", 1801), ("energy", -1), ("volume_in", "2"),
                                           ("volume_in", None), ("energy", 2.5)])
def test_out_of_range_levels_are_400_and_change_nothing(rig, action, level):
    conference_id, room, sim, people = setup_room(rig)
    before = controls(rig, sim, room)
    mark = len(sim.command_log)
    data = {} if level is None else {"level": level}
    assert one(rig, conference_id, people["alice"].id, action, data).status_code == 400
    assert sent(sim, mark, room) == [] and controls(rig, sim, room) == before


def test_stop_play_of_one_member(rig):
    conference_id, room, sim, people = setup_room(rig)
    alice = people["alice"].id
    assert sim_api(sim, f"conference {room} play tone_stream://%(1000,0,350);loops=20 {alice}") \
        .startswith("+OK")
    reply = one(rig, conference_id, alice, "stop_play")
    assert reply.status_code == 202 and reply.get_json()["data"] == "+OK Stopped 1 files."
    assert sim_api(sim, f"conference {room} play_status {alice}") == "-ERR Nothing is playing\n"


@pytest.mark.parametrize("action, data", [("hold", {}), ("unhold", {}), ("dtmf", {"digits": "1"}),
                                          ("energy", {"level": 10}), ("stop_play", {})])
def test_a_participant_not_in_the_room_is_404(rig, action, data):
    conference_id, room, sim, people = setup_room(rig)
    reply = one(rig, conference_id, 9999, action, data)
    assert reply.status_code == 404, reply.get_json()
    assert reply.get_json()["data"]["cause"] == "9999"


def test_bulk_hold_skips_moderators_and_members_already_held(rig):
    conference_id, room, sim, people = setup_room(rig)
    alice, bob, mod = (people[name].id for name in ("alice", "bob", "mod"))
    assert one(rig, conference_id, alice, "hold").status_code == 202
    mark = len(sim.command_log)
    assert bulk(rig, conference_id, "hold").status_code == 202
    assert sent(sim, mark, room) == [f"hold {bob} local_stream://moh"]
    held = {mid: m["flags"]["hold"] for mid, m in rig.wire_members(sim, room).items()}
    assert held == {alice: True, bob: True, mod: False}
    assert bulk(rig, conference_id, "unhold").status_code == 202
    assert not any(m["flags"]["hold"] for m in rig.wire_members(sim, room).values())


def test_bulk_dtmf_goes_to_everyone(rig):
    conference_id, room, sim, people = setup_room(rig)
    mark = len(sim.command_log)
    reply = bulk(rig, conference_id, "dtmf", {"digits": "9"})
    assert reply.status_code == 202 and reply.get_json()["data"].startswith("+OK sent 9 to")
    assert sent(sim, mark, room) == ["dtmf all 9"]
    assert bulk(rig, conference_id, "dtmf", {"digits": "9;"}).status_code == 400
