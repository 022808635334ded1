"""Dialling simulated SIP devices (round 3): outcomes, bgdial-result, and the member
a device becomes, compared with the recorded events."""
import pytest

from kzcore.esl.frames import FrameParser, parse_event_plain
from tests.integration.test_fssim_replay import normal_event
from tests.support.paths import fs_fixture


@pytest.fixture
def rig(fssim_factory):
    sim = fssim_factory(time_scale=0.01)
    sim.register_device("1000", "rig.test", contact="127.0.0.1:5071")
    sim.register_device("1001", "rig.test", contact="127.0.0.1:5073")
    sim.register_device("1999", "rig.test")
    sim.unregister_device("1999", "rig.test")
    sim.register_device("peer", "silent.test", "no_answer", contact="127.0.0.1:5098")
    return sim


@pytest.fixture
def events(rig, esl_client_factory):
    client = esl_client_factory(rig)
    client.command("event plain CHANNEL_CREATE CHANNEL_HANGUP_COMPLETE BACKGROUND_JOB "
                   "CUSTOM conference::maintenance")
    return client


def recorded_event(name):
    return parse_event_plain(FrameParser().feed(fs_fixture(f"round3/{name}"))[0].body)


def layout(event):
    return [name for name in event if name != "_body"]


def test_bgdial_creating_the_room_sends_no_bgdial_result(rig, events):
    reply = events.api("conference room10 bgdial user/1000@rig.test 1000 Alice")
    assert reply.startswith("+OK Job-UUID: ")
    added = events.wait_event(lambda e: e.get("Action") == "add-member")
    recorded = recorded_event("add_member.user_1000_creates_room10.plain.esl")
    assert layout(added) == layout(recorded)
    for header in ("Channel-Name", "Channel-Presence-ID", "Caller-Caller-ID-Name",
                   "Caller-Caller-ID-Number", "Caller-Callee-ID-Name", "Caller-Source",
                   "Channel-Write-Codec-Name", "Member-Type"):
        assert added[header] == recorded[header], header
    assert not [f for f in events.events if b"bgdial-result" in f.body]


@pytest.mark.parametrize("endpoint,result,fixture", [
    ("user/1999@rig.test 1999 Nobody", "USER_NOT_REGISTERED",
     "bgdial_result.user_1999_not_registered.plain.esl"),
    ("user/1998@rig.test 1998 Ghost", "SUBSCRIBER_ABSENT",
     "bgdial_result.user_1998_not_in_directory.plain.esl"),
    ("sofia/rig/1001@127.0.0.1:5099 1001 Closed", "NORMAL_TEMPORARY_FAILURE",
     "bgdial_result.sip_uri_closed_udp_port.plain.esl"),
    ("{originate_timeout=8}sofia/rig/1001@127.0.0.1:5098 1001 Silent", "NO_ANSWER",
     "bgdial_result.sip_uri_silent_peer_originate_timeout_8.plain.esl"),
    ("sofia/rig/1001@127.0.0.1:5098 1001 Silent", "RECOVERY_ON_TIMER_EXPIRE",
     "bgdial_result.sip_uri_silent_peer.plain.esl"),
])
def test_failed_bgdial_into_running_room(rig, events, endpoint, result, fixture):
    rig.join("room10", "1002", "Bob")
    rig.join("room10", "1003", "Carol")  # two members, as when it was recorded
    job = events.api(f"conference room10 bgdial {endpoint}").split()[-1]
    got = events.wait_event(lambda e: e.get("Action") == "bgdial-result")
    recorded = recorded_event(fixture)
    assert got["Result"] == recorded["Result"] == result
    assert got["Job-UUID"] == job and "Peer-UUID" not in got
    assert normal_event(list(got.items()))[14:] == normal_event(list(recorded.items()))[14:]


