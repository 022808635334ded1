"""`conference ...` api: argument parsing and the exact reply texts of mod_conference."""
from fssim import listing
from fssim.argsplit import separate_with_offsets
from fssim.conference_members_api import MEMBER_COMMANDS
from fssim.conference_room_api import ROOM_COMMANDS
from fssim.originate import conference_dial

NO_SUBCOMMAND = "Conference command, not specified.\nTry 'help'\n"
MAX_ARGS = 25  # conference_api_main_real: char *argv[25], split by switch_separate_string


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
    name = words[0]
    if len(words) == 1:
        return NO_SUBCOMMAND
    command = words[1]
    # Handlers get the raw text from the third argument on: they split it the same
    # way, and say/saymember take it whole (CONF_API_SUB_ARGS_AS_ONE).
    rest = args[parsed[2][0]:] if len(parsed) > 2 else ""
    conf = core.conferences.get(name)
    if command in ("dial", "bgdial"):
        return conference_dial(core, name, conf, command, words[2:])
    if conf is None:
        return f"-ERR Conference {name} not found\n"
    handler = ROOM_COMMANDS.get(command) or MEMBER_COMMANDS.get(command)
    if handler is None:
        return f"-ERR Conference command '{command}' not found.\n"
    return handler(core, conf, rest)


def list_all(core, words):
    conferences = core.conferences.all()
    if not conferences:
        return "+OK No active conferences.\n"
    if words[:1] == ["summary"]:
        return "".join(listing.summary_line(conf) for conf in conferences)
    delim = words[1] if words[:1] == ["delim"] and len(words) > 1 else ";"
    return "".join(listing.summary_line(conf) + listing.member_lines(conf, delim)
                   for conf in conferences)
