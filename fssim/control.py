"""Simulator-only controls (shared by the Python API and the `sim_*` api commands):
a caller joins, talks, stops talking, sends DTMF, hangs up; bursts of talk events."""
import math
import time

import gevent

from fssim import loopback
from fssim import conference_events as ce
from fssim.dialplan import announce_application
from fssim.events import CONFERENCE_SUBCLASS
from fssim.voice import VoiceDriver, set_voice


BURST_TICK = 0.001   # seconds: talk bursts emit on these ticks


class ControlError(Exception):
    pass


def join(core, conference_name, caller_id_number, caller_id_name, moderator=False,
         flags=(), variables=None, profile="default", far="silent"):
    """A caller dials in through a loopback call (as the recordings did) and joins.
    Returns the Member; the lock applies as for any dialplan caller (None if refused)."""
    flags = list(flags) + (["moderator"] if moderator and "moderator" not in flags else [])
    extension = ("confmod_" if moderator else "conf_") + conference_name
    pairs = [("origination_caller_id_number", caller_id_number),
             ("origination_caller_id_name", caller_id_name)]
    pairs += [(k, str(v)) for k, v in (variables or {}).items()]
    a_leg, b_leg = loopback.make_pair(core, extension, "default", pairs, caller_id_name,
                                      caller_id_number)
    loopback.bring_up(core, a_leg, b_leg, [extension, conference_name])
    suffix = "+flags{%s}" % "|".join(flags) if flags else ""
    b_leg.set_variable("current_application_data", f"{conference_name}@{profile}{suffix}")
    b_leg.set_variable("current_application", "conference")
    announce_application(b_leg, "conference", f"{conference_name}@{profile}{suffix}")
    loopback.transfer_to_extension(a_leg, far, b_leg.profile, core.dialplan.dp_match(far))
    core.dialplan.route(a_leg, far)
    member = core.conferences.join(b_leg, conference_name, profile, flags)
    if member is None:
        b_leg.hangup("NORMAL_CLEARING")
    return member


def member_channel(core, uuid):
    channel = core.channel(uuid)
    if channel is None:
        member = _member_by_id(core, uuid)
        channel = member.channel if member else None
    if channel is None:
        raise ControlError(f"no such channel {uuid}")
    return channel


def _member_by_id(core, text):
    if not str(text).isdigit():
        return None
    for conference in core.conferences.all():
        member = conference.find(int(text))
        if member:
            return member
    return None


def talk(core, uuid, seconds=None):
    """The caller speaks (until stop_talking, or for `seconds`)."""
    channel = member_channel(core, uuid)
    _stop_far_voice(channel)
    set_voice(channel, True)
    if seconds:
        core.clock.later(seconds, set_voice, channel, False)


def stop_talking(core, uuid):
    channel = member_channel(core, uuid)
    _stop_far_voice(channel)
    set_voice(channel, False)


def _stop_far_voice(channel):
    driver = getattr(channel, "far_voice", None)
    if driver is not None:
        driver.stop()
        channel.far_voice = None


def play_voice(core, uuid, path):
    """The caller's far end plays a tone pattern (e.g. tone_stream://%(400,600,440);loops=-1)."""
    channel = member_channel(core, uuid)
    _stop_far_voice(channel)
    channel.far_voice = VoiceDriver(channel, path).start()


def dtmf(core, uuid, digits):
    member_channel(core, uuid).queue_dtmf(digits)


def hangup(core, uuid, cause="NORMAL_CLEARING"):
    channel = member_channel(core, uuid)
    partner = channel.partner
    channel.hangup(cause)
    if partner is not None:
        partner.hangup(cause)


def talk_burst(core, uuid, count, rate):
    """Emit `count` member events (start/stop-talking alternating) at `rate` per second,
    without the talk-detection delays; returns the greenlet doing it."""
    member = member_channel(core, uuid).member
    if member is None or member.conference is None:
        raise ControlError(f"{uuid} is not in a conference")
    return gevent.spawn(_burst, core, member, int(count), float(rate))


def _burst(core, member, count, rate):
    """The member's headers are built once per variant (a tuple, so that their
    encoding is cached); only the common block (date, sequence) is new per event.

    Each event is due at ``start + index / rate``; the emitter sleeps until the
    next millisecond tick at or after it (never early), so that bursts of several
    members wake together and their events leave in one write, as FreeSWITCH's
    media threads emit at frame boundaries. Yields at least every 64 events."""
    conference = member.conference
    variants = {}
    for talking in (True, False):
        member.talking = talking
        action = "start-talking" if talking else "stop-talking"
        variants[talking] = (ce.CALLING[action],
                             tuple(ce.member_action(conference, member, action)))
    interval = 1.0 / rate if rate > 0 else 0.0
    start = time.monotonic()
    for index in range(count):
        if member.conference is not conference:
            return index
        member.talking = not member.talking
        calling, headers = variants[member.talking]
        core.emit(core.events.custom(CONFERENCE_SUBCLASS, calling, headers))
        due = start + (index + 1) * interval
        delay = math.ceil(due / BURST_TICK) * BURST_TICK - time.monotonic()
        if delay > 0:
            gevent.sleep(delay)
        elif index % 64 == 63:
            gevent.sleep(0)
    return count
