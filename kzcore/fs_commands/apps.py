"""Dialplan applications sent over the outbound socket (PURE).

The ``sendmsg`` half of ``kzcore.fs_commands`` (the package builds every string
that reaches FreeSWITCH; its ``__init__`` builds the ``api`` commands). Every
string that reaches FreeSWITCH through ``sendmsg`` is built here and only here. Each builder returns ``(app_name, app_arg)`` and raises ``UnsafeArgument``
for anything that could smuggle a second header or command (line breaks), expand
a variable (``$``), break the space-separated argument lists, or carry unknown
conference flags.
"""
import re


class UnsafeArgument(ValueError):
    """An argument that must never reach FreeSWITCH."""


# Files, tone_stream:// and silence_stream:// specs, file_string:// lists.
_MEDIA = re.compile(r"^[A-Za-z0-9_./:%(),;=@+!~<>-]{1,512}$")
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_TERMINATORS = re.compile(r"^([0-9*#]{1,12}|none)$")
_DIGIT_REGEX = re.compile(r"^[\\A-Za-z0-9+*?|^$(){},\[\]#-]{1,128}$")
_CAUSE = re.compile(r"^[A-Z_]{1,64}$")
_VALUE_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f${}]")

MEMBER_FLAGS = frozenset({
    "mute", "deaf", "moderator", "wait-mod", "endconf", "mandatory_member_endconf",
    "nomoh", "mute-detect", "dist-dtmf", "mintwo", "ghost", "join-only",
})


def _check(pattern, value, what):
    text = str(value)
    if not pattern.fullmatch(text):
        raise UnsafeArgument(f"unsafe {what}: {text!r}")
    return text


def _int(value, what, low, high):
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise UnsafeArgument(f"{what} must be an integer in [{low}, {high}]: {value!r}")
    return value


def media(path):
    """A playable media string (file path, tone_stream://, file_string://...)."""
    return _check(_MEDIA, path, "media")


def answer():
    return "answer", ""


def playback(path):
    return "playback", media(path)


def sleep(milliseconds):
    return "sleep", str(_int(milliseconds, "sleep", 0, 600000))


def hangup(cause="NORMAL_CLEARING"):
    return "hangup", _check(_CAUSE, cause, "hangup cause")


def set_variable(name, value):
    """``set name=value``; the value may hold spaces but never variables."""
    _check(_VARIABLE, name, "variable name")
    text = str(value)
    if _VALUE_FORBIDDEN.search(text) or len(text) > 1024:
        raise UnsafeArgument(f"unsafe value for {name}: {text!r}")
    return "set", f"{name}={text}"


def play_and_get_digits(*, min_digits, max_digits, tries, timeout_ms, terminators,
                        prompt, invalid_prompt, variable, digits_regex, digit_timeout_ms):
    """mod_dptools ``play_and_get_digits`` (argument order as FreeSWITCH wants it)."""
    parts = [
        _int(min_digits, "min_digits", 0, 128), _int(max_digits, "max_digits", 1, 128),
        _int(tries, "tries", 1, 10), _int(timeout_ms, "timeout", 1, 600000),
        _check(_TERMINATORS, terminators, "terminators"), media(prompt), media(invalid_prompt),
        _check(_VARIABLE, variable, "variable"), _check(_DIGIT_REGEX, digits_regex, "regex"),
        _int(digit_timeout_ms, "digit timeout", 1, 600000),
    ]
    if parts[0] > parts[1]:
        raise UnsafeArgument("min_digits greater than max_digits")
    return "play_and_get_digits", " ".join(str(part) for part in parts)


def record(path, time_limit_s, silence_threshold=200, silence_hits=2):
    """mod_dptools ``record <path> <limit> <thresh> <hits>``."""
    parts = [media(path), _int(time_limit_s, "time limit", 1, 3600),
             _int(silence_threshold, "silence threshold", 0, 100000),
             _int(silence_hits, "silence hits", 0, 100)]
    return "record", " ".join(str(part) for part in parts)


def conference(fs_name, profile="default", flags=()):
    """``conference <room>@<profile>[+flags{a|b}]`` with whitelisted member flags."""
    room = _check(_NAME, fs_name, "conference name")
    profile = _check(_NAME, profile, "conference profile")
    unknown = [flag for flag in flags if flag not in MEMBER_FLAGS]
    if unknown:
        raise UnsafeArgument(f"unknown member flags: {unknown}")
    arg = f"{room}@{profile}"
    ordered = sorted(set(flags), key=list(flags).index)
    if ordered:
        arg += "+flags{" + "|".join(ordered) + "}"
    return "conference", arg


# --- bridge to another node (issue 18: a caller handed to its conference's focus node) ---
_SIP_ENDPOINT = re.compile(r"^sofia/[A-Za-z0-9_.-]{1,64}/[0-9+*#]{1,32}"
                           r"@[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?$")
_BRIDGE_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")   # sip_h_X-... has dashes
_BRIDGE_VALUE = re.compile(r"^[A-Za-z0-9_.:@+-]{1,1024}$")       # nothing that ends a {} item


def bridge(endpoint, variables=None):
    """mod_dptools ``bridge {name=value,...}sofia/<profile>/<number>@<host[:port]>``:
    one SIP leg, its channel variables (``sip_h_X-*`` become headers of the INVITE)."""
    _check(_SIP_ENDPOINT, endpoint, "bridge endpoint")
    items = [f"{_check(_BRIDGE_VARIABLE, name, 'bridge variable')}="
             f"{_check(_BRIDGE_VALUE, value, 'bridge variable value')}"
             for name, value in (variables or {}).items()]
    return "bridge", ("{" + ",".join(items) + "}" if items else "") + endpoint
