"""Single api replies recorded from FreeSWITCH (api_*.esl), asked again of the simulator
in the same state, over TCP; compared after normalising uuids, times and audio flags."""
import json
import re

import pytest

from fssim import Simulator
from kzcore.esl.frames import FrameParser
from tests.integration.test_fssim_replay import normal_body
from tests.support.paths import fs_fixture
from tests.support.sim import EslTestClient
from tests.support.waiting import wait_for

# (fixture, command) in the order of api_session.rx.esl: room1 holds Alice (7, talking),
# Bob (8, moderator) and Carol (9).
SESSION = [
    ("api_version.esl", "version"),
    ("api_conference_list.esl", "conference list"),
    ("api_conference_list_count.esl", "conference list count"),
    ("api_conference_room1_list.esl", "conference room1 list"),
    ("api_conference_room1_list_delim.esl", "conference room1 list delim |"),
    ("api_conference_room1_list_count.esl", "conference room1 list count"),
    ("api_conference_json_list.esl", "conference json_list"),
    ("api_conference_json_list_compact.esl", "conference json_list compact"),
    ("api_conference_xml_list.esl", "conference xml_list"),
    ("api_conference_room1_json_list.esl", "conference room1 json_list"),
    ("api_conference_room1_xml_list.esl", "conference room1 xml_list"),
    ("api_conference_nosuchroom_list.esl", "conference nosuchroom list"),
    ("api_conference_nosuchroom_json_list.esl", "conference nosuchroom json_list"),
    ("api_conference_room1_nosubcommand.esl", "conference room1"),
    ("api_conference_room1_badsubcommand.esl", "conference room1 frobnicate"),
    ("api_conference_room1_mute_9999.esl", "conference room1 mute 9999"),
    ("api_conference_room1_kick_9999.esl", "conference room1 kick 9999"),
    ("api_conference_room1_mute_all.esl", "conference room1 mute all"),
    ("api_conference_room1_list_after_mute_all.esl", "conference room1 list"),
    ("api_conference_room1_json_list_after_mute_all.esl", "conference room1 json_list"),
    ("api_conference_room1_unmute_all.esl", "conference room1 unmute all"),
    ("api_conference_room1_energy_noargs.esl", "conference room1 energy"),
    ("api_conference_room1_relate_list_empty.esl", "conference room1 relate 7"),
    ("api_conference_room1_count.esl", "conference room1 count"),
    ("api_conference_room1_get_count.esl", "conference room1 get count"),
    ("api_conference_list_summary.esl", "conference list summary"),
    ("api_conference_room1_lock.esl", "conference room1 lock"),
    ("api_conference_list_while_locked.esl", "conference list"),
    ("api_conference_room1_json_list_while_locked.esl", "conference room1 json_list"),
    ("api_conference_room1_unlock.esl", "conference room1 unlock"),
    ("api_conference_room1_getvar_unset.esl", "conference room1 getvar nosuchvar"),
    ("api_status.esl", "status"),
    ("api_show_channels_as_json.esl", "show channels as json"),
    ("api_show_channels.esl", "show channels"),
    ("api_show_calls_as_json.esl", "show calls as json"),
    ("api_unknown_command.esl", "nosuchcommand foo"),
    ("api_module_exists_mod_conference.esl", "module_exists mod_conference"),
]
IDLE = [
    ("api_idle_conference_list.esl", "conference list"),
    ("api_idle_conference_json_list.esl", "conference json_list"),
    ("api_idle_conference_xml_list.esl", "conference xml_list"),
    ("api_idle_show_channels.esl", "show channels"),
    ("api_idle_show_channels_as_json.esl", "show channels as json"),
]


def recorded_reply(name):
    return FrameParser().feed(fs_fixture(name))[0].body.decode()


def normalise(text):
    text = normal_body(text)
    text = re.sub(r"\d+ (years|days|hours|minutes|seconds|milliseconds|microseconds)",
                  r"N \1", text)
    text = re.sub(r"\d+ session\(s\)", "N session(s)", text)
    text = re.sub(r"(peak|5min) \d+", r"\1 N", text)
    text = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", "DATE", text)
    text = re.sub(r"\bDATE,\d{10},", "DATE,EPOCH,", text)
    return re.sub(r'run_time="\d+"', 'run_time="N"', text)


def audio_flags(sim, room):
    """{member id: (talking, has_floor)} as json_list shows them now."""
    listed = json.loads(sim.api(f"conference {room} json_list"))
    return {m["id"]: (m["flags"]["talking"], m["flags"]["has_floor"])
            for m in listed[0]["members"]}


@pytest.fixture
def room1_sim():
    """room1 as recorded: Alice (talk: 400 ms tone / 600 ms off, so talking all along)
    talking with the floor; Carol (talk_slow: 2 s tone / 4 s off) silent again after
    her first tone. That lasts from 2.8 to 6.06 simulated s after she joined: at
    time_scale 0.25, 0.8 s of real time for the xml_list commands, which compare the
    talking flags (waited for, not slept for: a loaded machine is slower)."""
    sim = Simulator(port=0, hostname="vm", time_scale=0.25, first_member_id=7)
    sim.start()
    sim.join("room1", "1001", "Alice", far="talk")
    sim.join("room1", "1002", "Bob", moderator=True)
    sim.join("room1", "1003", "Carol", far="talk_slow")
    wait_for(lambda: audio_flags(sim, "room1")[9][0], timeout=20, message="Carol never talked")
    wait_for(lambda: audio_flags(sim, "room1") == {7: (True, True), 8: (False, False),
                                                   9: (False, False)},
             timeout=20, message=lambda: f"not as recorded: {audio_flags(sim, 'room1')}")
    yield sim
    sim.stop()


