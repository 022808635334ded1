"""The simulator's `socket` application against the recorded outbound sessions.

A scripted service replays what the real call-in recorder sent
(round2/outbound_<session>.tx.esl) to the simulator over TCP, and what comes
back is compared with what FreeSWITCH sent (the .rx.esl files): the connect
reply header for header, the replies, the order of the events that matter and
the digit variables. Events the simulator does not model (CHANNEL_PARK, which is
racy even on FreeSWITCH, CHANNEL_UNPARK, CHANNEL_STATE, the socket app's own
completion, floor-change) are left out of the order comparison."""
import io
import re

import gevent
import pytest
from gevent.queue import Queue
from gevent.server import StreamServer

from callin import wire
from fssim import Simulator, outbound
from tests.support.paths import fs_fixture

SCALE = 0.02
UNMODELLED = {"CHANNEL_PARK", "CHANNEL_UNPARK", "CHANNEL_STATE"}


def recorded_frames(name):
    reader = io.BytesIO(fs_fixture(f"round2/{name}"))
    frames = []
    while (frame := wire.read_frame(reader)) is not None:
        frames.append(frame)
    return frames


def tx_blocks(name):
    return [block for block in fs_fixture(f"round2/{name}").decode().split("\n\n") if block.strip()]


def summary(frames):
    """(content type, event, application, subclass action) of each frame that matters."""
    out = []
    for frame in frames:
        event = wire.parse_event(frame)
        if event is None:
            out.append((frame.content_type, frame.headers.get("Reply-Text") or
                        frame.headers.get("Content-Disposition") or frame.body.decode()[:8]))
            continue
        name = event.get("Event-Name")
        if name in UNMODELLED or event.get("Action") == "floor-change" \
                or event.get("Application") == "socket":
            continue
        out.append((frame.content_type, name, event.get("Application") or event.get("Action")))
    return out


class ScriptedService:
    """Accepts one outbound connection and records every frame it reads."""

    def __init__(self):
        self.frames, self.queue, self.sock, self.skipped = [], Queue(), None, []
        self.server = StreamServer(("127.0.0.1", 0), self._accept)
        self.server.start()
        self.connected = gevent.event.Event()

    def _accept(self, sock, address):
        self.sock = sock
        self.connected.set()
        reader = sock.makefile("rb")
        try:
            while (frame := wire.read_frame(reader)) is not None:
                self.frames.append(frame)
                self.queue.put(frame)
        except (OSError, wire.ProtocolError):
            pass
        self.queue.put(None)

    def send(self, block):
        self.sock.sendall((block.strip("\n") + "\n\n").encode())

    def until(self, predicate, timeout=5.0):
        """The first frame matching ``predicate``, among those skipped so far first."""
        for frame in self.skipped:
            if predicate(frame):
                self.skipped.remove(frame)
                return frame
        with gevent.Timeout(timeout, AssertionError("expected frame never came")):
            while True:
                frame = self.queue.get()
                if frame is None or predicate(frame):
                    return frame
                self.skipped.append(frame)

    def reply(self):
        self.skipped = [f for f in self.skipped if f.content_type not in ("command/reply", "api/response")]
        return self.until(lambda f: f.content_type in ("command/reply", "api/response"))

    def completion(self, event_uuid):
        return self.until(lambda f: (wire.parse_event(f) or {}).get("Application-UUID") == event_uuid
                          and (wire.parse_event(f) or {}).get("Event-Name") == "CHANNEL_EXECUTE_COMPLETE")

    def run(self, blocks, channel_uuid):
        """Send each recorded block; sendmsg execute waits for its completion."""
        for block in blocks:
            block = re.sub(r"uuid_getvar [0-9a-f-]{36}", f"uuid_getvar {channel_uuid}", block)
            self.send(block)
            self.reply()
            match = re.search(r"Event-UUID: (\S+)", block)
            if match and "call-command: execute" in block and "execute-app-name: conference" not in block:
                self.completion(match.group(1))

    def stop(self):
        self.server.stop(timeout=1)


@pytest.fixture
def service():
    svc = ScriptedService()
    yield svc
    svc.stop()


def call(service, number, script=None, scale=SCALE):
    sim = Simulator(time_scale=scale)
    sim.add_extension(r"^callin_(\d+)$", outbound.socket_extension("127.0.0.1", service.server.server_port))
    channel = sim.place_call(number, "5551001", "CallerA")
    if script:
        gevent.spawn(outbound.run_script, channel, script)
    assert service.connected.wait(5)
    return sim, channel


