"""Replay room1_scenario (the recorded FreeSWITCH session) against the simulator and
compare every reply and every event with the recording, after normalising ids, uuids,
times, sequence numbers and host fields. Differences that remain are covered by
KNOWN_GAPS (each with its reason); any other difference fails the test."""
import collections
import difflib
import json
import re
import socket
import time

import gevent
import pytest

from fssim import Simulator
from kzcore.esl.frames import FrameParser
from tests.support.paths import fs_fixture

TIME_SCALE = 0.4
SUBSCRIBE = ("event {fmt} CHANNEL_CREATE CHANNEL_ANSWER CHANNEL_HANGUP_COMPLETE "
             "CUSTOM conference::maintenance")
AUDIO_ACTIONS = {"start-talking", "stop-talking", "floor-change", "mute-detect"}

KNOWN_GAPS = {
    "audio-events": "start-talking / stop-talking / floor-change / mute-detect come from "
                    "FreeSWITCH's energy detector on real tones; the simulator follows a "
                    "tone on/off model, so their number and position differ. They are "
                    "compared by layout only: the header names, in order, per Action.",
    "audio-values": "Talking, Floor and Current-Energy in member events, the talking and "
                    "floor list flags, talking/has_floor/last_talking in json_list, and "
                    "the talking-* statistics depend on the audio at that instant: "
                    "normalised away.",
    "file-done-order": "play-file-done / play-file-member-done end on the media clock; "
                       "when one ends within a few ms of another event (the next command, "
                       "a hang-up) the order can differ, so these are compared as a set, "
                       "and their Conference-Size (the size when the file ended) is not "
                       "compared.",
    "cut-play-time": "a file cut short (conference destroyed) reports the time it "
                     "played, which is scheduling-dependent; compared only as 'cut'.",
    "thread-interleaving": "channel events (CHANNEL_*, RECORD_*, BACKGROUND_JOB) come "
                           "from session threads and conference events from the "
                           "conference thread: each kind is compared in order, but not "
                           "how the two kinds interleave (e.g. conference-destroy before "
                           "or after the last CHANNEL_HANGUP_COMPLETE).",
    "hangup-order": "calls ending within the same few ms (kicks 20 ms apart, hupall) "
                    "finish in thread order: a run of consecutive "
                    "CHANNEL_HANGUP_COMPLETE events is compared as a set.",
}
FILE_DONE = {"play-file-done", "play-file-member-done"}

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
VOLATILE = re.compile(
    r"^(Event-Date-.*|Event-Sequence|Caller-.*-Time|Caller-Transfer-Source|"
    r"variable_.*(epoch|stamp|sec|msec|usec|duration|_ms|_pos|_samples|_seconds)|"
    r"variable_transfer_history|variable_transfer_source|variable_session_id|"
    r"FreeSWITCH-IPv4|FreeSWITCH-IPv6|Core-UUID|talking-.*|"
    r"Samples-Out|Milliseconds-Elapsed|Record-File-Size|variable_record_file_size)$")
AUDIO_VALUES = {"Current-Energy", "Talking", "Floor"}


# -- running the scenario ------------------------------------------------------------------
class Capture:
    """Raw bytes a client reads on one connection, until the server closes it."""

    def __init__(self, address, commands=()):
        self.sock = socket.create_connection(address, timeout=30)
        self.data = bytearray()
        self.parser = FrameParser()
        self.frames = []
        self.reader = gevent.spawn(self._read)
        for command in commands:
            self.send(command)

    def _read(self):
        while True:
            chunk = self.sock.recv(65536)
            if not chunk:
                return
            self.data.extend(chunk)
            self.frames.extend(self.parser.feed(chunk))

    def send(self, line, headers=()):
        text = line + "".join(f"\n{k}: {v}" for k, v in headers) + "\n\n"
        self.sock.sendall(text.encode())

    def replies(self):
        return [f for f in self.frames if f.content_type in ("command/reply", "api/response")]

    def wait_replies(self, count, timeout=20):
        deadline = time.monotonic() + timeout
        while len(self.replies()) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"no reply #{count}")
            gevent.sleep(0.005)


