"""``play_entry_tone`` / ``play_exit_tone`` false, for dialled legs, against the simulator
over TCP: the conference's setting turns a running room's sounds off (round4
enter_sound_off / exit_sound_off), each leg carries its own silent enter / exit sound
(conference_enter_sound / conference_exit_sound: the dial request's setting, else the
conference's), and the profile crossbar serves over mod_xml_curl has no enter / exit
sound. What was heard is read from the room's play-file-done events: a sentinel file
played after a join or leave is queued behind any sound that join or leave queued,
so when it is done every such sound is done too."""
from urllib.parse import parse_qsl

import pytest
from gevent.pywsgi import WSGIServer

from crossbar.xmlcurl.service import XmlCurlService
from fssim.profiles import Profile
from kzcore import fs_commands, fsxml
from kzcore.naming import account_db, fs_conference_name
from kzcore.store.embedded import EmbeddedStore
from tests.integration.test_live_support import rig  # noqa: F401 (fixture)
from tests.support.sim import sim_api

pytestmark = pytest.mark.timeout(60)
ENTER, EXIT = Profile("default").enter_sound, Profile("default").exit_sound  # the room's
SENTINEL = "tone_stream://%(20,0,1000)"
NUMBERS = ("5550101", "5550102", "5550103")


def watch(esl_client_factory, sim):
    client = esl_client_factory(sim)
    client.command("event plain CUSTOM conference::maintenance")
    return client


def heard(client, sim, room):
    """The files the room finished playing up to a sentinel played now."""
    assert sim_api(sim, f"conference {room} play {SENTINEL}").startswith("+OK")
    done = []
    while True:
        event = client.wait_event(lambda e: e.get("Action") == "play-file-done", timeout=10)
        if event["File"] == SENTINEL:
            return done
        done.append(event["File"])


def dial(rig, conference_id, endpoints, **data):
    rig.dialplan_numbers(rig.alpha, endpoints)
    for number in endpoints:
        rig.sims[0].add_extension(rf"^{number}$", lambda channel, match: channel.answer())
    reply = rig.call("PUT", rig.alpha, conference_id,
                     body={"action": "dial", "data": {"data": {"endpoints": list(endpoints),
                                                               **data}}})
    assert reply.status_code == 200, reply.get_json()
    legs = reply.get_json()["data"]["endpoint_responses"]
    assert all(leg["status"] == "success" for leg in legs), legs
    return [leg["call_id"] for leg in legs]


def test_a_conference_without_tones_turns_a_running_room_silent(rig, esl_client_factory):
    conference_id = rig.create_conference(rig.alpha, play_entry_tone=False, play_exit_tone=False)
    room, sim = rig.room(rig.alpha, conference_id), rig.sims[0]
    sim.join(room, "1001", "Alice")                    # the room runs, its sounds on
    events = watch(esl_client_factory, sim)
    heard(events, sim, room)                            # (the alone sound)
    mark = len(sim.command_log)
    (leg,) = dial(rig, conference_id, NUMBERS[:1])
    sent = sim.command_log[mark:]
    off = [f"conference {room} enter_sound off", f"conference {room} exit_sound off"]
    (bgdial,) = [c for c in sent if " bgdial " in c]
    assert sent.index(off[0]) < sent.index(bgdial) and sent.index(off[1]) < sent.index(bgdial)
    assert f"conference_enter_sound={fs_commands.SILENT_SOUND}" in bgdial
    assert heard(events, sim, room) == []                # no enter sound at all
    listed = rig.wire_json_list(sim, room)[0]
    assert listed["enter_sound"] is False and listed["exit_sound"] is False
    sim.join(room, "1002", "Bob")                      # any other join: silent too
    assert heard(events, sim, room) == []
    sim.hangup(leg)
    assert EXIT not in heard(events, sim, room)


def test_a_dial_without_tones_silences_its_legs_only(rig, esl_client_factory):
    conference_id = rig.create_conference(rig.alpha)
    room, sim = rig.room(rig.alpha, conference_id), rig.sims[0]
    sim.join(room, "1001", "Alice")
    events = watch(esl_client_factory, sim)
    heard(events, sim, room)                            # (the alone sound)
    mark = len(sim.command_log)
    (leg,) = dial(rig, conference_id, NUMBERS[:1], play_entry_tone=False, play_exit_tone=False)
    assert not [c for c in sim.command_log[mark:] if "_sound " in c]   # the room keeps its own
    played = heard(events, sim, room)
    assert ENTER not in played and played == [fs_commands.SILENT_SOUND]
    sim.join(room, "1002", "Bob")                      # a member with the room's tones
    assert heard(events, sim, room) == [ENTER]
    sim.hangup(leg)
    assert heard(events, sim, room) == [fs_commands.SILENT_SOUND]     # not the exit tone


def test_a_dial_that_starts_the_room_plays_no_tone_for_later_legs(rig, esl_client_factory):
    conference_id = rig.create_conference(rig.alpha, play_entry_tone=False)
    room, sim = rig.room(rig.alpha, conference_id), rig.sims[0]
    events = watch(esl_client_factory, sim)
    dial(rig, conference_id, NUMBERS)
    assert ENTER not in heard(events, sim, room)


@pytest.fixture
def profiles():
    """crossbar's mod_xml_curl answers (XmlCurlService) over HTTP, on its own store."""
    store = EmbeddedStore(":memory:")
    service = XmlCurlService(store)

    def app(environ, start_response):
        fields = dict(parse_qsl(environ["wsgi.input"].read().decode(), keep_blank_values=True))
        start_response("200 OK", [("Content-Type", "text/xml")])
        return [service.answer(fields).encode()]
    server = WSGIServer(("127.0.0.1", 0), app, log=None)
    server.start()
    yield store, f"http://127.0.0.1:{server.server_port}/fsxml"
    server.stop()
    store.close()


@pytest.mark.parametrize("tones, enter, leave", [(False, None, None),
                                                 (True, fsxml.KAZOO_ENTRY_TONE,
                                                  fsxml.KAZOO_EXIT_TONE)])
def test_the_served_profile_has_no_sounds_for_a_conference_without_tones(
        profiles, fssim_factory, esl_client_factory, tones, enter, leave):
    store, url = profiles
    account, conference_id = "a" * 32, "b" * 32
    store.save(account_db(account), {"_id": conference_id, "pvt_type": "conference",
                                     "play_entry_tone": tones, "play_exit_tone": tones})
    sim = fssim_factory(xml_curl_url=url)
    room = fs_conference_name(account, conference_id)
    sim.join(room, "1001", "Alice")                    # the room takes the served profile
    events = watch(esl_client_factory, sim)
    heard(events, sim, room)                            # (the alone sound, if any)
    bob = sim.join(room, "1002", "Bob")                 # a call-in that sets nothing itself
    joined = heard(events, sim, room)
    sim.hangup(bob.uuid)
    alone = dict(fsxml.conference_profile_params({}))["alone-sound"]   # Alice is alone again
    left = [played for played in heard(events, sim, room) if played != alone]
    assert (joined, left) == ([enter] if enter else [], [leave] if leave else []), (joined, left)
