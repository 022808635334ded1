"""The PIN step of a call: up to ``attempts`` entries, each admitted by the
shared ``PinThrottle`` (callin.throttle) before it is checked.

Nothing about the conference reaches the caller (or the socket) before a right
PIN: the prompts are the same stock files for every conference, and the room
name (``<account_id>_<conference_id>``) is only used once the caller is in.
An entry with no digits at all (timeout) is not a guess and is not counted.
"""
import logging

from callin.documents import EITHER, MEMBER, empty_pin_allowed, pin_needed, role_for_pin
from callin.outcomes import Refused

log = logging.getLogger(__name__)

CALLER_KEY_LENGTH = 64


def throttle_keys(conference, channel):
    """The conference, and the caller's number (as the switch gives it)."""
    number = (channel.get("Caller-Caller-ID-Number") or channel.get("Channel-Caller-ID-Number")
              or "").strip()[:CALLER_KEY_LENGTH]
    return (f"conference:{conference.account_id}/{conference.conference_id}",
            f"caller:{number or 'unknown'}")


class PinGate:
    def __init__(self, flow, throttle, stats):
        self.flow = flow
        self.session = flow.session
        self.throttle = throttle
        self.stats = stats

    def authenticate(self, role):
        """The final role, asking for a PIN when the role needs one."""
        conference = self.flow.conference
        if not pin_needed(conference, role):
            return MEMBER if role == EITHER else role
        allow_empty = empty_pin_allowed(conference, role)
        attempts = self.flow.options.attempts
        for attempt in range(attempts):
            entry = self.flow.collect("enter_pin", 16, allow_empty=allow_empty)
            granted = self.check(role, entry) if entry is not None else None
            if granted:
                return granted
            log.info("bad PIN", extra={"call_id": self.session.uuid, "attempt": attempt + 1,
                                       "conference_id": conference.conference_id})
            if attempt + 1 < attempts:
                self.flow.say("bad_pin")
        raise Refused("bad PIN")

    def check(self, role, entry):
        """The role ``entry`` grants, after the throttle's wait; Refused when throttled."""
        conference = self.flow.conference
        keys = throttle_keys(conference, self.session.channel)
        ticket = self.throttle.admit(keys)
        if ticket is None:
            total = self.stats.count("pin_throttled")
            log.warning("PIN entry throttled", extra={
                "call_id": self.session.uuid, "conference_id": conference.conference_id,
                "account_id": conference.account_id, "caller": keys[1], "pin_throttled": total})
            raise Refused("too many wrong PINs", cause="CALL_REJECTED")
        if ticket.wait > 0:
            self.session.idle(ticket.wait)
        granted = role_for_pin(conference, role, entry)
        if granted:
            self.throttle.right(ticket)
        else:
            self.stats.count("wrong_pins")
        return granted
