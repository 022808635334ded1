"""Simulated channels: caller profile, variables, state, the CHANNEL_* events, and the
channel API the call-in simulator (fssim/outbound.py) and the dialplan handlers use.

A handler gets a :class:`Channel` and drives it: ``answer()``, ``playback(path)``,
``queue_dtmf(digits)`` / ``read_dtmf()``, ``join_conference(name)``, ``execute(app, arg)``,
``hangup(cause)``; ``on_hangup(callback)`` tells when the call ends.
"""
import dataclasses
import logging
import uuid as uuidlib

import gevent
from gevent.event import Event as Flag
from gevent.queue import Queue

from fssim import channel_playback
from fssim.channel_headers import STATE_NUMBERS, cdr_variables, channel_block

log = logging.getLogger(__name__)

CREATE_CALL = ("switch_core_state_machine.c", "switch_core_session_run", 626)
ANSWER_CALL = ("switch_channel.c", "switch_channel_perform_mark_answered", 3848)
HANGUP_CALL = ("switch_channel.c", "switch_channel_perform_hangup", 3447)
REPORT_CALL = ("switch_core_state_machine.c", "switch_core_session_reporting_state", 943)
EXECUTE_CALL = ("switch_core_session.c", "switch_core_session_exec", 2949)
COMPLETE_CALL = ("switch_core_session.c", "switch_core_session_exec", 2972)
DTMF_CALL = ("switch_channel.c", "switch_channel_dequeue_dtmf", 678)


@dataclasses.dataclass
class CallerProfile:
    cid_name: str
    cid_number: str
    destination_number: str
    orig_cid_name: str = None
    orig_cid_number: str = None
    callee_name: str = "Outbound Call"
    callee_number: str = "default"
    ani: str = None
    dialplan: str = "xml"
    source: str = "mod_loopback"
    context: str = "default"
    index: int = 1
    created: float = 0.0
    transfer_source: str = None
    rdnis: str = None
    logical_direction: str = None  # when it differs from the channel's direction
    network_addr: str = None       # SIP legs: the far end's address

    def __post_init__(self):
        self.orig_cid_name = self.orig_cid_name or self.cid_name
        self.orig_cid_number = self.orig_cid_number or self.cid_number
        self.ani = self.ani or self.cid_number


