"""Member-level `conference <name> <command> <member_id|all|last|non_moderator> ...`
handlers with mod_conference's reply texts (some +OK, some bare, some usage text)."""
import gevent

from fssim.argsplit import separate_string
from fssim.relate import cmd_relate



def non_existant(word):
    return f"-ERR Non-Existant ID {word}\n"


def select(conf, word):
    """Members a selector names (newest first for all / non_moderator)."""
    if word == "all":
        return conf.newest_first()
    if word == "last":
        return conf.newest_first()[:1]
    if word == "non_moderator":
        return [m for m in conf.newest_first() if not m.moderator]
    if word.isdigit():
        member = conf.find(int(word))
        return [member] if member else []
    return []


def per_member(action):
    """Wrap `action(core, conf, member) -> str` as a handler over a member selector."""
    def handler(core, conf, rest):
        words = separate_string(rest)
        if not words:
            return "-ERR no reply\n"
        members = select(conf, words[0])
        if not members:
            return "" if words[0] in ("all", "last", "non_moderator") else \
                non_existant(words[0])
        return "".join(action(core, conf, member, words[1:]) for member in members)
    return handler


def _mute(core, conf, member, args):
    conf.mute(member)
    return f"+OK mute {member.id}\n"


def _unmute(core, conf, member, args):
    conf.unmute(member)
    return f"+OK unmute {member.id}\n"


def _deaf(core, conf, member, args):
    conf.deaf(member)
    return f"+OK deaf {member.id}\n"


def _undeaf(core, conf, member, args):
    conf.undeaf(member)
    return f"+OK undeaf {member.id}\n"


def _kick(core, conf, member, args):
    channel = member.channel
    conf.remove_member(member, reason="kick-member")
    gevent.spawn(_play_then_hangup, channel, conf.profile.kicked_sound)
    return f"+OK kicked {member.id}\n"


def _play_then_hangup(channel, sound):
    """A kicked member hears the kicked-sound, then the call ends."""
    channel.playback(sound)
    channel.hangup("NORMAL_CLEARING")


def _hup(core, conf, member, args):
    channel = member.channel
    conf.remove_member(member, reason="hup-member")
    channel.hangup("NORMAL_CLEARING")
    return f"+OK hup {member.id}\n"


def _hold(core, conf, member, args):
    member.hold = True
    member.talking = False
    conf.emit_member(member, "hold-member")
    if args:
        conf.playback.play_member(member, args[0], announce=False)
    return f"+OK hold {member.id}\n"


def _unhold(core, conf, member, args):
    member.hold = False
    conf.emit_member(member, "unhold-member")
    if member.voice_on:
        conf.voice_changed(member)
    return f"+OK unhold {member.id}\n"


def _saymember(text):
    def action(core, conf, member, args):
        conf.emit_member(member, "speak-text-member", [("Text", text)])
        return "+OK (saymember) OK\n"
    return action


def _level(kind, attr, event, label, usage):
    def action(core, conf, member, args):
        if args:
            try:
                value = int(args[0])
            except ValueError:
                return f"-ERR {usage}"
            setattr(member, attr, value)
            extras = [("Volume-Level", str(value))] if kind == "volume" else \
                [("Energy-Level", str(value))]
            conf.emit_member(member, event, extras)
        return label % (member.id, getattr(member, attr))

    def handler(core, conf, rest):
        if not separate_string(rest):
            return usage
        return per_member(action)(core, conf, rest)
    return handler


def cmd_saymember(core, conf, rest):
    """The text is the raw rest of the line, quotes and all (CONF_API_SUB_ARGS_AS_ONE)."""
    target, _, text = rest.strip().partition(" ")
    if not target or not text.strip():
        return "-ERR (saymember) Syntax Error!\n"
    return per_member(_saymember(text.strip()))(core, conf, target)


def cmd_get_uuid(core, conf, rest):
    member = conf.find(int(rest)) if rest.strip().isdigit() else None
    return member.uuid if member else non_existant(rest.strip())


def cmd_transfer(core, conf, rest):
    words = separate_string(rest)
    if len(words) < 2:
        return "-ERR Usage: transfer <conference_name> <member id> [...<member id>]\n"
    target, text = words[0], ""
    for word in words[1:]:
        member = conf.find(int(word)) if word.isdigit() else None
        if member is None:
            text += f"-ERR No Member {word} in conference {conf.name}.\n"
            continue
        core.conferences.transfer(member, conf, target)
        text += f"+OK Member '{member.id}' sent to conference {target}.\n"
    return text


MEMBER_COMMANDS = {
    "mute": per_member(_mute), "unmute": per_member(_unmute),
    "deaf": per_member(_deaf), "undeaf": per_member(_undeaf),
    "kick": per_member(_kick), "hup": per_member(_hup), "relate": cmd_relate,
    "hold": per_member(_hold), "unhold": per_member(_unhold),
    "saymember": cmd_saymember, "get-uuid": cmd_get_uuid, "transfer": cmd_transfer,
    "energy": _level("energy", "energy_level", "energy-level-member", "Energy %u = %d\n",
                     "energy <member_id|all|last|non_moderator> [<newval>]"),
    "volume_in": _level("volume", "volume_in", "volume-in-member", "+OK Volume IN %u = %d\n",
                        "volume_in <member_id|all|last|non_moderator> [<newval>]"),
    "volume_out": _level("volume", "volume_out", "volume-out-member",
                         "+OK Volume OUT %u = %d\n",
                         "volume_out <member_id|all|last|non_moderator> [<newval>]"),
}
