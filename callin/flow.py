"""One call through the call-in service: answer, identify, PIN, checks, join.

The steps are plain methods on ``CallFlow`` driving an ``OutboundSession``; every
wait has a timeout. A hang-up anywhere raises ``CallerGone`` out of the step,
and ``run`` always ends in ``_cleanup`` (name recording removed, socket
closed), so nothing is left behind. A broken document or an unexpected reply
ends the call politely instead of crashing the service.
"""
import dataclasses
import logging

from callin import prompts
from kzcore.fs_commands import apps
from callin.documents import EITHER, empty_pin_allowed, pin_needed, role_for_pin
from callin.joining import Joiner, Refused
from callin.session import CallerGone, CommandFailed, SessionTimeout

log = logging.getLogger(__name__)

DIGITS_VAR = "kz_callin_digits"


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


class CallFlow:
    def __init__(self, session, directory, options=None):
        self.session = session
        self.directory = directory
        self.options = options or CallinOptions()
        self.conference = None
        self.language = None
        self._reads = 0

    # --- helpers ---------------------------------------------------------------
    def prompt(self, name):
        return prompts.prompt(name, self.language, self.options.sounds_dir)

    def play(self, media):
        self.session.execute(apps.playback(media), timeout=self.options.media_timeout)

    def say(self, name):
        self.play(self.prompt(name))

    def collect(self, prompt_name, max_digits, allow_empty=False):
        """One entry (digits, possibly ''), or None when nothing usable came."""
        opts = self.options
        self._reads += 1
        variable = f"{DIGITS_VAR}_{self._reads}"  # a fresh variable: no stale digits
        app = apps.play_and_get_digits(
            min_digits=0 if allow_empty else 1, max_digits=max_digits, tries=1,
            timeout_ms=opts.first_digit_timeout_ms, terminators="#",
            prompt=self.prompt(prompt_name), invalid_prompt="silence_stream://250",
            variable=variable, digits_regex="^\\d*$" if allow_empty else "^\\d+$",
            digit_timeout_ms=opts.digit_timeout_ms)
        wait = (opts.first_digit_timeout_ms + opts.digit_timeout_ms * max_digits) / 1000.0
        event = self.session.execute(app, timeout=wait + opts.media_timeout)
        digits = event.get(f"variable_{variable}") or ""
        if event.get("variable_read_result") not in ("success", "timeout") or not digits.isdigit():
            return "" if allow_empty and not digits else None
        return digits

    # --- steps -----------------------------------------------------------------
    def start(self):
        session, opts = self.session, self.options
        session.connect()
        session.simple("myevents")
        session.simple("event plain CUSTOM conference::maintenance")
        session.simple(f"linger {opts.linger_seconds}")
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

    def authenticate(self, role):
        """The final role, asking for a PIN when the role needs one."""
        conference = self.conference
        if not pin_needed(conference, role):
            return "member" if role == EITHER else role
        allow_empty = empty_pin_allowed(conference, role)
        for attempt in range(self.options.attempts):
            entry = self.collect("enter_pin", 16, allow_empty=allow_empty)
            granted = role_for_pin(conference, role, entry) if entry is not None else None
            if granted:
                return granted
            log.info("bad PIN", extra={"call_id": self.session.uuid, "attempt": attempt + 1,
                                       "conference_id": conference.conference_id})
            if attempt + 1 < self.options.attempts:
                self.say("bad_pin")
        raise Refused("bad PIN")

    def set_language(self):
        if self.language:
            self.session.execute(apps.set_variable("default_language",
                                                   prompts.language_code(self.language)),
                                 timeout=self.options.command_timeout)

    # --- the whole call ----------------------------------------------------------
    def run(self):
        joiner = None
        try:
            self.start()
            role = self.identify()
            self.set_language()
            role = self.authenticate(role)
            joiner = Joiner(self, role)
            joiner.run()
        except Refused as why:
            log.info("call refused", extra={"call_id": self.session.uuid, "reason": str(why)})
            self._goodbye()
        except CallerGone as why:
            log.info("caller gone", extra={"call_id": self.session.uuid, "cause": str(why)})
        except (SessionTimeout, CommandFailed, apps.UnsafeArgument) as exc:
            log.warning("call ended on error", extra={"call_id": self.session.uuid, "error": str(exc)})
        except Exception:  # noqa: BLE001 - one bad call must never take the service down
            log.exception("call-in flow crashed", extra={"call_id": self.session.uuid})
        finally:
            self._cleanup(joiner)

    def _goodbye(self):
        try:
            self.say("goodbye")
        except (CallerGone, SessionTimeout, CommandFailed):
            pass

    def _cleanup(self, joiner):
        try:
            if joiner is not None:
                joiner.cleanup()
            self.session.hangup()
        except Exception:  # noqa: BLE001 - cleanup must reach close()
            log.exception("call-in cleanup failed", extra={"call_id": self.session.uuid})
        finally:
            self.session.close()
