"""One call through the call-in service: answer, identify, PIN, checks, join.

The steps are plain methods on ``CallFlow`` driving an ``OutboundSession``; every
wait has a timeout. A hang-up anywhere raises ``CallerGone`` out of the step,
and ``run`` always ends in ``_cleanup`` (name recording removed, socket
closed), so nothing is left behind. A broken document or an unexpected reply
ends the call politely instead of crashing the service.
"""
import dataclasses
import logging

from callin import bridge, guard, prompts, refusals, wire
from kzcore.fs_commands import apps
from callin.joining import Joiner
from callin.outcomes import PeerRefused, PromptFailed, Refused
from callin.pins import PinGate
from callin.session import CallerGone, CommandFailed, SessionTimeout
from callin.stats import CallinStats
from callin.throttle import PinThrottle

log = logging.getLogger(__name__)

DIGITS_VAR = "kz_callin_digits"
# playback's Application-Response when the file did not play (mod_dptools playback_function)
PLAYBACK_FAILED = frozenset({"FILE NOT FOUND", "PLAYBACK ERROR"})


@dataclasses.dataclass
class CallinOptions:
    sounds_dir: str = prompts.DEFAULT_SOUNDS_DIR
    names_dir: str = "var/recordings/callin-names"
    profile_name: str = "default"
    attempts: int = 3
    first_digit_timeout_ms: int = 5000
    digit_timeout_ms: int = 3000
    name_seconds: int = 3
    command_timeout: float = 5.0
    media_timeout: float = 120.0
    join_timeout: float = 10.0
    max_call_seconds: float = 12 * 3600.0
    linger_seconds: int = 10
    secret: str = ""                # KZ_CALLIN_SECRET (callin.guard)
    header_timeout: float = 5.0     # the connect reply, and any frame once started
    frame_limits: wire.FrameLimits = wire.DEFAULT_LIMITS

    def session_limits(self):
        return dataclasses.replace(self.frame_limits, frame_seconds=self.header_timeout)


