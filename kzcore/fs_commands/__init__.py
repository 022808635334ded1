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
import inspect
import re

from kzcore.errors import InvalidCommandArgument

MEMBER_KEYWORDS = ("all", "last", "non_moderator")
RELATIONSHIPS = {"nospeak": "nospeak", "nohear": "nohear", "clear": "clear",
                 "mute": "nospeak", "deaf": "nohear"}  # Kazoo's names -> FreeSWITCH's
RECORDING_SUBCOMMANDS = ("start", "stop", "pause", "resume", "check")
STOP_WHICH = ("all", "current", "last", "async")
# Names mod_conference treats as commands when no conference has that name.
RESERVED_NAMES = {"list", "xml_list", "json_list", "help", "commands", "count"}

CONFERENCE_NAME = re.compile(r"[A-Za-z0-9_.\-]{1,128}")
PROFILE_NAME = re.compile(r"[A-Za-z0-9_.\-]{1,64}")
MEDIA_SCHEMES = ("tone_stream://", "silence_stream://", "local_stream://", "http://", "https://")
MEDIA_FORBIDDEN = re.compile(r"[\s'\"`{}\\\x00-\x1f\x7f]")
ENDPOINT = re.compile(r"(user|sofia|loopback)(/[A-Za-z0-9_.+\-*#@:;=]+)+")
VAR_NAME = re.compile(r"[A-Za-z0-9_]{1,64}")
VAR_VALUE_FORBIDDEN = re.compile(r"[\s,{}\[\]'\"`\\^|\x00-\x1f\x7f]")
MEMBER_FLAG = re.compile(r"[a-z][a-z_\-]{0,31}")
CID_NUMBER = re.compile(r"[A-Za-z0-9+*#._\-]{1,32}")
# Inner spaces are allowed in caller-id names: the word is then single-quoted, which
# FreeSWITCH's switch_separate_string honours (and strips) when it splits the api line.
CID_NAME_FORBIDDEN = re.compile(r"[\t\n\r\f\v'\"`{}\[\]<>,|;^\\\x00-\x1f\x7f]|  |^ | $")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_TEXT = 1024
TEXT_ACTIONS = ("say", "saymember")


def invalid(field, message, value=None):
    detail = {"message": message}
    if value is not None:
        detail["value"] = value if isinstance(value, (int, str)) else repr(value)
    return InvalidCommandArgument(message=f"{field}: {message}", data={field: {"invalid": detail}})


def _string(field, value):
    if not isinstance(value, str) or not value:
        raise invalid(field, "must be a non-empty string", value)
    return value


def valid_conference_name(value, field="conference_name"):
    _string(field, value)
    if not CONFERENCE_NAME.fullmatch(value):
        raise invalid(field, "may only hold letters, digits, '_', '.' and '-' (1-128)", value)
    if value.lower() in RESERVED_NAMES:
        raise invalid(field, f"'{value}' is a mod_conference command, not a usable name", value)
    return value


def valid_member_id(value, field="member", keywords=MEMBER_KEYWORDS):
    """A member id (int >= 1, digits accepted) or one of ``keywords``."""
    if isinstance(value, str) and value in keywords:
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return str(value)
    allowed = " or ".join(("an integer >= 1",) + tuple(f"'{k}'" for k in keywords))
    raise invalid(field, f"must be {allowed}", value)


def valid_integer(field, value, low, high):
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,6}", value):
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return str(value)
    raise invalid(field, f"must be an integer from {low} to {high}", value)


def valid_media_path(value, field="path"):
    """tone_stream/silence_stream/local_stream/http(s) URLs or absolute paths, as one argument."""
    _string(field, value)
    if MEDIA_FORBIDDEN.search(value):
        raise invalid(field, "must not contain whitespace, quotes, braces, backslashes or control characters", value)
    if not (value.startswith(MEDIA_SCHEMES) or (value.startswith("/") and len(value) > 1)):
        raise invalid(field, "must be an absolute path or a tone_stream://, silence_stream://, "
                             "local_stream://, http:// or https:// URL", value)
    return value


def valid_endpoint(value, field="endpoint"):
    _string(field, value)
    if not ENDPOINT.fullmatch(value):
        raise invalid(field, "must look like user/<user>@<domain>, sofia/<profile>/<user>@<host[:port]> or "
                             "loopback/<extension>/<context>, without spaces, quotes, braces, commas or pipes",
                      value)
    return value


def valid_variable_name(value, field="variables"):
    if not isinstance(value, str) or not VAR_NAME.fullmatch(value):
        raise invalid(field, "channel variable names may only hold letters, digits and '_'", value)
    return value


def valid_variable_value(value, field="value"):
    if isinstance(value, bool):
        value = "true" if value else "false"
    elif isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        raise invalid(field, "must be a string, number or boolean", value)
    if VAR_VALUE_FORBIDDEN.search(value):
        raise invalid(field, "must not contain whitespace, commas, braces, brackets, quotes, "
                           "backslashes, '^', '|' or control characters", value)
    return value