def recorded_commands(tx_name):
    lines = fs_fixture(tx_name).decode().split("\n\n")
    return [line for line in lines if line]


def recorded_times(timeline_name):
    """Send times of the commands: the timeline steps that got a reply."""
    steps = json.loads(fs_fixture(timeline_name))
    steps = steps["steps"] if isinstance(steps, dict) else steps
    return [step["t"] for step in steps if "reply" in step]


def recorded_replies(rx_name):
    frames = FrameParser().feed(fs_fixture(rx_name))
    return [frame for frame in frames
            if frame.content_type in ("command/reply", "api/response")]


def _uuids(frame):
    text = json.dumps(frame.headers) + frame.body.decode("utf-8", "replace")
    return list(dict.fromkeys(UUID.findall(text)))


def run_part(sim, tx_name, timeline_name, subscriptions, scale=TIME_SCALE, settle=0.5,
             listener_close=("exit",)):
    """Replay one recorded control connection (timed as recorded) while event
    connections with `subscriptions` ({stream name: event command}) listen. Uuids the
    recording sent (e.g. from `get-uuid`) are replaced by the simulator's, learned from
    the replies. Returns {stream name: bytes read, "control.rx": bytes read}."""
    address = (sim.host, sim.port)
    listeners = {name: Capture(address, ["auth ClueCon", command])
                 for name, command in subscriptions.items()}
    control = Capture(address)
    commands = recorded_commands(tx_name)
    expected = recorded_replies(tx_name.replace(".tx.esl", ".rx.esl"))
    head, steps, final = commands[:2], commands[2:-1], commands[-1]
    for number, line in enumerate(head, start=1):
        control.send(line)
        control.wait_replies(number)
    for capture in listeners.values():
        capture.wait_replies(2)
    start, mapping = time.monotonic(), {}
    for index, (line, at) in enumerate(zip(steps, recorded_times(timeline_name))):
        delay = start + at * scale - time.monotonic()
        if delay > 0:
            gevent.sleep(delay)
        control.send(UUID.sub(lambda m: mapping.get(m.group(0), m.group(0)), line))
        count = index + len(head) + 1
        control.wait_replies(count)
        got, want = _uuids(control.replies()[count - 1]), _uuids(expected[count - 1])
        if len(got) == len(want):
            mapping.update(zip(want, got))
    gevent.sleep(settle * scale)
    for capture in listeners.values():
        for line in listener_close:
            capture.send(line)
    control.send(final)
    captures = dict(listeners, **{"control.rx": control})
    for capture in captures.values():
        capture.reader.join(timeout=10)
    return {name: bytes(capture.data) for name, capture in captures.items()}


def run_scenario(sim, scale=TIME_SCALE):
    return run_part(sim, "room1_scenario.control.tx.esl", "room1_scenario.timeline.json",
                    {"plain": SUBSCRIBE.format(fmt="plain"),
                     "json": SUBSCRIBE.format(fmt="json")}, scale)


# -- normalising -----------------------------------------------------------------------------
def parse_frames(data):
    return FrameParser().feed(data)


def event_pairs(frame):
    """Event frame -> [(name, value)] in order (duplicates kept), or None."""
    text = frame.body.decode("utf-8")
    if frame.content_type == "text/event-json":
        return json.loads(text, object_pairs_hook=lambda pairs: pairs)
    if frame.content_type != "text/event-plain":
        return None
    from urllib.parse import unquote
    head, _, body = text.partition("\n\n")
    pairs = [(n, unquote(v)) for n, _, v in (line.partition(": ")
                                             for line in head.split("\n") if line)]
    if body:
        pairs.append(("_body", body))
    return pairs


def normal_value(name, value):
    if VOLATILE.match(name) or name in AUDIO_VALUES:
        return "<volatile>"
    if isinstance(value, list):
        return [normal_value("", item) for item in value]
    if name == "Job-Command-Arg" or name == "_body":
        value = normal_body(value)
    return UUID.sub("<uuid>", str(value))


