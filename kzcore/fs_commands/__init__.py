"""The one place that builds what reaches FreeSWITCH: this module turns an action
+ data into a ``mod_conference`` api command; ``kzcore.fs_commands.apps`` builds
the dialplan applications the call-in service sends over the outbound socket.

``build(conference_name, action, **args)`` returns the command without the
leading ``api `` (e.g. ``"conference <name> mute 3"``). Every value that reaches
the string is validated first: mod_conference splits its argument on spaces
(honouring ``'`` quotes and ``\\`` escapes), originate splits ``{k=v,...}`` on
commas and dial strings on ``,`` and ``|``, and ESL ends a command at a newline,
so anything that could add an argument, a variable, a destination or a command
is rejected with ``InvalidCommandArgument`` naming the field.
"""
import functools
import inspect

from kzcore.errors import InvalidCommandArgument
from kzcore.fs_commands import controls
from kzcore.fs_commands.controls import valid_dtmf  # noqa: F401 - public here too

from kzcore.fs_commands.validate import (  # noqa: F401 - validators are public here too
    RELATIONSHIPS, RECORDING_SUBCOMMANDS, STOP_WHICH, PROFILE_NAME, TEXT_ACTIONS, invalid,
    GET_PARAMETERS,
    valid_conference_name, valid_member_id, valid_integer, valid_media_path, playable_media,
    valid_endpoint, valid_variable_name, valid_variable_value, valid_member_flags,  # noqa: F401
    valid_caller_id_number, valid_caller_id_name, quoted_word, valid_text, variable_block,
    valid_call_id,
)


MAX_RELATED = 100  # mod_conference reads at most 100 ids on each side of a relate


def _member_action(word):
    return lambda member: [word, valid_member_id(member)]


def _relate(member, other, relationship):
    """``relate <id> <other>[,<other>...] nospeak|nohear|clear`` (a list of others is
    mod_conference's own syntax: its usage text, fssim/relate.py)."""
    if relationship not in RELATIONSHIPS:
        raise invalid("relationship", "must be one of " + ", ".join(RELATIONSHIPS), relationship)
    others = other if isinstance(other, (list, tuple)) else [other]
    if not others or len(others) > MAX_RELATED:
        raise invalid("other", f"must name 1-{MAX_RELATED} members", len(others))
    return ["relate", valid_member_id(member, keywords=()),
            ",".join(valid_member_id(one, "other", keywords=()) for one in others),
            RELATIONSHIPS[relationship]]


def _play(path, member=None, async_=False):
    words = ["play", playable_media(path)]
    if member is not None and async_:
        raise invalid("async", "cannot play asynchronously to one member", async_)
    if member is not None:
        words.append(valid_member_id(member, keywords=()))
    elif async_:
        words.append("async")
    return words


def _stop(which="all", member=None):
    if which not in STOP_WHICH:
        raise invalid("which", "must be one of " + ", ".join(STOP_WHICH), which)
    return ["stop", which] + ([valid_member_id(member, keywords=())] if member is not None else [])


def _recording(subcommand, path=None):
    if subcommand not in RECORDING_SUBCOMMANDS:
        raise invalid("subcommand", "must be one of " + ", ".join(RECORDING_SUBCOMMANDS), subcommand)
    if subcommand == "check":
        if path is not None:
            raise invalid("path", "recording check takes no path", path)
        return ["recording", "check"]
    if subcommand == "stop" and path == "all":
        return ["recording", "stop", "all"]
    if path is None:
        raise invalid("path", f"recording {subcommand} needs a file path")
    return ["recording", subcommand, valid_media_path(path)]


def _level_action(word, low, high):
    def action(member, level=None):
        words = [word, valid_member_id(member)]
        return words + ([valid_integer("level", level, low, high)] if level is not None else [])
    return action


def _kick(member, sound=None):
    """``kick <member> [<sound>]``: the member hears ``sound`` (instead of the
    profile's kicked sound) and is hung up (conference_api.c; no fixture plays one)."""
    return ["kick", valid_member_id(member)] + ([valid_media_path(sound, "sound")] if sound else [])


def _get(parameter):
    if parameter not in GET_PARAMETERS:
        raise invalid("parameter", "must be one of " + ", ".join(GET_PARAMETERS), parameter)
    return ["get", parameter]


def _dial(word):
    def action(endpoint, caller_id_number=None, caller_id_name=None, variables=None, member_flags=None):
        words = [word, variable_block(variables, member_flags) + valid_endpoint(endpoint)]
        if caller_id_name is not None and caller_id_number is None:
            raise invalid("caller_id_number", "is needed when caller_id_name is given")
        if caller_id_number is not None:
            words.append(valid_caller_id_number(caller_id_number))
        if caller_id_name is not None:
            words.append(quoted_word(valid_caller_id_name(caller_id_name)))
        return words
    return action