def valid_member_flags(flags, field="member_flags"):
    if isinstance(flags, str) or not isinstance(flags, (list, tuple)):
        raise invalid(field, "must be a list of flag names", flags)
    for flag in flags:
        if not isinstance(flag, str) or not MEMBER_FLAG.fullmatch(flag):
            raise invalid(field, "flags are lower-case words such as mute, deaf, moderator", flag)
    return list(flags)


def valid_caller_id_number(value, field="caller_id_number"):
    value = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    _string(field, value)
    if not CID_NUMBER.fullmatch(value):
        raise invalid(field, "may only hold letters, digits and + * # . _ - (1-32), no spaces", value)
    return value


def valid_caller_id_name(value, field="caller_id_name"):
    _string(field, value)
    if len(value) > 64 or CID_NAME_FORBIDDEN.search(value):
        raise invalid(field, "must be 1-64 characters without quotes, braces, brackets, commas, "
                             "pipes, ';', '^', backslashes, control characters, or leading, trailing "
                             "or doubled spaces", value)
    return value


def quoted_word(value):
    """One api argument that may hold single spaces: FreeSWITCH groups '...'."""
    return f"'{value}'" if " " in value else value


def valid_text(value, field="text"):
    _string(field, value)
    if len(value) > MAX_TEXT or CONTROL.search(value) or not value.strip():
        raise invalid(field, f"must be 1-{MAX_TEXT} characters of text without line breaks, "
                             "NUL or other control characters", value)
    return value


def variable_block(variables=None, flags=None):
    """``{conference_member_flags=a|b,k=v}``: pipe-separated flags survive the comma split."""
    pairs = []
    if flags:
        pairs.append(f"conference_member_flags={'|'.join(valid_member_flags(flags))}")
    if variables is not None and not isinstance(variables, dict):
        raise invalid("variables", "must be an object of channel variables", variables)
    for name, value in (variables or {}).items():
        pairs.append(f"{valid_variable_name(name)}={valid_variable_value(value, f'variables.{name}')}")
    return "{" + ",".join(pairs) + "}" if pairs else ""


# --- the action table: action -> function(args) returning the words after "conference <name>"

def _member_action(word):
    return lambda member: [word, valid_member_id(member)]


def _relate(member, other, relationship):
    if relationship not in RELATIONSHIPS:
        raise invalid("relationship", "must be one of " + ", ".join(RELATIONSHIPS), relationship)
    return ["relate", valid_member_id(member, keywords=()), valid_member_id(other, "other", keywords=()),
            RELATIONSHIPS[relationship]]


def _play(path, member=None, async_=False):
    words = ["play", valid_media_path(path)]
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


def _transfer(target_conference, members):
    name, _, profile = target_conference.partition("@") if isinstance(target_conference, str) else ("", "", "")
    valid_conference_name(name, "target_conference")
    if profile and not PROFILE_NAME.fullmatch(profile):
        raise invalid("target_conference", "profile after '@' may only hold letters, digits, '_', '.', '-'",
                      target_conference)
    members = members if isinstance(members, (list, tuple)) else [members]
    if not members:
        raise invalid("members", "at least one member id is needed")
    return ["transfer", target_conference] + [valid_member_id(m, "members", keywords=()) for m in members]


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
    "kick": _member_action("kick"),
    "hup": _member_action("hup"),
    "relate": _relate,
    "play": _play,
    "stop": _stop,
    "say": lambda text: ["say", valid_text(text)],
    "saymember": lambda member, text: ["saymember", valid_member_id(member, keywords=()), valid_text(text)],
    "recording": _recording,
    "energy": _level_action("energy", 0, 100000),
    "volume_in": _level_action("volume_in", -50, 50),
    "volume_out": _level_action("volume_out", -50, 50),
    "floor": lambda member: ["floor", valid_member_id(member, keywords=("last",))],
    "transfer": _transfer,
    "bgdial": _dial("bgdial"),
    "dial": _dial("dial"),
    "setvar": lambda key, value: ["setvar", valid_variable_name(key, "key"), valid_variable_value(value, "value")],
    "getvar": lambda key: ["getvar", valid_variable_name(key, "key")],
    "list": lambda: ["list"],
    "count": lambda: ["list", "count"],
    "json_list": lambda: ["json_list"],
    "xml_list": lambda: ["xml_list"],
}


def _check_arguments(action, make, args):
    params = inspect.signature(make).parameters
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


def api_json_list_all():
    return "conference json_list"


CALL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}")


def valid_call_id(value, field="call_id"):
    """A channel UUID chosen by a client (letters, digits, '_', '.', '-'; 1-128)."""
    if not isinstance(value, str) or not CALL_ID.fullmatch(value):
        raise invalid(field, "must be 1-128 letters, digits, '_', '.' or '-' "
                             "(starting with a letter or digit)", value)
    return value


def api_uuid_exists(call_id):
    """``uuid_exists <uuid>``: FreeSWITCH answers ``true`` or ``false``."""
    return f"uuid_exists {valid_call_id(call_id)}"


def api_uuid_dump(call_id):
    """``uuid_dump <uuid>``: the channel's variables as ``Name: value`` lines."""
    return f"uuid_dump {valid_call_id(call_id)}"


def api_list_all():
    return "conference list"
