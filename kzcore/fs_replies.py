"""Interpretation of FreeSWITCH api replies, pure.

FreeSWITCH's replies are inconsistent (see fixtures/freeswitch and DESIGN.md
section 5): ``+OK ...`` and ``-ERR ...`` lines, usage text with no ``-ERR``,
``-ERR no reply`` when a command printed nothing, bare values (``Energy 1 = 300``,
``3``, ``abc123``), several lines for one command (``mute all``) and ``+OK`` lines
next to ``-ERR`` lines (``recording stop`` / ``pause`` of an unknown file).
"""
import dataclasses
import json
import re
import xml.etree.ElementTree as ElementTree

from kzcore.errors import SwitchRefused

NOT_FOUND = re.compile(r"^-ERR Conference (\S+) not found", re.M)
USAGE = re.compile(r"^[a-z_\-]+ (\[?<[^>]+>|\[[^\]]+\])")  # "energy <member_id|all|...> [<newval>]"
USAGE_TEXTS = ("Conference command, not specified", "Try 'help'", "Bad Args", "Bad args",
               "Not enough args", "-ERR Usage")
DIAL_RESULT = re.compile(r"Call Requested: result: \[([A-Z_]+)\]")
# Sub-commands that answer "+OK ..." whenever they did what was asked: anything
# else from them is a refusal (never a silent success).
NEEDS_OK = {"lock", "unlock", "mute", "unmute", "deaf", "undeaf", "kick", "hup", "play", "stop",
            "say", "saymember", "recording", "floor", "transfer", "bgdial", "dial", "setvar",
            "hold", "unhold", "dtmf", "volume_in", "volume_out", "pause_play", "play_status",
            "enter_sound", "exit_sound"}


@dataclasses.dataclass(frozen=True)
class Reply:
    ok: bool
    text: str


def _subcommand(command):
    """``"conference room1 relate 1 3 nospeak"`` -> ("relate", ["1", "3", "nospeak"])."""
    words = (command or "").split()
    if words[:1] == ["conference"]:
        words = words[2:] if len(words) > 2 else words[1:]
    return (words[0], words[1:]) if words else (None, [])


def _needs_ok(command):
    sub, args = _subcommand(command)
    if sub == "relate":
        return len(args) >= 3  # "relate 1" lists relationships, with no +OK
    return sub in NEEDS_OK


def is_usage(text):
    first = text.split("\n", 1)[0]
    return bool(USAGE.match(first)) or any(text.startswith(usage) for usage in USAGE_TEXTS)


def classify(body, command=None):
    """FreeSWITCH's answer -> Reply(ok, text). ``command`` sharpens the judgement."""
    text = body.decode("utf-8", errors="replace") if isinstance(body, (bytes, bytearray)) else body
    text = text.strip()
    errors = [line for line in text.split("\n") if line.startswith("-ERR") or line.startswith("-USAGE")]
    if errors:
        return Reply(False, "\n".join(errors))
    if is_usage(text):
        return Reply(False, text)
    dial = DIAL_RESULT.search(text)
    if dial and dial.group(1) != "SUCCESS":
        return Reply(False, text)
    if command and _needs_ok(command) and not any(line.startswith("+OK") for line in text.split("\n")):
        return Reply(False, text or "-ERR no reply")
    return Reply(True, text)


def check(body, command=None):
    """The reply's text, or SwitchRefused carrying FreeSWITCH's own words."""
    reply = classify(body, command)
    if not reply.ok:
        raise SwitchRefused(message=reply.text, data={"command": command} if command else None)
    return reply.text


def _as_text(body):
    return body.decode("utf-8", errors="replace") if isinstance(body, (bytes, bytearray)) else body


def is_conference_not_found(body):
    return bool(NOT_FOUND.search(_as_text(body)))


def _refuse_unless_listing(text, what):
    if is_conference_not_found(text) or text.startswith("+OK No active conferences"):
        return True
    if text.startswith("-ERR") or is_usage(text):
        raise SwitchRefused(message=text.strip(), data={"command": what})
    return False


