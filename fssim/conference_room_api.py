"""Room-level `conference <name> <command>` handlers: list, count, lock, variables,
recording, transfer (conference_api.c). Each returns the exact reply FreeSWITCH gives;
``Usage`` appends the command's syntax.

Recording as recorded (round 1, round4): `recording start <path>` answers
"+OK Record file <path>" even when the file cannot be opened (the start-recording
event says so: fssim/recorder.py); `recording check` lists the recordings or answers
"-ERR Conference is not being recorded."; `recording stop` answers the files it stopped
and "+OK Stopped recording 0 files" (the count is taken before they end). The old verbs
record / norecord / chkrecord / pause / resume, "already being used for recording",
and `transfer` of an unknown member are not shown by any fixture.
"""
from fssim import listing
from fssim.conference_dispatch import SPLIT, Command, Usage
from fssim.relate import RELATE


def cmd_list(ctx, argv):
    conf = ctx.conf
    if argv[2:3] == ["count"]:
        return str(conf.count)
    delim = argv[3] if argv[2:3] == ["delim"] and len(argv) > 3 else ";"
    return listing.member_lines(conf, delim)


def cmd_count(ctx, argv):
    return str(ctx.conf.count)


def cmd_json_list(ctx, argv):
    return listing.json_list([ctx.conf], ctx.core.clock.now(), "compact" in argv[2:])


def cmd_xml_list(ctx, argv):
    return listing.xml_list([ctx.conf], ctx.core.clock.now())


def cmd_lock(ctx, argv):
    ctx.conf.set_lock(True)
    return f"+OK {argv[0]} locked\n"


def cmd_unlock(ctx, argv):
    ctx.conf.set_lock(False)
    return f"+OK {argv[0]} unlocked\n"


def cmd_setvar(ctx, argv):
    if len(argv) > 2:
        ctx.conf.variables.pop(argv[2], None)
        if len(argv) > 3 and argv[3]:
            ctx.conf.variables[argv[2]] = argv[3]
    return "+OK\n"


def cmd_getvar(ctx, argv):
    return ctx.conf.variables.get(argv[2], "") if len(argv) > 2 else ""


def record(ctx, argv):
    """`recording start <path>` / `record <path>`."""
    conf, recorder = ctx.conf, ctx.core.recorder
    if len(argv) <= 2:
        raise Usage()
    path = argv[2]
    if recorder.find(conf, path) is not None:
        return f"-ERR file [{path}] is already being used for recording.\n"
    recorder.start(conf, path)
    return f"+OK Record file {path}\n"


def norecord(ctx, argv):
    conf, recorder = ctx.conf, ctx.core.recorder
    if len(argv) <= 2:
        raise Usage()
    path = argv[2]
    nodes = list(conf.recordings) if path == "all" else \
        [node for node in conf.recordings if node.path == path]
    text = "".join(f"Stopped recording file {node.path}\n" for node in nodes)
    if not nodes and path != "all":
        text += f"-ERR non-existant recording '{path}'\n"
    for node in nodes:
        ctx.core.clock.later(0.02, _stop_if_running, recorder, conf, node)
    return text + "+OK Stopped recording 0 files\n"


def _stop_if_running(recorder, conf, node):
    if node in conf.recordings:
        recorder.stop(conf, node)


def check_record(ctx, argv):
    text = "".join(f"+OK Record file {node.path}\n" for node in ctx.conf.recordings)
    return text or "-ERR Conference is not being recorded.\n"


def pause_record(ctx, argv):
    conf, recorder = ctx.conf, ctx.core.recorder
    if len(argv) <= 2 or argv[1].lower() not in ("pause", "resume"):
        raise Usage()
    pause, path = argv[1].lower() == "pause", argv[2]
    text = f"+OK {'Pause' if pause else 'Resume'} recording file {path}\n"
    node = recorder.find(conf, path)
    if node is None:
        return text + f"-ERR non-existant recording '{path}'\n"
    recorder.pause(conf, node, pause)
    return text


RECORDING_VERBS = {"start": record, "stop": norecord, "check": check_record,
                   "pause": pause_record, "resume": pause_record}


def cmd_recording(ctx, argv):
    """`recording start|stop|check|pause|resume [<path>|all]` (new syntax)."""
    argv = list(argv)
    if len(argv) == 3 and argv[2].lower() in ("stop", "check"):
        argv.append("all")
    if len(argv) <= 3:
        return record(ctx, argv)
    verb = RECORDING_VERBS.get(argv[2].lower())
    if verb is None:
        raise Usage()
    return verb(ctx, [argv[0], argv[2]] + argv[3:])


def cmd_transfer(ctx, argv):
    conf = ctx.conf
    if len(argv) <= 3 or not argv[2]:
        raise Usage()
    text = ""
    for word in argv[3:]:
        member = conf.find(int(word)) if word.isdigit() else None
        if member is None:
            text += f"-ERR No Member {word} in conference {conf.name}.\n"
            continue
        text += f"+OK Member '{member.id}' sent to conference {argv[2]}.\n"
        ctx.core.conferences.transfer(member, conf, argv[2])
    return text


ROOM_COMMANDS = {
    "list": Command(SPLIT, cmd_list, "[delim <string>]|[count]"),
    "count": Command(SPLIT, cmd_count, ""),
    "json_list": Command(SPLIT, cmd_json_list, "[compact]"),
    "xml_list": Command(SPLIT, cmd_xml_list, ""),
    "lock": Command(SPLIT, cmd_lock, ""), "unlock": Command(SPLIT, cmd_unlock, ""),
    "setvar": Command(SPLIT, cmd_setvar, "<varname> <value>"),
    "getvar": Command(SPLIT, cmd_getvar, "<varname>"),
    "recording": Command(SPLIT, cmd_recording,
                         "[start|stop|check|pause|resume] [<filename>|all]"),
    "record": Command(SPLIT, record, "<filename>"),
    "norecord": Command(SPLIT, norecord, "<[filename|all]>"),
    "chkrecord": Command(SPLIT, check_record, "<confname>"),
    "pause": Command(SPLIT, pause_record, "<filename>"),
    "resume": Command(SPLIT, pause_record, "<filename>"),
    "transfer": Command(SPLIT, cmd_transfer, "<conference_name> <member id> [...<member id>]"),
    "relate": RELATE,
}
