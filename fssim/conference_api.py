"""`conference ...` api (conference_api_main_real): argument splitting, the commands
that need no room (list, json_list, xml_list, count, dial, bgdial), and the dispatch
of the others (fssim/conference_dispatch.py) to the command table below."""
from fssim import listing
from fssim.argsplit import separate_with_offsets
from fssim.conference_dispatch import dispatch
from fssim.conference_members_api import MEMBER_COMMANDS
from fssim.conference_play_api import PLAY_COMMANDS
from fssim.conference_room_api import ROOM_COMMANDS
from fssim.conference_settings_api import SETTINGS_COMMANDS
from fssim.originate import conference_dial

NO_SUBCOMMAND = "Conference command, not specified.\nTry 'help'\n"
MAX_ARGS = 25  # conference_api_main_real: char *argv[25], split by switch_separate_string
COMMANDS = {**ROOM_COMMANDS, **PLAY_COMMANDS, **SETTINGS_COMMANDS, **MEMBER_COMMANDS}


def conference_api(core, args):
    """args: everything after `conference`. Returns the reply body."""
    parsed = separate_with_offsets(args, " ", MAX_ARGS)
    words = [arg for _, arg in parsed]
    now = core.clock.now()
    if not words or words[0] == "list":
        return list_all(core, words[1:])
    if words[0] == "json_list":
        compact = "compact" in words[1:]
        return listing.json_list(core.conferences.all(), now, compact)
    if words[0] == "xml_list":
        return listing.xml_list(core.conferences.all(), now)
    if words[0] == "count" and core.conferences.get("count") is None:  # no fixture shows it
        return str(len(core.conferences.all()))
    name = words[0]
    conf = core.conferences.get(name)
    if conf is None:
        if len(words) > 1 and words[1] in ("dial", "bgdial"):
            return conference_dial(core, name, None, words[1], words[2:])
        return f"-ERR Conference {name} not found\n"
    if len(words) == 1:
        return NO_SUBCOMMAND
    command_name = words[1].lower()
    if command_name in ("dial", "bgdial"):
        return conference_dial(core, name, conf, command_name, words[2:])
    command = COMMANDS.get(command_name)
    if command is None:
        return f"-ERR Conference command '{words[1]}' not found.\n"
    return dispatch(core, conf, command_name, command, words, args)


def list_all(core, words):
    conferences = core.conferences.all()
    if not conferences:
        return "+OK No active conferences.\n"
    if words[:1] == ["summary"]:
        return "".join(listing.summary_line(conf) for conf in conferences)
    delim = words[1] if words[:1] == ["delim"] and len(words) > 1 else ";"
    return "".join(listing.summary_line(conf) + listing.member_lines(conf, delim)
                   for conf in conferences)