def parse_json_list(body):
    """``conference [<name>] json_list`` -> list of conference dicts (FreeSWITCH's keys kept,
    hyphenated ones included; ``recording_node`` members have no id or flags)."""
    text = _as_text(body).strip()
    if _refuse_unless_listing(text, "json_list"):
        return []
    try:
        conferences = json.loads(text)
    except ValueError:
        raise SwitchRefused(message=f"unreadable json_list reply: {text[:200]}") from None
    if not isinstance(conferences, list):
        raise SwitchRefused(message=f"unexpected json_list reply: {text[:200]}")
    return conferences


LIST_HEADER = re.compile(r"^\+OK Conference (?P<name>\S+) \((?P<count>\d+) members? rate: (?P<rate>\d+)"
                         r"(?P<locked> locked)? flags: (?P<flags>[^)]*)\)$")


def parse_member_line(line, delim=";"):
    """``id;channel;uuid;name;number;flags;volume_in;volume_out;energy`` (flags joined by ``|``,
    which with ``delim |`` makes the flag count variable: the fixed fields are at both ends)."""
    parts = line.split(delim)
    if len(parts) < 9:
        raise SwitchRefused(message=f"unreadable conference list line: {line}")
    flags = delim.join(parts[5:-3])
    return {"id": int(parts[0]), "channel_name": parts[1], "uuid": parts[2],
            "caller_id_name": parts[3], "caller_id_number": parts[4],
            "flags": [flag for flag in flags.split("|") if flag],
            "volume_in": int(parts[-3]), "volume_out": int(parts[-2]), "energy": int(parts[-1])}


def parse_list(body, delim=";"):
    """Plain ``conference list`` / ``conference <name> list [delim X]`` -> list of conferences
    ``{conference_name, member_count, rate, locked, flags, members}``. A room's own list has no
    header line: it comes back as one conference whose name and counts are None."""
    text = _as_text(body).strip()
    if _refuse_unless_listing(text, "list"):
        return []
    conferences, current = [], None
    for line in text.split("\n"):
        header = LIST_HEADER.match(line)
        if header:
            current = {"conference_name": header["name"], "member_count": int(header["count"]),
                       "rate": int(header["rate"]), "locked": bool(header["locked"]),
                       "flags": [flag for flag in header["flags"].split("|") if flag], "members": []}
            conferences.append(current)
        elif line:
            if current is None:
                current = {"conference_name": None, "member_count": None, "rate": None,
                           "locked": None, "flags": [], "members": []}
                conferences.append(current)
            current["members"].append(parse_member_line(line, delim))
    return conferences


XML_TEXT_KEYS = {"uuid", "caller_id_name", "caller_id_number", "record_path", "name", "type"}


def _xml_value(key, value):
    if value in ("true", "false"):
        return value == "true"
    if key not in XML_TEXT_KEYS and re.fullmatch(r"-?\d+", value or ""):
        return int(value)
    return value


def _xml_element(element):
    """An element -> dict of its attributes and children; a leaf -> its (typed) text."""
    children = list(element)
    if not children and not element.attrib:
        return _xml_value(element.tag, (element.text or "").strip())
    result = {key: _xml_value(key, value) for key, value in element.attrib.items()}
    for child in children:
        if child.tag == "members":
            result["members"] = [_xml_element(member) for member in child]
        elif child.tag == "variables":
            result["variables"] = {var.tag: (var.text or "") for var in child}
        elif not list(child) and child.attrib:  # <join_time type="UNIX-epoch">1795261923</join_time>
            result[child.tag] = _xml_value(child.tag, (child.text or "").strip())
        else:
            result[child.tag] = _xml_element(child)
    return result


def parse_xml_list(body):
    """``conference [<name>] xml_list`` -> list of conference dicts: the attributes of
    ``<conference>`` (name, member-count, rate, uuid, flags...), ``variables`` and ``members``."""
    text = _as_text(body).strip()
    if _refuse_unless_listing(text, "xml_list"):
        return []
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError:
        raise SwitchRefused(message=f"unreadable xml_list reply: {text[:200]}") from None
    return [_xml_element(conference) for conference in root.findall("conference")]