def test_api_session_replies_match_recording(room1_sim):
    client = EslTestClient(room1_sim.host, room1_sim.port)
    mismatches = []
    for fixture, command in SESSION:
        got = client.api(command)
        expected = recorded_reply(fixture)
        if normalise(got) != normalise(expected):
            mismatches.append(f"{fixture} ({command}):\n  recorded {expected[:300]!r}\n"
                              f"  simulated {got[:300]!r}")
    client.close()
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("fixture,command", IDLE)
def test_idle_replies_match_recording(fssim, fixture, command):
    client = EslTestClient(fssim.host, fssim.port)
    assert client.api(command) == recorded_reply(fixture)
    client.close()


def test_wideband_room_lists_at_16000(fssim_factory):
    sim = fssim_factory(time_scale=0.05, first_member_id=10)
    sim.join("room4", "1010", "Wendy", profile="wideband", far="talk")
    wait_for(lambda: audio_flags(sim, "room4") == {10: (True, True)}, timeout=20)
    for fixture, command in (("api_conference_list_wideband.esl", "conference list"),
                             ("api_conference_wideband_json_list_compact.esl",
                              "conference json_list compact")):
        got = normalise(sim.api(command)).replace("confwb_", "conf_")
        assert got == normalise(recorded_reply(fixture)).replace("confwb_", "conf_")


def test_recording_room_lists_recording_node(fssim_factory, tmp_path):
    sim = fssim_factory(time_scale=0.05, first_member_id=11)
    sim.join("room5", "1001", "Alice", far="talk")
    wait_for(lambda: audio_flags(sim, "room5") == {11: (True, True)}, timeout=20)
    path = "/opt/switch/rec/room5.wav"
    assert sim.api(f"conference room5 recording start {path}") == f"+OK Record file {path}\n"
    wait_for(lambda: '"recording_node"' in sim.api("conference room5 json_list"), timeout=20)
    cases = [("api_conference_room5_list_while_recording.esl", "conference room5 list"),
             ("api_conference_list_while_recording.esl", "conference list"),
             ("api_conference_room5_json_list_while_recording.esl",
              "conference room5 json_list"),
             ("api_conference_room5_xml_list_while_recording.esl",
              "conference room5 xml_list"),
             ("api_conference_room5_recording_check.esl", "conference room5 recording check"),
             ("api_conference_room5_recording_stop_all.esl",
              "conference room5 recording stop all")]
    for fixture, command in cases:
        got = re.sub(r'("join_time":\t|epoch">)\d+', r"\1N", normalise(sim.api(command)))
        expected = re.sub(r'("join_time":\t|epoch">)\d+', r"\1N",
                          normalise(recorded_reply(fixture)))
        assert got == expected, fixture


def test_dial_replies(fssim):
    assert fssim.api("conference room3 dial loopback/nosuchext/default 1009 Nobody") == \
        recorded_reply("api_conference_dial_fail.esl")
    for fixture in ("api_conference_bgdial_nonexistent_conf.esl",
                    "api_conference_bgdial_fail_existing_conf.esl"):
        reply = fssim.api("conference room4 bgdial loopback/nosuchext/default 1009 Nobody")
        assert normalise(reply) == normalise(recorded_reply(fixture))


@pytest.mark.parametrize("fmt", ["plain", "json"])
def test_bgapi_connection_matches_recording(room1_sim, fmt):
    """bgapi_background_job.<fmt>.rx.esl: the reply frames and BACKGROUND_JOB events."""
    from tests.integration.test_fssim_replay import event_pairs, normal_event
    client = EslTestClient(room1_sim.host, room1_sim.port)
    client.command(f"event {fmt} BACKGROUND_JOB")
    client.command("bgapi conference room1 list")
    client.wait_event(lambda e: e.get("Job-Command-Arg") == "room1 list")
    job = "11111111-2222-3333-4444-000000000002"
    client.command("bgapi conference nosuchroom list", {"Job-UUID": job})
    client.wait_event(lambda e: e.get("Job-UUID") == job)
    client.send(b"exit\n\n")
    while True:
        try:
            client.read_frame(2)
        except ConnectionError:
            break
    recorded = FrameParser().feed(fs_fixture(f"bgapi_background_job.{fmt}.rx.esl"))
    simulated = FrameParser().feed(bytes(client.raw))

    def shape(frames):
        out = []
        for frame in frames:
            pairs = event_pairs(frame)
            if pairs is None:
                out.append(normalise(json.dumps(frame.headers) + frame.body.decode()))
            else:
                out.append(normal_event([(k, normalise(v) if isinstance(v, str) else v)
                                         for k, v in pairs]))
        return out
    assert shape(simulated) == shape(recorded)
