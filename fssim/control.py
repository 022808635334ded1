"""Simulator-only controls (shared by the Python API and the `sim_*` api commands):
a caller joins, talks, stops talking, sends DTMF, hangs up; bursts of talk events."""
from fssim import bursts, loopback
from fssim.dialplan import announce_application
from fssim.voice import VoiceDriver, set_voice


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


def speak(core, uuid, wav_path):
    """TEST CONTROL: the caller says what a WAV file holds (fssim/speech.py)."""
    from fssim import speech
    channel = member_channel(core, uuid)
    _stop_far_voice(channel)
    try:
        return speech.speak(core, channel, wav_path)
    except ValueError as exc:
        raise ControlError(str(exc)) from None


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
    without the talk-detection delays; returns the running ``bursts.Burst``
    (``get(timeout)`` -> events emitted, ``join(timeout)``)."""
    member = member_channel(core, uuid).member
    if member is None or member.conference is None:
        raise ControlError(f"{uuid} is not in a conference")
    return bursts.start_burst(core, member, count, rate)
