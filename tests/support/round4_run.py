"""Runs round 4's steps against a simulator (see tests/support/round4.py): the README's
set-up between steps, each step's command on a fresh connection, timed as recorded,
and the recorder's event connection cut into one window per step (and per set-up).

Set-up is done as the recording did it, with `bgapi originate {...}loopback/conf_<room>
/default <far-leg> XML default`. Its events fall in a "setup" window, which the
recorder did not keep (the comparison ignores them, except media-clock file-done
events that may end in the next step, as the recorded first step shows).
"""
import dataclasses
import json
import re
import time

import gevent

from tests.support.round4 import EventLog, api_on_fresh_connection

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def originate(number, room, far="silent", flags=None, name=True):
    variables = [f"origination_caller_id_number={number}"]
    if name:
        variables.append(f"origination_caller_id_name=Caller{number}")
    if flags:
        variables.append(f"conference_member_flags={flags}")
    return f"bgapi originate {{{','.join(variables)}}}loopback/conf_{room}/default {far} XML default"


@dataclasses.dataclass(frozen=True)
class Setup:
    """Calls placed before a step (``inside``: within its window, as recorded for
    dial_quoting's first step); ``window``: the name of a recorded events file the
    set-up's own events are compared with."""
    commands: tuple
    settle: float = 0.5
    inside: bool = False
    window: str = None


SETUPS = {
    "play_http_bare": Setup((originate(4001, "r4room", "talk"),
                             originate(4002, "r4room", "talk_steady"),
                             originate(4003, "r4room"),
                             originate(4004, "r4room", flags="moderator")), settle=1.0),
    "join_after_enter_sound_off_listing": Setup((originate(4005, "r4room"),)),
    "list_after_join_beyond_max": Setup((originate(4006, "r4room"),)),
    "json_list_with_ghost": Setup((originate(4007, "r4room", flags="ghost"),), settle=1.0),
    "list_after_join_only_missing": Setup(
        (originate(4008, "r4nosuch", flags="join-only", name=False),),
        window="join_only_into_missing_room"),
    "transfer_to_other_room": Setup((originate(4101, "r4other"),), settle=0.3),
    "bgdial_quoted_name": Setup((originate(4301, "qroom"),), settle=0.3, inside=True),
}


@dataclasses.dataclass
class Window:
    label: str      # the step's name, or "setup:<step>", or a recorded file name
    kind: str       # "step" | "setup" | "extra"
    index: int      # the step's position (a set-up counts as its step's)
    start: float    # the simulator's clock (epoch seconds) when it opened


@dataclasses.dataclass
class Run:
    replies: dict = dataclasses.field(default_factory=dict)   # step name -> Frame
    sent: dict = dataclasses.field(default_factory=dict)      # step name -> command sent
    windows: list = dataclasses.field(default_factory=list)
    events: list = dataclasses.field(default_factory=list)    # (read at, Frame)

    def events_by_window(self):
        """{label: [Frame]}: each event goes to the window open when the switch made it
        (its Event-Date-Timestamp, the simulator's clock), however late it was read;
        events before the first window are dropped."""
        out = {w.label: [] for w in self.windows}
        starts = [w.start for w in self.windows]
        for _, frame in self.events:
            made = int(json.loads(frame.body)["Event-Date-Timestamp"]) / 1e6
            position = sum(1 for start in starts if start <= made) - 1
            if position >= 0:
                out[self.windows[position].label].append(frame)
        return out


class Runner:
    def __init__(self, sim, scale, rewrite=lambda text: text):
        self.sim, self.scale, self.rewrite = sim, scale, rewrite
        self.uuids = {}  # recorded uuid -> the simulator's
        self.run = Run()

    def play(self, steps, times, tail=1.0):
        log = EventLog(self.sim)
        gevent.sleep(0.1)
        previous = None
        for index, (step, at) in enumerate(zip(steps, times)):
            if previous is not None:
                self._wait_until(previous[0] + (at - previous[1]) * self.scale)
            self._setup(step, index)
            self._open(step.name, "step", index)
            previous = (time.monotonic(), at)
            self._send(step)
        gevent.sleep(tail * self.scale)
        log.close()
        self.run.events = log.events
        return self.run

    def _setup(self, step, index):
        setup = SETUPS.get(step.name)
        if setup is None:
            return
        if setup.window:
            self._open(setup.window, "extra", index)
        elif not setup.inside:
            self._open(f"setup:{step.name}", "setup", index)
        else:
            self._open(step.name, "step", index)
        for command in setup.commands:
            api_on_fresh_connection(self.sim, command)
            gevent.sleep(0.04 * self.scale)
        gevent.sleep(setup.settle * self.scale)

    def _open(self, label, kind, index):
        if self.run.windows and self.run.windows[-1].label == label:
            return
        self.run.windows.append(Window(label, kind, index, self.sim.core.clock.now()))

    def _send(self, step):
        command = UUID.sub(lambda m: self.uuids.get(m.group(0), m.group(0)), step.command)
        command = self.rewrite(command)
        reply = api_on_fresh_connection(self.sim, command)
        self.run.replies[step.name], self.run.sent[step.name] = reply, command
        recorded = UUID.findall(step.reply().text())
        got = UUID.findall(reply.text())
        if len(recorded) == len(got):
            self.uuids.update(zip(recorded, got))

    @staticmethod
    def _wait_until(moment):
        delay = moment - time.monotonic()
        if delay > 0:
            gevent.sleep(delay)
