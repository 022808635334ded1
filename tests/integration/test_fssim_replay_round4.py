"""Replay round 4 (round4/STEPS.txt, then dial_quoting/STEPS_b.txt) against one
simulated switch set up as the recorded one, and compare every step with the
recording: the api reply (byte for byte after normalising uuids and times) and the
events the recorder read during the step (every header, after the same normalising;
what cannot be compared event by event is in round4_compare.GAPS). One test per step.
"""
import dataclasses

import pytest

from fssim import Simulator
from tests.support.round4 import (FIRST_MEMBER_ID, RECORDED_MEDIA, ROUND4, MediaServer,
                                  configure_round4_rig, event_frames, load_steps,
                                  recorded_times)
from tests.support.round4_compare import (GAPS, UNORDERED_STEPS, audio_layouts,
                                          match_media_clock, normal_reply, pairs,
                                          strict_differences)
from tests.support.round4_run import SETUPS, Runner

SCALE = 0.35
STEPS = load_steps("STEPS.txt") + load_steps("dial_quoting/STEPS_b.txt")
EXTRA = [setup.window for setup in SETUPS.values() if setup.window]


@dataclasses.dataclass
class Replay:
    runs: list
    rewrite: object          # the simulator's media address -> the recorded one

    def reply(self, name):
        return next(run.replies[name] for run in self.runs if name in run.replies)

    def windows(self):
        """[(index, label, kind, [event pairs])] over both parts, indexes running on."""
        out, offset = [], 0
        for run in self.runs:
            frames = run.events_by_window()
            for window in run.windows:
                events = [pairs(f, self.rewrite) for f in frames[window.label]]
                out.append((window.index + offset, window.label, window.kind, events))
            offset += len(run.replies)
        return out

    def simulated(self, label):
        return next(events for _, name, _, events in self.windows() if name == label)


def _recorded(step_or_file):
    name = step_or_file if isinstance(step_or_file, str) else None
    frames = event_frames(f"{ROUND4}/{name}.events.json.esl") if name else \
        step_or_file.events()
    return [pairs(frame, str) for frame in frames]


@pytest.fixture(scope="module")
def replay(tmp_path_factory):
    media = MediaServer()
    recordings = tmp_path_factory.mktemp("round4-recordings")
    # The switch cannot write under /proc (recording_start_unwritable): with the
    # simulator's recordings_dir, a plain file where its /proc directory would be.
    (recordings / "proc").write_text("not a directory")
    sim = Simulator(port=0, hostname="vm", time_scale=SCALE, first_member_id=FIRST_MEMBER_ID,
                    recordings_dir=str(recordings))
    configure_round4_rig(sim)
    sim.start()
    to_sim = lambda text: text.replace(RECORDED_MEDIA, media.address)  # noqa: E731
    try:
        runs = []
        for part in (STEPS[:-6], STEPS[-6:]):  # STEPS.txt, then dial_quoting
            runs.append(Runner(sim, SCALE, to_sim).play(part, recorded_times(part)))
    finally:
        sim.stop()
        media.stop()
    return Replay(runs, lambda text: text.replace(media.address, RECORDED_MEDIA))


@pytest.fixture(scope="module")
def media_clock(replay):
    recorded = [(index, step.name, _recorded(step)) for index, step in enumerate(STEPS)]
    simulated = [(index, label, kind, events) for index, label, kind, events
                 in replay.windows() if kind != "extra"]
    return match_media_clock(recorded, simulated)


def test_the_steps_are_the_recorded_ones():
    """The listing and the files agree (a step count, and every step has its files)."""
    assert [step.name for step in STEPS][:3] == ["play_http_bare", "play_http_cache",
                                                 "play_http_cache_unreachable"]
    assert len(STEPS) == 84  # 78 in STEPS.txt, 6 in STEPS_b.txt
    for step in STEPS:
        assert len(step.events()) == step.event_count, step.name
        assert step.reply().text().splitlines()[0].startswith(step.first_line), step.name


@pytest.mark.parametrize("step", STEPS, ids=[step.name for step in STEPS])
def test_step_matches_recording(replay, media_clock, step):
    expected = normal_reply(step.reply(), step.name, str)
    got = normal_reply(replay.reply(step.name), step.name, replay.rewrite)
    assert got == expected, f"reply of `{step.command}`"
    differences = strict_differences(step.name, _recorded(step),
                                     replay.simulated(step.name),
                                     unordered=step.name in UNORDERED_STEPS)
    differences += media_clock.get(step.name, [])
    assert differences == [], f"{len(differences)} differences (gaps: {sorted(GAPS)}):\n" \
                              + "\n".join(differences)


@pytest.mark.parametrize("name", EXTRA)
def test_setup_events_match_recording(replay, name):
    """join_only_into_missing_room: a join-only caller into a room that does not exist."""
    differences = strict_differences(name, _recorded(name), replay.simulated(name))
    assert differences == [], "\n".join(differences)


def test_audio_events_have_the_recorded_layouts(replay):
    """Known gap 'audio-events': every audio Action the recording shows is simulated,
    with a header layout the recording has for it."""
    recorded = {}
    for step in STEPS:
        for action, layouts in audio_layouts(_recorded(step)).items():
            recorded.setdefault(action, set()).update(layouts)
    simulated = {}
    for _, _, kind, events in replay.windows():
        if kind == "step":
            for action, layouts in audio_layouts(events).items():
                simulated.setdefault(action, set()).update(layouts)
    assert set(simulated) == set(recorded)
    for action, layouts in simulated.items():
        assert layouts <= recorded[action], action
