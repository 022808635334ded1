"""Round 4 of the recorded FreeSWITCH traffic (``round4/README.txt``), replayed against
the simulator: the recorded rig (conference profile, dialplan, the HTTP server of
t.wav), the steps with their replies and events, and a runner that sends every step
timed as recorded, with the README's set-up between steps, while one connection
subscribed as the recorder was reads the events.

Step times come from the recording: the Event-Date-Timestamp of a step's first event
(interpolated for steps without events); the runner keeps the recorded gaps, scaled.
"""
import dataclasses
import io
import json
import socket
import time
import wave

import gevent
import gevent.pywsgi

from fssim.dialplan import far_extension, park_extension
from fssim.profiles import Profile
from kzcore.esl.frames import FrameParser, encode_command
from tests.support.paths import fs_fixture

ROUND4 = "round4"
SUBSCRIBE = ("event json RECORD_START RECORD_STOP PLAYBACK_START PLAYBACK_STOP "
             "CHANNEL_ANSWER CHANNEL_HANGUP_COMPLETE DTMF BACKGROUND_JOB "
             "CUSTOM conference::maintenance")
RECORDED_MEDIA = "127.0.0.1:8999"
FIRST_MEMBER_ID = 899  # the member ids of the recording
TALK_TONE = "tone_stream://%(1000,500,440);loops=-1"  # round4 PLAYBACK_* of the talk legs


@dataclasses.dataclass(frozen=True)
class Step:
    name: str
    command: str
    first_line: str
    event_count: int
    folder: str  # "round4/" or "round4/dial_quoting/"

    def reply(self):
        return FrameParser().feed(fs_fixture(f"{self.folder}{self.name}.esl"))[-1]

    def events(self):
        return event_frames(f"{self.folder}{self.name}.events.json.esl")


def event_frames(name):
    data = fs_fixture(name)
    return [frame for frame in FrameParser().feed(data)
            if frame.content_type == "text/event-json"]


def load_steps(listing):
    """STEPS.txt / dial_quoting/STEPS_b.txt -> [Step] (tab separated, header first)."""
    folder = f"{ROUND4}/" + (listing.rpartition("/")[0] + "/" if "/" in listing else "")
    lines = fs_fixture(f"{ROUND4}/{listing}").decode().splitlines()[1:]
    return [Step(*fields[:3], int(fields[3]), folder)
            for fields in (line.split("\t") for line in lines if line)]


def recorded_times(steps):
    """Seconds from the first step: each step's first event, interpolated between."""
    times = []
    for step in steps:
        frames = step.events()
        times.append(int(json.loads(frames[0].body)["Event-Date-Timestamp"]) / 1e6
                     if frames else None)
    known = [(i, t) for i, t in enumerate(times) if t is not None]
    for index, value in enumerate(times):
        if value is None:
            before = max((k for k in known if k[0] < index), default=known[0])
            after = min((k for k in known if k[0] > index), default=known[-1])
            span = after[0] - before[0] or 1
            times[index] = before[1] + (after[1] - before[1]) * (index - before[0]) / span
    return [t - times[0] for t in times]


# -- the recorded rig ------------------------------------------------------------------
def round4_profile(name="default"):
    """Profile "default" of the round4 switch: round 1's, with the sounds its events
    name (exit-sound as its README says; muted, unmuted, alone, kicked and lock sounds
    as their play-file*-done events show)."""
    return Profile(name, exit_sound="tone_stream://%(500,0,300,200,100,50,25)",
                   alone_sound="tone_stream://%(200,0,500)",
                   muted_sound="tone_stream://%(200,0,350)",
                   unmuted_sound="tone_stream://%(200,0,650)",
                   is_locked_sound="tone_stream://%(200,0,800)",
                   is_unlocked_sound="tone_stream://%(200,0,900)",
                   kicked_sound="tone_stream://%(500,0,300)")


def configure_round4_rig(sim):
    """The switch of round 4: its profile and its far-leg extensions ("talk" plays a
    1000/500 tone; "silent" parks: no PLAYBACK_* events, last_app park; 9xxx talk and
    8xxx park, as the dialled legs of dial_quoting and project_session show)."""
    sim.core.profiles["default"] = round4_profile()
    sim.add_extension(r"^talk$", far_extension("talk", TALK_TONE))
    sim.add_extension(r"^silent$", park_extension)
    sim.add_extension(r"^(9\d{3})$", far_extension("9xxx", TALK_TONE))
    sim.add_extension(r"^(8\d{3})$", park_extension)


def wav_bytes(seconds=1.0, rate=8000):
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(b"\0\0" * int(seconds * rate))
    return buffer.getvalue()


class MediaServer:
    """The plain HTTP server of the recording, on a free port: t.wav, 2 s (its
    play-file-done reports 2000 ms, 2.02 s after the play)."""

    def __init__(self):
        body = wav_bytes(2.0)

        def app(environ, start_response):
            if environ["PATH_INFO"] == "/t.wav":
                start_response("200 OK", [("Content-Type", "audio/wav")])
                return [body]
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        self.server = gevent.pywsgi.WSGIServer(("127.0.0.1", 0), app, log=None)
        self.server.start()
        self.address = f"127.0.0.1:{self.server.server_port}"

    def stop(self):
        self.server.stop(timeout=1)


# -- talking to the simulator ------------------------------------------------------------
def api_on_fresh_connection(sim, command, timeout=10.0):
    """As the recorder: connect, auth, one api command; returns its reply frame."""
    sock = socket.create_connection((sim.host, sim.port), timeout=timeout)
    parser, frames = FrameParser(), []
    try:
        for line in (f"auth {sim.password}", f"api {command}"):
            sock.sendall(encode_command(line))
            wanted = 2 if line.startswith("auth") else 3
            while len(frames) < wanted:
                chunk = sock.recv(65536)
                if not chunk:
                    raise ConnectionError("closed")
                frames.extend(parser.feed(chunk))
    finally:
        sock.close()
    return frames[-1]


class EventLog:
    """One connection subscribed as the recorder was; events with their arrival time."""

    def __init__(self, sim, subscription=SUBSCRIBE):
        self.sock = socket.create_connection((sim.host, sim.port), timeout=30)
        self.parser = FrameParser()
        self.events = []  # (monotonic arrival, Frame)
        self.sock.sendall(encode_command(f"auth {sim.password}") + encode_command(subscription))
        self.reader = gevent.spawn(self._read)

    def _read(self):
        while True:
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            now = time.monotonic()
            self.events += [(now, frame) for frame in self.parser.feed(chunk)
                            if frame.content_type == "text/event-json"]

    def close(self):
        self.sock.close()
        self.reader.join(timeout=5)
