"""Room-level `conference <name> <command>` handlers: list, lock, play, say, recording,
variables, relate. Each returns the exact reply body FreeSWITCH gives."""
from fssim import listing
from fssim.argsplit import separate_string
from fssim.conference_members_api import non_existant

NO_REPLY = "-ERR no reply\n"


def cmd_list(core, conf, rest):
    words = separate_string(rest)
    if words[:1] == ["count"]:
        return str(len(conf.members))
    delim = words[1] if words[:1] == ["delim"] and len(words) > 1 else ";"
    return listing.member_lines(conf, delim)


def cmd_count(core, conf, rest):
    return str(len(conf.members))


def cmd_get(core, conf, rest):
    words = separate_string(rest)
    values = {"count": str(len(conf.members)), "locked": "true" if conf.locked else "false",
              "uuid": conf.uuid, "profile_name": conf.profile.name,
              "run_time": str(int(core.clock.now() - conf.created)),
              "rate": str(conf.profile.rate)}
    if not words or words[0] not in values:
        return "-ERR Conference command 'get' requires a parameter.\n" if not words else \
            "-ERR Conference parameter not found.\n"
    return values[words[0]]


def cmd_json_list(core, conf, rest):
    return listing.json_list([conf], core.clock.now(), "compact" in separate_string(rest))


def cmd_xml_list(core, conf, rest):
    return listing.xml_list([conf], core.clock.now())


def cmd_lock(core, conf, rest):
    conf.set_lock(True)
    return f"+OK {conf.name} locked\n"


def cmd_unlock(core, conf, rest):
    conf.set_lock(False)
    return f"+OK {conf.name} unlocked\n"


def cmd_play(core, conf, rest):
    words = separate_string(rest)
    if not words:
        return "(play) <file_path> [async|<member_id> [nomux]]\n"
    path = words[0]
    target = words[1] if len(words) > 1 else None
    if target and target.isdigit():
        member = conf.find(int(target))
        if member is None:
            return f"-ERR Member: {target} not found.\n"
        conf.playback.play_member(member, path)
        return f"+OK (play) Playing file {path} to member {target}\n"
    conf.playback.play_room(path, is_async=(target == "async"))
    return f"+OK (play) Playing file {path}\n"


def cmd_say(core, conf, rest):
    if not rest.strip():
        return "-ERR (say) Error!\n"
    conf.emit_conference("speak-text", [("Text", rest.strip())])
    return "+OK (say) OK\n"


def cmd_stop(core, conf, rest):
    words = separate_string(rest)
    if len(words) > 1 and words[1].isdigit():
        member = conf.find(int(words[1]))
        count = conf.playback.stop_member_current(member) if member else 0
    else:
        count = conf.playback.stop_current()
    return f"+OK Stopped {count} files.\n"


def cmd_setvar(core, conf, rest):
    name, _, value = rest.strip().partition(" ")
    if not name:
        return "-ERR Conference command 'setvar' requires a variable name.\n"
    conf.variables.pop(name, None)
    if value:
        conf.variables[name] = value
    return "+OK\n"


def cmd_getvar(core, conf, rest):
    value = conf.variables.get(rest.strip())
    return value if value else NO_REPLY


def cmd_recording(core, conf, rest):
    words = separate_string(rest)
    action = words[0] if words else ""
    path = words[1] if len(words) > 1 else ""
    recorder = core.recorder
    if action == "start" and path:
        recorder.start(conf, path)
        return f"+OK Record file {path}\n"
    if action == "check":
        return "".join(f"+OK Record file {node.path}\n" for node in conf.recordings) \
            or f"-ERR Conference {conf.name} not recording\n"
    if action == "stop" and path:
        return _stop_recordings(core, conf, path)
    if action in ("pause", "resume") and path:
        verb = "Pause" if action == "pause" else "Resume"
        node = recorder.find(conf, path)
        reply = f"+OK {verb} recording file {path}\n"
        if node is None:
            return reply + f"-ERR non-existant recording '{path}'\n"
        recorder.pause(conf, node, action == "pause")
        return reply
    return "-ERR Usage: recording [start|stop|check|pause|resume] <file_path>\n"


def _stop_recordings(core, conf, path):
    nodes = list(conf.recordings) if path == "all" else \
        [node for node in conf.recordings if node.path == path]
    if not nodes:
        return f"-ERR non-existant recording '{path}'\n+OK Stopped recording 0 files\n"
    text = ""
    for node in nodes:
        core.recorder.stop(conf, node)
        text += f"Stopped recording file {node.path}\n"
    return text + "+OK Stopped recording 0 files\n"


def cmd_floor(core, conf, rest):
    word = rest.strip()
    member = conf.find(int(word)) if word.isdigit() else None
    if member is None:
        return non_existant(word)
    holder = conf.floor_holder
    if holder is member:
        conf.set_floor(None)
        return "+OK floor none\n"
    if holder is None:
        conf.set_floor(member)
        return f"+OK floor {member.id}\n"
    return f"-ERR floor is held by {holder.id}\n"


ROOM_COMMANDS = {
    "list": cmd_list, "count": cmd_count, "get": cmd_get, "json_list": cmd_json_list,
    "xml_list": cmd_xml_list, "lock": cmd_lock, "unlock": cmd_unlock, "play": cmd_play,
    "say": cmd_say, "stop": cmd_stop, "setvar": cmd_setvar, "getvar": cmd_getvar,
    "recording": cmd_recording, "floor": cmd_floor,
}