def normal_event(pairs):
    pairs = _mark_cut_play(pairs)
    return [(name, normal_value(name, value)) for name, value in pairs
            if name not in ("Content-Length",)]


def _mark_cut_play(pairs):
    """Known gap 'cut-play-time': a file that played less than its length -> 'cut'."""
    values = dict(pairs)
    if values.get("Action") not in FILE_DONE:
        return pairs
    tone = re.match(r"tone_stream://%\((\d+),(\d+)[^)]*\)(?:;loops=(\d+))?",
                    values.get("File", ""))
    if not tone:
        return pairs
    full = 2 * (int(tone[1]) + int(tone[2])) * int(tone[3] or 1)
    if int(values["milliseconds"]) >= full:
        return pairs
    return [(n, "cut" if n in ("seconds", "milliseconds", "samples") else v)
            for n, v in pairs]


def normal_body(text):
    text = UUID.sub("<uuid>", text)
    text = re.sub(r'"(join_time|run_time|last_talking)":(\s*)\d+', r'"\1":\2N', text)
    text = re.sub(r'"(talking|has_floor)":(\s*)(true|false)', r'"\1":\2B', text)
    text = re.sub(r"<(join_time|run_time|last_talking)>[^<]*<", r"<\1>N<", text)
    text = re.sub(r"^\d+;[^\n]*$", _member_line_without_audio_flags, text, flags=re.M)
    text = re.sub(r"(?<=\|)(talking|floor)\|", "", text)
    text = re.sub(r'"created(_epoch)?":"[^"]*"', r'"created\1":"T"', text)
    return text


def _member_line_without_audio_flags(match):
    """Known gap 'audio-values': talking/floor leave a `list` line's flags field."""
    fields = match.group(0).split(";")
    if len(fields) == 9:
        fields[5] = "|".join(f for f in fields[5].split("|") if f not in ("talking", "floor"))
    return ";".join(fields)


def signature(pairs):
    values = dict(pairs)
    return (values.get("Event-Name"), values.get("Action"), values.get("Member-ID"),
            values.get("Channel-Name"), values.get("Job-Command"))


def split_stream(data):
    """-> (command frames as normalised text, audio events, file-done events, others)."""
    replies, audio, files, other = [], [], [], []
    for frame in parse_frames(data):
        pairs = event_pairs(frame)
        if pairs is None:
            headers = {k: v for k, v in frame.headers.items() if k != "Content-Length"}
            replies.append((UUID.sub("<uuid>", json.dumps(headers)),
                            normal_body(frame.body.decode())))
        elif dict(pairs).get("Action") in AUDIO_ACTIONS:
            audio.append(pairs)
        elif dict(pairs).get("Action") in FILE_DONE:
            files.append(pairs)
        else:
            other.append(pairs)
    return replies, audio, files, other