def test_digits_then_conference_matches_the_recording(service):
    sim, channel = call(service, "callin_100", [(1.5, "1234#")])
    blocks = tx_blocks("outbound_digits_then_conference.tx.esl")
    service.run(blocks[:-1], channel.uuid)   # everything but the final hangup
    service.until(lambda f: (wire.parse_event(f) or {}).get("Action") == "add-member")
    service.send(blocks[-1])
    service.until(lambda f: (wire.parse_event(f) or {}).get("Event-Name") == "CHANNEL_HANGUP_COMPLETE")
    gevent.sleep(0.1)
    recorded = recorded_frames("outbound_digits_then_conference.rx.esl")

    ours_connect, theirs_connect = service.frames[0], recorded[0]
    assert list(ours_connect.headers) == list(theirs_connect.headers)
    for name in ("Content-Type", "Reply-Text", "Socket-Mode", "Control", "Channel-State",
                 "Channel-Call-State", "Answer-State", "Channel-Caller-ID-Number", "variable_current_application"):
        assert ours_connect.headers[name] == theirs_connect.headers[name], name
    assert "Content-Length" not in ours_connect.headers

    ours, theirs = summary(service.frames), summary(recorded)
    hangup = ("text/event-plain", "CHANNEL_HANGUP", None)
    cut_ours, cut_theirs = ours.index(hangup) + 1, theirs.index(hangup) + 1
    assert ours[:cut_ours] == theirs[:cut_theirs]
    # after the hang-up the linger notice races the remaining events, on FreeSWITCH too
    assert sorted(ours[cut_ours:]) == sorted(theirs[cut_theirs:])
    pagd = [wire.parse_event(f) for f in service.frames
            if (wire.parse_event(f) or {}).get("Application") == "play_and_get_digits"][-1]
    assert pagd["variable_collected_digits"] == "1234"
    assert pagd["variable_read_result"] == "success"
    assert b"variable_read_terminator_used: %23\n" in b"".join(f.body for f in service.frames)
    sent_uuid = re.search(r"Event-UUID: (\S+)", blocks[6]).group(1)
    assert pagd["Application-UUID"] == sent_uuid
    names = [wire.parse_event(f).get("Event-Name") for f in service.frames if wire.parse_event(f)]
    assert names.index("CHANNEL_HANGUP") < names.index("CHANNEL_HANGUP_COMPLETE")
    assert any(f.headers.get("Content-Disposition") == "linger"
               and f.headers.get("Linger-Time") == "-1" for f in service.frames)


def test_caller_hangup_during_the_prompt_matches_the_recording(service):
    sim, channel = call(service, "callin_101", scale=0.3)   # linger 5 s = 1.5 s here
    blocks = tx_blocks("outbound_hangup_during_pagd.tx.esl")
    service.run(blocks[:5], channel.uuid)
    service.send(blocks[5])
    service.until(lambda f: (wire.parse_event(f) or {}).get("Application") == "play_and_get_digits")
    gevent.spawn(outbound.run_script, channel, [(0.5, "5"), (1.0, "hangup")])  # as dtmf_hangup did
    pagd_uuid = re.search(r"Event-UUID: (\S+)", blocks[5]).group(1)
    done = service.completion(pagd_uuid)
    event = wire.parse_event(done)
    assert event["Answer-State"] == "hangup" and event["Hangup-Cause"] == "NORMAL_CLEARING"
    assert event["variable_collected_digits"] == "5"
    names = [wire.parse_event(f).get("Event-Name") for f in service.frames if wire.parse_event(f)]
    assert names.index("CHANNEL_HANGUP") < len(names) - 1 - names[::-1].index("CHANNEL_EXECUTE_COMPLETE")
    service.until(lambda f: f.headers.get("Content-Disposition") == "linger")
    linger = [f for f in service.frames if f.headers.get("Content-Disposition") == "linger"][0]
    assert list(linger.headers) == list(recorded_frames("outbound_disconnect_notice_linger_5.esl")[0].headers)
    assert linger.headers["Linger-Time"] == "5"
    service.send(blocks[6])
    assert service.reply().headers["Reply-Text"] == "5"           # commands work while lingering
    service.send(blocks[7])
    assert service.reply().headers["Reply-Text"] == "NORMAL_CLEARING"
    final = service.until(lambda f: f.headers.get("Content-Disposition") == "disconnect")
    assert final.body == recorded_frames("outbound_disconnect_notice_final.esl")[0].body
    assert service.until(lambda f: False, timeout=2) is None       # then the socket closes


def test_json_events_and_digit_timeout_match_the_recording(service):
    sim, channel = call(service, "callin_102", [(1.5, "7"), (0.7, "8"), (0.7, "9")])
    blocks = tx_blocks("outbound_json_digit_timeout.tx.esl")
    service.run(blocks[:5], channel.uuid)
    assert service.frames[1].headers["Reply-Text"] == "+OK Events Enabled"
    events = [f for f in service.frames[3:] if f.content_type.startswith("text/event")]
    assert events and all(f.content_type == "text/event-json" for f in events)
    pagd = [wire.parse_event(f) for f in events
            if wire.parse_event(f).get("Event-Name") == "CHANNEL_EXECUTE_COMPLETE"][-1]
    recorded = wire.parse_event(recorded_frames("outbound_pagd_execute_complete_digit_timeout.json.esl")[0])
    for name in ("variable_collected_digits", "variable_read_result", "Application", "Application-Response"):
        assert pagd[name] == recorded[name], name
    assert "variable_read_terminator_used" not in pagd
    digits = [wire.parse_event(f)["DTMF-Digit"] for f in events if wire.parse_event(f)["Event-Name"] == "DTMF"]
    assert digits == ["7", "8", "9"]