class CallFlow:
    def __init__(self, session, directory, options=None, throttle=None, stats=None, focus=None):
        """``focus``: a callin.focus.FocusRouter with several nodes (None: join here)."""
        self.session = session
        self.directory = directory
        self.options = options or CallinOptions()
        self.stats = stats or CallinStats()
        self.focus = focus
        self.pins = PinGate(self, throttle or PinThrottle(), self.stats)
        self.conference = None
        self.language = None
        self.hangup_cause = "NORMAL_CLEARING"
        self._reads = 0

    # --- helpers ---------------------------------------------------------------
    def prompt(self, name):
        return prompts.prompt(name, self.language, self.options.sounds_dir)

    def play(self, media):
        event = self.session.execute(apps.playback(media), timeout=self.options.media_timeout)
        response = event.get("Application-Response")
        if response in PLAYBACK_FAILED:
            raise PromptFailed(media, response)

    def say(self, name):
        self.play(self.prompt(name))

    def collect(self, prompt_name, max_digits, allow_empty=False):
        """One entry (digits, possibly ''), or None when nothing usable came.

        FreeSWITCH's read (switch_ivr_read) clears ``read_result`` first and sets it
        only once the prompt has played: a completion without it means the prompt
        itself failed, which is no entry at all (PromptFailed), never a wrong one."""
        opts = self.options
        self._reads += 1
        variable = f"{DIGITS_VAR}_{self._reads}"  # a fresh variable: no stale digits
        prompt = self.prompt(prompt_name)
        app = apps.play_and_get_digits(
            min_digits=0 if allow_empty else 1, max_digits=max_digits, tries=1,
            timeout_ms=opts.first_digit_timeout_ms, terminators="#",
            prompt=prompt, invalid_prompt="silence_stream://250",
            variable=variable, digits_regex="^\\d*$" if allow_empty else "^\\d+$",
            digit_timeout_ms=opts.digit_timeout_ms)
        wait = (opts.first_digit_timeout_ms + opts.digit_timeout_ms * max_digits) / 1000.0
        event = self.session.execute(app, timeout=wait + opts.media_timeout)
        result = event.get("variable_read_result")
        if not result:
            raise PromptFailed(prompt, event.get("Application-Response") or "no read_result")
        digits = event.get(f"variable_{variable}") or ""
        if result not in ("success", "timeout") or not digits.isdigit():
            return "" if allow_empty and not digits else None
        return digits

    # --- steps -----------------------------------------------------------------
    def start(self):
        session, opts = self.session, self.options
        session.connect(timeout=opts.header_timeout)
        if not guard.secret_matches(session.channel, opts.secret):
            raise PeerRefused("missing or wrong callin_secret")
        session.simple("myevents")
        session.simple("event plain CUSTOM conference::maintenance")
        session.simple(f"linger {opts.linger_seconds}")
        if opts.secret:   # checked: no later event of this channel (CHANNEL_ANSWER...) carries it
            session.execute(apps.set_variable(guard.SECRET_VARIABLE, ""),
                            timeout=opts.command_timeout)
        session.execute(apps.answer(), timeout=opts.command_timeout * 2)

    def dialled_number(self):
        channel = self.session.channel
        return (channel.get("variable_kz_callin_number")
                or channel.get("Caller-Destination-Number")
                or channel.get("Channel-Destination-Number") or "")

    def identify(self):
        """(Conference, role) from the dialled number or the caller's entry."""
        found = self.directory.find(self.dialled_number())
        if found:
            self.conference, role = found
            self.language = self.conference.language
            if self.conference.play_welcome:
                self.say("welcome")
            return role
        self.say("welcome")
        for attempt in range(self.options.attempts):
            entry = self.collect("enter_conference_number", 16)
            found = self.directory.find(entry) if entry else None
            if found:
                self.conference, role = found
                self.language = self.conference.language
                return role
            if attempt + 1 < self.options.attempts:
                self.say("bad_conference_number")
        raise Refused("no conference number")

    def set_language(self):
        if self.language:
            self.session.execute(apps.set_variable("default_language",
                                                   prompts.language_code(self.language)),
                                 timeout=self.options.command_timeout)

    def who_joins(self):
        """The role of the caller who joins here; None when the call was bridged to
        the focus node (callin.bridge). A bridged leg arriving with a token this
        service signed is not asked anything again."""
        arrived = bridge.arrival(self, self.focus) if self.focus is not None else None
        if arrived is not None:
            self.conference, role = arrived
            self.language = self.conference.language
            self.set_language()
            return role
        role = self.identify()
        self.set_language()
        role = self.pins.authenticate(role)
        if self.focus is not None and bridge.hand_over(self, self.focus, role):
            return None
        return role

    # --- the whole call ----------------------------------------------------------
    def run(self):
        joiner = None
        call_id = self.session.uuid
        try:
            self.start()
            call_id = self.session.uuid
            role = self.who_joins()
            if role is None:
                return          # bridged to the conference's focus node: the call is over
            joiner = Joiner(self, role)
            joiner.run()
        except PeerRefused as why:
            self.hangup_cause = None      # not FreeSWITCH: say nothing more
            log.warning("call-in peer refused", extra={
                "call_id": call_id, "reason": str(why), "peer": self.session.peer,
                "refused_secret": self.stats.count("refused_secret")})
        except PromptFailed as failure:
            self.hangup_cause = PromptFailed.CAUSE
            log.error("call-in prompt failed to play", extra={
                "call_id": call_id, "file": failure.media, "response": failure.response,
                "cause": PromptFailed.CAUSE, "prompt_failures": self.stats.count("prompt_failures")})
        except Refused as why:
            self.hangup_cause = why.cause
            log.info("call refused", extra={"call_id": call_id, "reason": str(why),
                                            "cause": why.cause})
            refusals.record(self.directory.store, self.conference, self.session, str(why))
            self._goodbye()
        except CallerGone as why:
            log.info("caller gone", extra={"call_id": call_id, "cause": str(why)})
        except (SessionTimeout, CommandFailed, apps.UnsafeArgument) as exc:
            log.warning("call ended on error", extra={"call_id": call_id, "error": str(exc)})
        except Exception:  # noqa: BLE001 - one bad call must never take the service down
            log.exception("call-in flow crashed", extra={"call_id": call_id})
        finally:
            self._cleanup(joiner)

    def _goodbye(self):
        try:
            self.say("goodbye")
        except (CallerGone, SessionTimeout, CommandFailed, PromptFailed):
            pass

    def _cleanup(self, joiner):
        try:
            if joiner is not None:
                joiner.cleanup()
            if self.hangup_cause:
                self.session.hangup(self.hangup_cause)
        except Exception:  # noqa: BLE001 - cleanup must reach close()
            log.exception("call-in cleanup failed", extra={"call_id": self.session.uuid})
        finally:
            self.session.close()