# -- comparing -------------------------------------------------------------------------------
def compare_sequences(label, recorded, simulated, key, detail):
    """difflib over keys; matched items are compared in detail."""
    differences = []
    matcher = difflib.SequenceMatcher(a=[key(x) for x in recorded],
                                      b=[key(x) for x in simulated], autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            for left, right in zip(recorded[a1:a2], simulated[b1:b2]):
                differences += detail(label, left, right)
        else:
            differences.append(f"{label}: {op} recorded {[key(x) for x in recorded[a1:a2]]} "
                               f"simulated {[key(x) for x in simulated[b1:b2]]}")
    return differences


def event_detail(label, left, right):
    a, b = normal_event(left), normal_event(right)
    if a == b:
        return []
    diff = list(difflib.unified_diff([f"{n}: {v}" for n, v in a], [f"{n}: {v}" for n, v in b],
                                     lineterm="", n=0))
    return [f"{label} {signature(left)}: " + " | ".join(diff[2:12])]


def reply_detail(label, left, right):
    if left == right:
        return []
    return [f"{label} reply: recorded {left!r} simulated {right!r}"]


def audio_layout_differences(label, recorded, simulated):
    """Known gap 'audio-events': only the layout of each Action is compared."""
    layouts = {}
    for pairs in recorded:
        layouts.setdefault(dict(pairs)["Action"], set()).add(
            tuple(n for n, _ in pairs if not n.startswith("variable_")))
    differences = []
    for pairs in simulated:
        action = dict(pairs)["Action"]
        layout = tuple(n for n, _ in pairs if not n.startswith("variable_"))
        if action in layouts and layout not in layouts[action]:
            differences.append(f"{label} audio layout {action}: {layout}")
    missing = set(layouts) - {dict(p)["Action"] for p in simulated}
    differences += [f"{label} audio action never simulated: {a}" for a in sorted(missing)]
    return differences


def by_kind(events, kind):
    """Known gaps 'thread-interleaving' and 'hangup-order'."""
    chosen = [p for p in events if (dict(p).get("Event-Name") == "CUSTOM") == (
        kind == "conference")]
    out, run = [], []
    for pairs in chosen + [None]:
        if pairs is not None and dict(pairs).get("Event-Name") == "CHANNEL_HANGUP_COMPLETE":
            run.append(pairs)
            continue
        out += sorted(run, key=lambda p: json.dumps(normal_event(p)))
        run = []
        if pairs is not None:
            out.append(pairs)
    return out


def sorted_files(events):
    """Known gap 'file-done-order': file-done events in a canonical order, without
    the conference size at the instant they ended."""
    events = [[(n, "<size>" if n == "Conference-Size" else v) for n, v in p] for p in events]
    return sorted(events, key=lambda p: json.dumps(normal_event(p)))


def scenario_differences(recorded, simulated):
    differences = []
    for stream in recorded:
        rec_replies, rec_audio, rec_files, rec_other = split_stream(recorded[stream])
        sim_replies, sim_audio, sim_files, sim_other = split_stream(simulated[stream])
        differences += compare_sequences(f"{stream} replies", rec_replies, sim_replies,
                                         lambda r: r[0], reply_detail)
        for kind in ("channel", "conference"):
            differences += compare_sequences(
                f"{stream} {kind} events", by_kind(rec_other, kind), by_kind(sim_other, kind),
                lambda p: signature(p)[:2] + signature(p)[3:], event_detail)
        differences += audio_layout_differences(stream, rec_audio, sim_audio)
        differences += compare_sequences(f"{stream} file-done", sorted_files(rec_files),
                                         sorted_files(sim_files), signature, event_detail)
    return differences


@pytest.fixture(scope="module")
def replay(tmp_path_factory):
    sim = Simulator(port=0, hostname="vm", time_scale=TIME_SCALE,
                    recordings_dir=str(tmp_path_factory.mktemp("rec")))
    sim.start()
    try:
        simulated = run_scenario(sim)
    finally:
        sim.stop()
    recorded = {name: fs_fixture(f"room1_scenario.{name}.esl")
                for name in ("plain", "json", "control.rx")}
    return recorded, simulated


def test_replay_matches_recording_except_known_gaps(replay):
    recorded, simulated = replay
    differences = scenario_differences(recorded, simulated)
    assert differences == [], "\n".join(differences)


def test_replay_exercised_every_known_gap(replay):
    """The audio gap is about timing, not about missing behaviour: every audio Action
    occurs about as often as in the recording (the tone model follows the far legs)."""
    recorded, simulated = replay
    for stream in ("plain", "json"):
        counts = [collections.Counter(dict(p)["Action"] for p in split_stream(data)[1])
                  for data in (recorded[stream], simulated[stream])]
        for action, expected in counts[0].items():
            assert 0.5 * expected <= counts[1][action] <= 1.5 * expected + 1, action
    assert set(KNOWN_GAPS) == {"audio-events", "audio-values", "file-done-order",
                               "cut-play-time", "thread-interleaving", "hangup-order"}