ACTIONS = {
    "lock": lambda: ["lock"],
    "unlock": lambda: ["unlock"],
    "mute": _member_action("mute"),
    "unmute": _member_action("unmute"),
    "deaf": _member_action("deaf"),
    "undeaf": _member_action("undeaf"),
    "kick": _kick,
    "hup": _member_action("hup"),
    "relate": _relate,
    "play": _play,
    "stop": _stop,
    "say": lambda text: ["say", valid_text(text)],
    "saymember": lambda member, text: ["saymember", valid_member_id(member, keywords=()), valid_text(text)],
    "recording": _recording,
    # mod_conference's bounds: energy steps within 0..1800, volumes are normalised
    # to -4..4 (conference_api_sub_energy / volume_in, switch_normalize_volume)
    "energy": _level_action("energy", 0, 1800),
    "volume_in": _level_action("volume_in", -4, 4),
    "volume_out": _level_action("volume_out", -4, 4),
    "floor": lambda member: ["floor", valid_member_id(member, keywords=("last",))],
    "transfer": controls.transfer,
    "hold": controls.hold,
    "unhold": controls.unhold,
    "dtmf": controls.dtmf,
    "pause_play": controls.on_current_file("pause_play"),
    "play_status": controls.on_current_file("play_status"),
    "enter_sound": controls.sounds("enter_sound"),
    "exit_sound": controls.sounds("exit_sound"),
    "bgdial": _dial("bgdial"),
    "dial": _dial("dial"),
    "setvar": lambda key, value: ["setvar", valid_variable_name(key, "key"), valid_variable_value(value, "value")],
    "getvar": lambda key: ["getvar", valid_variable_name(key, "key")],
    "get": _get,
    "list": lambda: ["list"],
    "count": lambda: ["list", "count"],
    "json_list": lambda: ["json_list"],
    "xml_list": lambda: ["xml_list"],
}


@functools.lru_cache(maxsize=None)
def _parameters(make):
    """The builder's parameters (ACTIONS is fixed: the cache holds one entry per action)."""
    return inspect.signature(make).parameters


def _check_arguments(action, make, args):
    params = _parameters(make)
    for name, param in params.items():
        if param.default is inspect.Parameter.empty and name not in args:
            raise InvalidCommandArgument(
                message=f"{name}: {action} needs {name}",
                data={name: {"required": {"message": "Field is required but missing"}}})
    unknown = sorted(set(args) - set(params))
    if unknown:
        raise InvalidCommandArgument(
            message=f"action: {action} takes no argument {', '.join(unknown)}",
            data={"action": {"invalid": {"message": f"unexpected arguments: {', '.join(unknown)}",
                                         "value": action}}})


def build(conference_name, action, **args):
    """``build("room1", "mute", member=3)`` -> ``"conference room1 mute 3"``."""
    name = valid_conference_name(conference_name)
    make = ACTIONS.get(action)
    if make is None:
        raise InvalidCommandArgument(
            message=f"action: unknown conference action {action!r}",
            data={"action": {"enum": {"message": "Value not found in enumerated list of values",
                                      "target": sorted(ACTIONS), "value": str(action)}}})
    _check_arguments(action, make, args)
    if action in TEXT_ACTIONS and action in name:
        # mod_conference takes the text after the first occurrence of the sub-command
        # word anywhere in the command line (strstr), so the name would garble it.
        raise invalid("conference_name", f"cannot contain '{action}' for the {action} action", name)
    words = make(**args)
    return " ".join(["conference", name] + words)


# One member's own enter/exit sound: the channel variables conference_enter_sound /
# conference_exit_sound replace the room's sound for that member's join / leave
# (conference_member.c: the enter sound still needs the room's enter sounds on; the
# exit sound is played even with the room's exit sounds off). A member who is to
# join or leave without a tone gets a few milliseconds of silence instead.
MEMBER_SOUND_VARIABLES = {"entry": "conference_enter_sound", "exit": "conference_exit_sound"}
SILENT_SOUND = "silence_stream://10"


def silent_member_sounds(silence_entry=False, silence_exit=False):
    """``{variable: SILENT_SOUND}`` for the member sounds to silence."""
    wanted = {"entry": silence_entry, "exit": silence_exit}
    return {name: SILENT_SOUND for kind, name in MEMBER_SOUND_VARIABLES.items() if wanted[kind]}


def api_json_list_all():
    return "conference json_list"


def api_uuid_exists(call_id):
    """``uuid_exists <uuid>``: FreeSWITCH answers ``true`` or ``false``."""
    return f"uuid_exists {valid_call_id(call_id)}"


def api_uuid_kill(call_id):
    """``uuid_kill <uuid>``: ``+OK``, or ``-ERR No such channel!``."""
    return f"uuid_kill {valid_call_id(call_id)}"


def api_uuid_dump(call_id):
    """``uuid_dump <uuid>``: the channel's variables as ``Name: value`` lines."""
    return f"uuid_dump {valid_call_id(call_id)}"


def api_list_all():
    return "conference list"


def api_uuid_record(call_id, action, path, limit_s=None):
    """``uuid_record <uuid> start|stop <path> [<limit>]`` (mod_commands): one channel
    recorded on its own file; ``limit_s`` seconds end it by itself."""
    if action not in ("start", "stop"):
        raise invalid("action", "must be start or stop", action)
    words = ["uuid_record", valid_call_id(call_id), action, valid_media_path(path)]
    if limit_s is not None:
        words.append(valid_integer("limit", limit_s, 1, 86400))
    return " ".join(words)
