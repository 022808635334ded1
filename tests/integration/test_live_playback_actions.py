"""Conference actions for the room's playback and sounds against the simulator over
TCP: stop_play, pause_play / resume_play (idempotent although the switch's
pause_play toggles), set_sounds. Checked on the switch: its command log, its own
answers on a raw ESL connection, json_list."""
import gevent
import pytest

from tests.integration.test_live_support import rig  # noqa: F401 (fixture)
from tests.support.sim import sim_api

LONG_TONE = "tone_stream://%(1000,0,350);loops=20"


def action(rig, conference_id, name, data=None, **extra):
    return rig.call("PUT", rig.alpha, conference_id,
                    body={"action": name, "data": data or {}, **extra})


@pytest.fixture
def room(rig):
    conference_id = rig.create_conference(rig.alpha)
    name = rig.room(rig.alpha, conference_id)
    rig.sims[0].join(name, "1001", "Alice")
    return conference_id, name, rig.sims[0]


@pytest.fixture
def quiet_room(room):
    """The room once its enter tone has played: nothing plays."""
    _, name, sim = room
    with gevent.Timeout(5, AssertionError("the enter tone did not end")):
        while sim_api(sim, f"conference {name} play_status") != "-ERR Nothing is playing\n":
            gevent.sleep(0.05)
    return room


def play(sim, name, path=LONG_TONE):
    assert sim_api(sim, f"conference {name} play {path}").startswith("+OK (play)")


def sent(rig, sim, mark, name):
    """The commands crossbar sent to the room since ``mark`` (the switch's own log)."""
    prefix = f"conference {name} "
    return [command[len(prefix):] for command in sim.command_log[mark:]
            if command.startswith(prefix) and not command.endswith((" count", " json_list"))]


def test_pause_is_idempotent_and_resume_too(rig, room):
    conference_id, name, sim = room
    play(sim, name)
    mark = len(sim.command_log)
    first = action(rig, conference_id, "pause_play")
    assert first.status_code == 202 and first.get_json()["data"] == "+OK Pause"
    assert sent(rig, sim, mark, name) == ["play_status", "pause_play"]
    mark = len(sim.command_log)
    again = action(rig, conference_id, "pause_play")
    assert again.status_code == 202 and again.get_json()["data"] == "+OK Pause"
    # the toggle resumed it; the answer showed it, and a second toggle paused it again
    assert sent(rig, sim, mark, name) == ["play_status", "pause_play", "pause_play"]
    resumed = action(rig, conference_id, "resume_play")
    assert resumed.status_code == 202 and resumed.get_json()["data"] == "+OK Resume"
    mark = len(sim.command_log)
    assert action(rig, conference_id, "resume_play").get_json()["data"] == "+OK Resume"
    assert sent(rig, sim, mark, name) == ["play_status", "pause_play", "pause_play"]
    # on the switch the file plays: the next raw toggle pauses it
    assert sim_api(sim, f"conference {name} pause_play") == "+OK Pause\n"


def test_pause_with_nothing_playing_is_the_switch_s_refusal(rig, quiet_room):
    conference_id, name, sim = quiet_room
    mark = len(sim.command_log)
    reply = action(rig, conference_id, "pause_play")
    assert reply.status_code == 422 and reply.get_json()["message"] == "-ERR Nothing is playing"
    assert sent(rig, sim, mark, name) == ["play_status"]      # nothing toggled


def test_stop_current_then_all(rig, quiet_room):
    conference_id, name, sim = quiet_room
    play(sim, name)
    play(sim, name, "tone_stream://%(1000,0,450);loops=20")
    play(sim, name, "tone_stream://%(1000,0,550);loops=20")
    current = action(rig, conference_id, "stop_play", {"which": "current"})
    assert current.status_code == 202 and current.get_json()["data"] == "+OK Stopped 1 files."
    everything = action(rig, conference_id, "stop_play")        # which: all by default
    assert everything.get_json()["data"] == "+OK Stopped 2 files."
    assert action(rig, conference_id, "stop_play").get_json()["data"] == "+OK Stopped 0 files."
    assert sim_api(sim, f"conference {name} play_status") == "-ERR Nothing is playing\n"


def test_set_sounds_switches_the_running_room(rig, room):
    conference_id, name, sim = room
    reply = action(rig, conference_id, "set_sounds", {"entry_tone": False, "exit_tone": False})
    assert reply.status_code == 202
    assert reply.get_json()["data"].splitlines()[0].startswith(f"+OK {name} enter sounds off")
    listed = rig.wire_json_list(sim, name)[0]
    assert (listed["enter_sound"], listed["exit_sound"]) == (False, False)
    assert action(rig, conference_id, "set_sounds", {"exit_tone": True}).status_code == 202
    listed = rig.wire_json_list(sim, name)[0]
    assert (listed["enter_sound"], listed["exit_sound"]) == (False, True)


@pytest.mark.parametrize("name, data", [
    ("set_sounds", {}), ("set_sounds", {"entry_tone": "yes"}), ("set_sounds", {"tone": True}),
    ("stop_play", {"which": "last"}), ("stop_play", {"member": 1}), ("pause_play", {"x": 1}),
    ("explode", {}),
])
def test_bad_requests_are_400_and_send_nothing(rig, room, name, data):
    conference_id, room_name, sim = room
    play(sim, room_name)
    mark = len(sim.command_log)
    reply = action(rig, conference_id, name, data)
    assert reply.status_code == 400, reply.get_json()
    assert sent(rig, sim, mark, room_name) == []


def test_a_stored_conference_not_running_is_409(rig):
    conference_id = rig.create_conference(rig.alpha)
    for name, data in (("pause_play", {}), ("set_sounds", {"entry_tone": True}),
                       ("stop_play", {})):
        assert action(rig, conference_id, name, data).status_code == 409
