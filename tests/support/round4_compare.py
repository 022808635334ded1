"""How a round-4 step is compared with the recording (tests/integration/
test_fssim_replay_round4.py). Uuids, times, sequence numbers and host fields are
normalised as for rounds 1-2 (test_fssim_replay.normal_event); every other header of
every event is compared. What cannot be compared event by event is named in GAPS and
handled as the gap says; nothing else is left out.
"""
import difflib
import json
import re

from fssim.media import tone_pattern
from tests.integration.test_fssim_replay import (compare_sequences, event_pairs, normal_body,
                                                 normal_event, normal_value)

GAPS = {
    "audio-events": "start-talking, stop-talking, mute-detect and the floor moving to a "
                    "member come from FreeSWITCH's energy detector; the simulator follows "
                    "a tone on/off model, so their number and timing differ. They are "
                    "compared by layout (header names per Action) over the whole run.",
    "media-clock": "a file that plays to its end reports play-file-done on the media "
                   "clock; the recording gives no step times (only event times), so such "
                   "an event is matched in its step or the one before or after, with "
                   "Conference-Size (the size when it ended) left out.",
    "cut-play-time": "a file cut short (stop, hang-up, room ended) reports the time it "
                     "played: compared only as 'cut'.",
    "thread-interleaving": "channel events (session threads) and conference events (the "
                           "conference thread) are each compared in order, not how the "
                           "two interleave; runs of hang-ups, PLAYBACK_* and DTMF events "
                           "(one thread per call) are compared as sets.",
    "member-threads": "after `kick all` / `hup all` every member leaves in its own "
                      "thread: the events of those steps are compared as a multiset, "
                      "with Conference-Size / Conference-Ghosts (which follow the order "
                      "they happened to leave in) left out.",
}
AUDIO = {"start-talking", "stop-talking", "mute-detect"}
FILE_DONE = {"play-file-done", "play-file-member-done"}
PER_CALL_THREAD = {"CHANNEL_HANGUP_COMPLETE", "PLAYBACK_STOP", "PLAYBACK_START", "DTMF"}
UNORDERED_STEPS = {"kick_all", "hup_all_other"}
MEDIA_SECONDS = {"t.wav": 2.0}  # the recording's t.wav: 2000 ms, ended 2.02 s after play


def pairs(frame, rewrite):
    return [(name, rewrite(value) if isinstance(value, str) else value)
            for name, value in event_pairs(frame)]


def full_ms(path):
    """Reported milliseconds of `path` played to its end (a tone reports twice its
    length, fssim.media.reported_play_time); None: endless or unknown."""
    tone = tone_pattern(path)
    if tone:
        on_ms, off_ms, loops = tone
        return None if loops < 0 else 2 * (on_ms + off_ms) * max(loops, 1)
    seconds = MEDIA_SECONDS.get(path.rsplit("/", 1)[-1])
    return None if seconds is None or "://" not in path else int(seconds * 1000)


def classify(event):
    """'audio' | 'media-clock' | 'strict' (a cut file-done is strict, normalised)."""
    values = dict(event)
    action = values.get("Action")
    if action in AUDIO or (action == "floor-change" and values.get("New-ID") != "none"):
        return "audio"
    if action in FILE_DONE and full_ms(values.get("File", "")) == int(values["milliseconds"]):
        return "media-clock"
    return "strict"


def strict_form(event):
    values = dict(event)
    if values.get("Action") in FILE_DONE:
        event = [(n, "cut" if n in ("seconds", "milliseconds", "samples") else v)
                 for n, v in event]
    return event


def clock_key(event):
    masked = [(n, "<size>" if n == "Conference-Size" else v) for n, v in event]
    return json.dumps(normal_event(masked))


def _without_sizes(event):
    """Known gap 'member-threads'."""
    return [(n, "<size>" if n in ("Conference-Size", "Conference-Ghosts") else v)
            for n, v in event]


def _thread_runs(events):
    """Known gap 'thread-interleaving': per kind, runs of per-call events sorted."""
    out = []
    for kind in ("channel", "conference"):
        chosen = [e for e in events if (dict(e).get("Event-Name") == "CUSTOM") == (
            kind == "conference")]
        run = []
        for event in chosen + [None]:
            if event is not None and dict(event).get("Event-Name") in PER_CALL_THREAD:
                run.append(event)
                continue
            out.append(sorted(run, key=lambda e: json.dumps(_normal(e))))
            run = []
            if event is not None:
                out.append([event])
    return [event for group in out for event in group]


def _normal(event):
    return [(name, normal_value(name, value)) for name, value in event
            if name != "Content-Length"]


def event_detail(label, left, right):
    a, b = _normal(left), _normal(right)
    if a == b:
        return []
    diff = list(difflib.unified_diff([f"{n}: {v}" for n, v in a], [f"{n}: {v}" for n, v in b],
                                     lineterm="", n=0))
    return [f"{label} {_key(left)}: " + " | ".join(diff[2:14])]


def _key(event):
    values = dict(event)
    return (values.get("Event-Name"), values.get("Action"), values.get("Member-ID"),
            values.get("Channel-Name"), values.get("File"))


def strict_differences(label, recorded, simulated, unordered=False):
    recorded = [strict_form(e) for e in recorded if classify(e) == "strict"]
    simulated = [strict_form(e) for e in simulated if classify(e) == "strict"]
    if unordered:
        recorded = sorted(map(_without_sizes, recorded), key=lambda e: json.dumps(_normal(e)))
        simulated = sorted(map(_without_sizes, simulated),
                           key=lambda e: json.dumps(_normal(e)))
    else:
        recorded, simulated = _thread_runs(recorded), _thread_runs(simulated)
    return compare_sequences(label, recorded, simulated, _key, event_detail)


def match_media_clock(recorded_steps, simulated_windows):
    """recorded_steps: [(index, name, [event])]; simulated_windows: [(index, name, kind,
    [event])]. -> {step name: [difference]} (a simulated event left over in a set-up
    window is not a difference: the recorder did not keep those windows)."""
    pool = [[index, name, kind, clock_key(e), False] for index, name, kind, events
            in simulated_windows for e in events if classify(e) == "media-clock"]
    differences = {}
    for index, name, events in recorded_steps:
        for event in (e for e in events if classify(e) == "media-clock"):
            key = clock_key(event)
            found = next((p for p in pool if not p[4] and p[3] == key
                          and abs(p[0] - index) <= 1), None)
            if found is None:
                differences.setdefault(name, []).append(
                    f"{name}: recorded media-clock event never simulated nearby: "
                    f"{_key(event)}")
            else:
                found[4] = True
    for index, name, kind, key, used in pool:
        if not used and kind == "step":
            differences.setdefault(name, []).append(
                f"{name}: simulated media-clock event not recorded nearby: "
                f"{_key(json.loads(key))}")
    return differences


def audio_layouts(events):
    """{Action: {header names}} of the audio events (known gap 'audio-events')."""
    layouts = {}
    for event in events:
        if classify(event) == "audio":
            layouts.setdefault(dict(event)["Action"], set()).add(
                tuple(n for n, _ in event if not n.startswith("variable_")))
    return layouts


def normal_reply(frame, step_name, rewrite):
    """A reply frame, comparable: headers without Content-Length, body normalised."""
    headers = {k: v for k, v in frame.headers.items() if k != "Content-Length"}
    body = normal_body(rewrite(frame.text()))
    if step_name == "get_run_time":
        body = re.sub(r"^\d+$", "N", body)
    return headers, body
