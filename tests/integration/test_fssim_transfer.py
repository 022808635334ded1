"""`conference <room> transfer` on the simulator as mod_conference's source does it:
the channel runs the conference application again for `<room>@<profile>+flags{}`
(profile `default` when none is named), so the new room's profile is fetched over
xml_curl for that room, the member's flags are the line's and the channel's
`conference_member_flags`, a locked room refuses an inbound caller, and the member
keeps its id. The recorded part (round4 transfer_*, round2 transfer) is replayed by
test_fssim_replay_round4 / _round2."""
from urllib.parse import parse_qsl

import gevent
import pytest
from gevent.pywsgi import WSGIServer

from fssim.registry import parse_conference_data
from tests.support.paths import fs_fixture
from tests.support.sim import sim_api

PROFILE = fs_fixture(
    "round2/xmlcurl_009_configuration_conference.conf_room7_dynprofile_first_join.response.xml")
NOT_FOUND = fs_fixture("round2/xmlcurl_013_configuration_conference.conf_room8_default.response.xml")


@pytest.fixture
def gateway():
    """Serves round 2's 16 kHz "dynprofile" document for room "wide", whatever the
    profile name asked for; not found for anything else."""
    seen = []

    def app(environ, start_response):
        fields = dict(parse_qsl(environ["wsgi.input"].read().decode(), keep_blank_values=True))
        seen.append(fields)
        start_response("200 OK", [("Content-Type", "text/xml")])
        wanted = fields.get("conference_name") == "wide" and "Action" not in fields
        return [PROFILE.replace(b'name="dynprofile"', f'name="{fields.get("profile_name")}"'
                                .encode()) if wanted else NOT_FOUND]

    server = WSGIServer(("127.0.0.1", 0), app, log=None)
    server.start()
    yield f"http://127.0.0.1:{server.server_port}/fsxml", seen
    server.stop()


@pytest.mark.parametrize("data, parsed", [
    ("room2@default", ("room2", "default", [])),
    ("room2", ("room2", "default", [])),
    ("a_b@wide+flags{mute|moderator}", ("a_b", "wide", ["mute", "moderator"])),
    ("a@b@prof", ("a@b", "prof", [])),
])
def test_conference_application_data(data, parsed):
    assert parse_conference_data(data) == parsed


def test_the_new_room_takes_its_profile_from_xml_curl(fssim_factory, gateway, events_on):
    url, seen = gateway
    sim = fssim_factory(time_scale=0.05, xml_curl_url=url)
    alice = sim.join("narrow", "1001", "Alice")
    sim.join("narrow", "1002", "Bob")
    client = events_on(sim)
    reply = sim_api(sim, f"conference narrow transfer wide@default+flags{{mute}} {alice.id}")
    assert reply == f"+OK Member '{alice.id}' sent to conference wide@default+flags{{mute}}.\n"
    moved = client.wait_event(lambda e: e.get("Action") == "transfer")
    assert (moved["Old-Conference-Name"], moved["New-Conference-Name"]) == (
        "narrow", "wide@default+flags{mute}")
    added = client.wait_event(lambda e: e.get("Action") == "add-member"
                              and e.get("Conference-Name") == "wide")
    assert added["Member-ID"] == str(alice.id) and added["Speak"] == "false"
    fetch = [f for f in seen if f.get("conference_name") == "wide"][0]
    assert fetch["profile_name"] == "default" and fetch["Fetch-Call-UUID"] == alice.uuid
    room = sim.json_list("wide")[0]
    assert room["rate"] == 16000     # the served profile, not the old room's 8000
    assert [m["id"] for m in room["members"]] == [alice.id]


def test_api_changes_do_not_follow_the_member(fssim_factory):
    """A new member in the new room: hold, mute and relationships set by api commands
    stay behind; the moderator flag of the line applies."""
    sim = fssim_factory(time_scale=0.05)
    alice = sim.join("one", "1001", "Alice")
    bob = sim.join("one", "1002", "Bob")
    for command in (f"mute {alice.id}", f"hold {alice.id}", f"relate {alice.id} {bob.id} nospeak"):
        assert sim_api(sim, f"conference one {command}").startswith("+OK")
    sim_api(sim, f"conference one transfer two@default+flags{{moderator}} {alice.id}")
    gevent.sleep(0.1)
    member = sim.json_list("two")[0]["members"][0]
    flags = member["flags"]
    assert (flags["can_speak"], flags["hold"], flags["is_moderator"]) == (True, False, True)
    assert sim_api(sim, f"conference two relate {alice.id}") == "+OK No relationships\n"


def test_a_locked_room_refuses_the_caller_and_the_call_ends(fssim_factory, events_on):
    sim = fssim_factory(time_scale=0.05)
    alice = sim.join("one", "1001", "Alice")
    sim.join("one", "1002", "Bob")
    sim.join("shut", "1003", "Carol")
    assert sim_api(sim, "conference shut lock").startswith("+OK")
    client = events_on(sim)
    sim_api(sim, f"conference one transfer shut {alice.id}")
    hangup = client.wait_event(lambda e: e.get("Event-Name") == "CHANNEL_HANGUP_COMPLETE"
                               and e.get("Unique-ID") == alice.uuid)
    assert hangup["Hangup-Cause"] == "NORMAL_CLEARING"
    assert [m["caller_id_number"] for m in sim.json_list("shut")[0]["members"]] == ["1003"]
