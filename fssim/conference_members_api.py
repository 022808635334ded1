"""Member-target `conference <room> <command> <member_id|all|last|non_moderator> [data]`
handlers (conference_api.c), with mod_conference's reply texts: some +OK, some bare
("Energy 65 = 300"), some usage text. Selection is fssim/conference_dispatch.py's.

Not shown by any fixture (from conference_api.c): `up`/`down` levels and their
bounds, `dtmf` without digits ("-ERR Invalid input!"), `kick <id> <sound>`, `hold`
without a file, `floor` given to a member while nobody holds it.

kick and hup only mark the member in the api thread (kick-member / hup-member for
every selected member first, as recorded in round4 kick_all and hup_all_other); the
members leave afterwards (``ctx.after``).
"""
import gevent

from fssim.conference_dispatch import MEMBER, Command, atoi
from fssim.dtmf import send_dtmf


def _quiet(data):
    return bool(data) and "quiet" in data


def mute(ctx, member, data):
    ctx.conf.mute(member, quiet=_quiet(data))
    return f"+OK mute {member.id}\n"


def unmute(ctx, member, data):
    ctx.conf.unmute(member, quiet=_quiet(data))
    return f"+OK unmute {member.id}\n"


def tmute(ctx, member, data):
    return mute(ctx, member, data) if member.can_speak else unmute(ctx, member, data)


def deaf(ctx, member, data):
    ctx.conf.deaf(member)
    return f"+OK deaf {member.id}\n"


def undeaf(ctx, member, data):
    ctx.conf.undeaf(member)
    return f"+OK undeaf {member.id}\n"


def kick(ctx, member, data):
    """The member hears the kicked sound (or `data`, a sound file) after leaving,
    then the call ends."""
    conf = ctx.conf
    conf.emit_member(member, "kick-member")
    sound = data or conf.profile.kicked_sound

    def leave():
        channel = member.channel
        conf.remove_member(member)
        gevent.spawn(_play_then_hangup, channel, sound)
    ctx.after.append(leave)
    return f"+OK kicked {member.id}\n"


def _play_then_hangup(channel, sound):
    if sound:
        channel.playback(sound)
    channel.hangup("NORMAL_CLEARING")


def hup(ctx, member, data):
    """Hung up without the kicked sound."""
    conf = ctx.conf
    conf.emit_member(member, "hup-member")

    def leave():
        channel = member.channel
        conf.remove_member(member)
        channel.hangup("NORMAL_CLEARING")
    ctx.after.append(leave)
    return f"+OK hup {member.id}\n"


def hold(ctx, member, data):
    """On hold: not heard, hears `data` (e.g. local_stream://moh) until unhold."""
    conf = ctx.conf
    member.hold = True
    member.talking = False
    if data:
        opened = ctx.core.files.open(data)
        if opened is not None:
            conf.playback.play_member(member, data, announce=False, opened=opened)
    conf.emit_member(member, "hold-member")
    return f"+OK hold {member.id}\n"


def unhold(ctx, member, data):
    conf = ctx.conf
    member.hold = False
    conf.emit_member(member, "unhold-member")
    conf.playback.stop("all", member)
    if member.voice_on:
        conf.voice_changed(member)
    return f"+OK unhold {member.id}\n"


def _level(attr, event, label, low, high, step=1, clamp_numbers=True):
    """energy / volume_in / volume_out: `up`, `down` or a number (atoi); the event only
    when the level was given. Volumes are kept within -4..4; energy only when stepped."""
    def handler(ctx, member, data):
        if data is not None:
            value = getattr(member, attr)
            stepped = data.lower() in ("up", "down")
            value = value + (step if data.lower() == "up" else -step) if stepped \
                else atoi(data)
            if stepped or clamp_numbers:
                value = max(low, min(high, value))
            setattr(member, attr, value)
            extras = [("Energy-Level", str(value))] if attr == "energy_level" else \
                [("Volume-Level", str(value))]
            ctx.conf.emit_member(member, event, extras)
        return label % (member.id, getattr(member, attr))
    return handler


def dtmf(ctx, member, data):
    if not data:
        return "-ERR Invalid input!\n"
    send_dtmf(ctx.conf, member, data)
    return f"+OK sent {data} to {member.id}\n"


def floor(ctx, member, data):
    conf = ctx.conf
    holder = conf.floor_holder
    if holder is member:
        conf.set_floor(None)
        return "+OK floor none\n"
    if holder is None:
        conf.set_floor(member)
        return f"+OK floor {member.id}\n"
    return f"-ERR floor is held by {holder.id}\n"


def get_uuid(ctx, member, data):
    return member.uuid


def _selector(verb):
    return f"<[member_id|all]|last|non_moderator> [<{verb}>]"


ENERGY = _level("energy_level", "energy-level-member", "Energy %u = %d\n", 0, 1800, 200,
                clamp_numbers=False)
MEMBER_COMMANDS = {
    "mute": Command(MEMBER, mute, _selector("quiet")),
    "tmute": Command(MEMBER, tmute, _selector("quiet")),
    "unmute": Command(MEMBER, unmute, _selector("quiet")),
    "deaf": Command(MEMBER, deaf, "<[member_id|all]|last|non_moderator>"),
    "undeaf": Command(MEMBER, undeaf, "<[member_id|all]|last|non_moderator>"),
    "kick": Command(MEMBER, kick,
                    "<[member_id|all|last|non_moderator]> [<optional sound file>]"),
    "hup": Command(MEMBER, hup, "<[member_id|all|last|non_moderator]>"),
    "hold": Command(MEMBER, hold, "<[member_id|all]|last|non_moderator> [file]"),
    "unhold": Command(MEMBER, unhold, "<[member_id|all]|last|non_moderator>"),
    "energy": Command(MEMBER, ENERGY, "<member_id|all|last|non_moderator> [<newval>]"),
    "volume_in": Command(MEMBER, _level("volume_in", "volume-in-member",
                                        "+OK Volume IN %u = %d\n", -4, 4),
                         "<member_id|all|last|non_moderator> [<newval>]"),
    "volume_out": Command(MEMBER, _level("volume_out", "volume-out-member",
                                         "+OK Volume OUT %u = %d\n", -4, 4),
                          "<member_id|all|last|non_moderator> [<newval>]"),
    "dtmf": Command(MEMBER, dtmf, "<[member_id|all|last|non_moderator]> <digits>"),
    "floor": Command(MEMBER, floor, "<member_id|last>"),
    "get-uuid": Command(MEMBER, get_uuid, "<member_id|last>"),
}