def test_sip_uri_bgdial_success_precedes_add_member(rig, events):
    rig.join("room10", "1002", "Bob")
    events.api("conference room10 bgdial sofia/rig/1001@127.0.0.1:5073")
    result = events.wait_event(lambda e: e.get("Action") == "bgdial-result")
    added = events.wait_event(lambda e: e.get("Action") == "add-member"
                              and e.get("Channel-Name", "").startswith("sofia/"))
    assert result["Result"] == "SUCCESS" and result["Peer-UUID"] == added["Unique-ID"]
    assert added["Channel-Name"] == "sofia/rig/1001@127.0.0.1:5073"
    assert added["Caller-Callee-ID-Name"] == "conference"
    assert added["Caller-Callee-ID-Number"] == "0000000000"


def test_failed_bgdial_into_missing_room_does_nothing(rig, events):
    assert events.api("conference room12 bgdial user/1999@rig.test 1999 Nobody") \
        .startswith("+OK Job-UUID:")
    assert events.api("conference room12 list") == "-ERR Conference room12 not found\n"
    assert not [f for f in events.events if b"room12" in f.body]


def test_originate_to_devices(rig, events):
    ok = events.api("originate {origination_caller_id_number=9011,"
                    "origination_caller_id_name=Room11}user/1000@rig.test &conference(room11)")
    assert ok.startswith("+OK ") and len(ok.split()[1]) == 36
    added = events.wait_event(lambda e: e.get("Action") == "add-member")
    assert added["Unique-ID"] == ok.split()[1]
    assert added["Caller-Orig-Caller-ID-Name"] == "Room11"
    assert events.api("originate {origination_caller_id_number=9011}user/1999@rig.test "
                      "&conference(room11)") == "-ERR USER_NOT_REGISTERED\n"
    events.command("bgapi originate {origination_caller_id_number=9011}user/1998@rig.test "
                   "&conference(room11)")
    job = events.wait_event(lambda e: e.get("Event-Name") == "BACKGROUND_JOB")
    assert job["_body"] == "-ERR SUBSCRIBER_ABSENT\n"
    assert events.api(f"uuid_kill {added['Unique-ID']}") == "+OK\n"
    gone = events.wait_event(lambda e: e.get("Action") == "del-member")
    assert gone["Answer-State"] == "hangup" and gone["Hangup-Cause"] == "NORMAL_CLEARING"


def test_register_and_unregister_events_follow_recorded_layout(fssim, esl_client_factory):
    client = esl_client_factory(fssim)
    client.command("event plain CUSTOM sofia::register sofia::unregister")
    fssim.register_device("1000", "rig.test", contact="127.0.0.1:5071",
                          variables={"device_owner": "alice",
                                     "device_label": "Alice desk phone"})
    got = client.wait_event(lambda e: e.get("Event-Subclass") == "sofia::register")
    recorded = recorded_event("sofia_register.1000.plain.esl")
    assert layout(got) == layout(recorded)
    for name in ("from-user", "from-host", "contact", "status", "expires", "network-port",
                 "domain_name", "device_label"):
        assert got[name] == recorded[name], name
    fssim.unregister_device("1000", "rig.test")
    got = client.wait_event(lambda e: e.get("Event-Subclass") == "sofia::unregister")
    assert layout(got) == layout(recorded_event("sofia_unregister.1000.plain.esl"))
    assert got["expires"] == "0"


@pytest.mark.parametrize("command,fixture", [
    ("sofia_contact 1000@rig.test", "api_sofia_contact_1000.esl"),
    ("sofia_contact */1000@rig.test", "api_sofia_contact_star_1000.esl"),
    ("sofia_contact rig/1000@rig.test", "api_sofia_contact_rig_1000.esl"),
    ("sofia_contact 1999@rig.test", "api_sofia_contact_1999_not_registered.esl"),
    ("sofia_contact 1998@rig.test", "api_sofia_contact_1998_not_in_directory.esl"),
    ("user_exists id 1000 rig.test", "api_user_exists_id_1000_rig.test.esl"),
    ("user_exists id 1999 rig.test", "api_user_exists_id_1999_rig.test.esl"),
    ("user_exists id 1998 rig.test", "api_user_exists_id_1998_rig.test.esl"),
    ("user_data 1000@rig.test param dial-string", "api_user_data_1000_param_dial-string.esl"),
])
def test_directory_queries_match_recording(rig, events, command, fixture):
    assert events.api(command) == FrameParser().feed(
        fs_fixture(f"round3/{fixture}"))[0].body.decode()
