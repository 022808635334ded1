"""Validation of every value that reaches a FreeSWITCH command (PURE).

mod_conference splits its argument on spaces (honouring ``'`` quotes and ``\\``
escapes), originate splits ``{k=v,...}`` on commas and dial strings on ``,`` and
``|``, and ESL ends a command at a newline: each ``valid_*`` function rejects
what could add an argument, a variable, a destination or a command, raising
``InvalidCommandArgument`` naming the field.
"""
import re

from kzcore.errors import InvalidCommandArgument

MEMBER_KEYWORDS = ("all", "last", "non_moderator")
RELATIONSHIPS = {"nospeak": "nospeak", "nohear": "nohear", "clear": "clear",
                 "mute": "nospeak", "deaf": "nohear"}  # Kazoo's names -> FreeSWITCH's
RECORDING_SUBCOMMANDS = ("start", "stop", "pause", "resume", "check")
STOP_WHICH = ("all", "current", "last", "async")
# `conference <name> get <parameter>`: what conference_api_sub_get answers with a bare
# value (round4 get_*); anything else is its usage text, so it is refused here.
GET_PARAMETERS = ("run_time", "count", "count_ghosts", "max_members", "uuid",
                  "endconference_grace_time", "wait_mod")
# Names mod_conference treats as commands when no conference has that name.
RESERVED_NAMES = {"list", "xml_list", "json_list", "help", "commands", "count"}

CONFERENCE_NAME = re.compile(r"[A-Za-z0-9_.\-]{1,128}")
PROFILE_NAME = re.compile(r"[A-Za-z0-9_.\-]{1,64}")
HTTP_CACHE = "http_cache://"
WEB_SCHEMES = ("http://", "https://")
MEDIA_SCHEMES = ("tone_stream://", "silence_stream://", "local_stream://") + WEB_SCHEMES \
    + tuple(HTTP_CACHE + scheme for scheme in WEB_SCHEMES)
MEDIA_FORBIDDEN = re.compile(r"[\s'\"`{}\\\x00-\x1f\x7f]")
# An optional per-leg block first: ``[^^:k=v:k2=a,b]`` (kzcore.fs_commands.sofia.leg_block).
ENDPOINT = re.compile(r"(\[\^\^:[A-Za-z0-9_=,.@\-:]{1,256}\])?"
                      r"(user|sofia|loopback)(/[A-Za-z0-9_.+\-*#@:;=]+)+")
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
    value = _integral(value)
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return str(value)
    allowed = " or ".join(("an integer >= 1",) + tuple(f"'{k}'" for k in keywords))
    raise invalid(field, f"must be {allowed}", value)


def _integral(value):
    """``16.0`` is the integer 16 (JSON Schema 2020-12, as the API description says)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def valid_integer(field, value, low, high):
    value = _integral(value)
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,6}", value):
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return str(value)
    raise invalid(field, f"must be an integer from {low} to {high}", value)


def valid_media_path(value, field="path"):
    """tone_stream/silence_stream/local_stream/http(s)/http_cache URLs or absolute paths,
    as one argument."""
    _string(field, value)
    if MEDIA_FORBIDDEN.search(value):
        raise invalid(field, "must not contain whitespace, quotes, braces, backslashes or control characters", value)
    if not (value.startswith(MEDIA_SCHEMES) or (value.startswith("/") and len(value) > 1)):
        raise invalid(field, "must be an absolute path or a tone_stream://, silence_stream://, "
                             "local_stream://, http://, https:// or http_cache:// URL", value)
    return value


def playable_media(value, field="path"):
    """A media path as the switch plays it: http(s) URLs go through mod_http_cache
    (``http_cache://http://...``). A bare ``http://`` file needs mod_httapi, which
    fs_conf does not load: the switch answers ``-ERR (play) File: ... not found.``
    (fixtures round4 play_http_bare / play_http_cache). Everything else is unchanged."""
    value = valid_media_path(value, field)
    return HTTP_CACHE + value if value.startswith(WEB_SCHEMES) else value


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


CALL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}")


def valid_call_id(value, field="call_id"):
    """A channel UUID chosen by a client (letters, digits, '_', '.', '-'; 1-128)."""
    if not isinstance(value, str) or not CALL_ID.fullmatch(value):
        raise invalid(field, "must be 1-128 letters, digits, '_', '.' or '-' "
                             "(starting with a letter or digit)", value)
    return value