class Channel:
    def __init__(self, core, name, direction, profile, variables=(), rate=8000, uuid=None):
        self.core = core
        self.uuid = uuid or str(uuidlib.uuid4())
        self.name = name
        self.direction = direction
        self.profile = profile
        self.rate = rate
        self.state, self.call_state, self.answer_state = "CS_INIT", "DOWN", "ringing"
        self.hit_dialplan = direction == "inbound"
        self.presence_id = None
        self.hangup_cause = None
        self.created = core.clock.now()
        profile.created = profile.created or self.created
        self.answered = self.progress = self.hungup = 0
        self.last_app = self.last_arg = None
        self.variables = {}
        for key, value in variables:
            self.set_variable(key, value)
        self.write_codec = ("L16", rate, rate * 16)  # SIP legs: ("PCMU", 8000, 64000)
        self.member = None
        self.hanging_up = False
        self.running_app = None  # greenlet of the application running (execute)
        self.before_report = []  # hooks(channel) run just before CHANNEL_HANGUP_COMPLETE
        self.playing = None  # (path, started) of the file playing (channel_playback)
        self.cut_playback = False
        self.digits_dialed = ""
        self.state_number_hint = None
        self.partner = None  # the other leg of a loopback pair
        self._dtmf = Queue()
        self._hangup_callbacks = []
        self.done = Flag()

    # -- state -----------------------------------------------------------------------
    @property
    def is_up(self):
        return not self.hanging_up

    def set_variable(self, name, value):
        """FreeSWITCH re-adds a variable that is set again, so it moves to the end."""
        self.variables.pop(name, None)
        if value is not None:
            self.variables[name] = value

    def get_variable(self, name, default=None):
        return self.variables.get(name, default)

    def headers(self, with_variables=True):
        return channel_block(self, with_variables=with_variables)

    def fire(self, name, calling, extra_before=(), extra_after=(), with_variables=True):
        event = self.core.events.make(
            name, calling, list(extra_before) + self.headers(with_variables) + list(extra_after))
        self.core.emit(event)
        return event

    def set_state(self, state, call_state=None):
        self.state = state
        if call_state:
            self.call_state = call_state

    # -- channel API -----------------------------------------------------------------
    def announce(self):
        """CHANNEL_CREATE, as the channel enters CS_INIT."""
        self.fire("CHANNEL_CREATE", CREATE_CALL)

    def answer(self):
        if self.answered or not self.is_up:
            return
        self.answered = self.core.clock.now()
        self.answer_state = "answered"
        self.fire("CHANNEL_ANSWER", ANSWER_CALL)
        self.call_state = "ACTIVE"

    def hangup(self, cause="NORMAL_CLEARING"):
        """CHANNEL_HANGUP, the member leaves its conference, the running application
        completes, then CHANNEL_HANGUP_COMPLETE (the recorded order)."""
        if not self.is_up:
            return
        self.hanging_up = True
        self.hangup_cause = cause
        self.answer_state = "hangup"
        self.state_number_hint = STATE_NUMBERS["CS_HANGUP"]
        self.fire("CHANNEL_HANGUP", HANGUP_CALL)
        if self.member is not None and self.member.conference is not None:
            self.member.conference.remove_member(self.member, hangup=True)
        self.done.set()
        self._let_application_finish()
        self.cut_playback = bool(self.playing)
        channel_playback.stop(self)
        for hook in list(self.before_report):
            hook(self)
        self._report(cause)
        for callback in list(self._hangup_callbacks):
            gevent.spawn(callback, self)
        if self.partner is not None and self.partner.is_up:
            self.core.clock.later(0.02, self.partner.hangup, cause)

    def _let_application_finish(self):
        """An application blocked on this call ends now; its EXECUTE_COMPLETE comes
        before CHANNEL_HANGUP_COMPLETE."""
        for _ in range(100):
            if not self.running_app or self.running_app is gevent.getcurrent():
                return
            gevent.sleep(0)

    def _report(self, cause):
        self.hungup = self.core.clock.now()
        self.state_number_hint = None
        self.set_state("CS_REPORTING", "HANGUP")
        if self.cut_playback:
            self.set_variable("current_application_response", "PLAYBACK ERROR")
        for key, value in cdr_variables(self):
            self.set_variable(key, value)
        if self.profile.source == "mod_loopback":
            self.set_variable("is_loopback", "1")
        self.fire("CHANNEL_HANGUP_COMPLETE", REPORT_CALL, extra_before=[("Hangup-Cause", cause)])
        self.core.channel_gone(self)

    def on_hangup(self, callback):
        """callback(channel) after the channel hung up (at once if it already has)."""
        if not self.is_up:
            gevent.spawn(callback, self)
        else:
            self._hangup_callbacks.append(callback)

    def playback(self, path, seconds=None):
        """Play a file to the caller (PLAYBACK_START/STOP); returns after its
        simulated duration."""
        return channel_playback.play(self, path, seconds)

    def queue_dtmf(self, digits):
        """Digits the caller presses, queued for whatever reads DTMF next; in a
        conference the member loop takes them at once (DTMF event per digit)."""
        if self.member is not None and self.member.conference is not None:
            for digit in digits:
                self.dtmf_event(digit)
            self.member.conference.member_dtmf(self.member, digits)
            return
        for digit in digits:
            self._dtmf.put(digit)

    def dtmf_event(self, digit):
        """The DTMF event of one digit this channel reads (kept in digits_dialed, as
        the CDR variable shows: round4 hup_member)."""
        self.digits_dialed += digit
        self.fire("DTMF", DTMF_CALL, with_variables=False,
                  extra_after=[("DTMF-Digit", digit), ("DTMF-Duration", "2000"),
                               ("DTMF-Source", "UNKNOWN")])

    def read_dtmf(self, timeout):
        """One digit (and its DTMF event, fired as the digit is taken), or None after
        `timeout` simulated seconds or when the call hangs up."""
        waiter = gevent.spawn(self._dtmf.get)
        finished = gevent.wait([waiter, self.done], count=1,
                               timeout=max(0.0, timeout) * self.core.clock.time_scale)
        if waiter not in finished or not waiter.successful():
            waiter.kill(block=False)
            return None
        digit = waiter.value
        self.dtmf_event(digit)
        return digit

    def join_conference(self, conference_name, profile="default", flags=()):
        """Run the conference application: returns the Member (None when refused)."""
        return self.core.conferences.join(self, conference_name, profile, flags)

    def execute(self, app, arg="", event_uuid=None):
        """Run a dialplan application with CHANNEL_EXECUTE / _COMPLETE events."""
        return self.core.applications.execute(self, app, arg, event_uuid)

    def state_number(self):
        return STATE_NUMBERS.get(self.state, 0)
