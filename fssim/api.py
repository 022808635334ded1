"""`api` commands: FreeSWITCH's (version, status, conference, originate, show, uuid_*,
hupall...) and the simulator-only `sim_*` controls. Each returns the reply body."""
import logging
import uuid as uuidlib

import gevent

from fssim import directory
from fssim.conference_api import conference_api
from fssim.originate import originate
from fssim.show import show
from fssim.sim_commands import SIM_COMMANDS
from fssim.sofia_api import cmd_sofia
from fssim.uuid_dump import uuid_dump  # focus hook (issue 18)
from fssim.uuid_record import uuid_record

log = logging.getLogger(__name__)

VERSION = "FreeSWITCH Version 1.11.3-dev~64bit ( 64bit)\n"
BGAPI_CALL = ("mod_commands.c", "bgapi_exec", 5423)


def cmd_version(core, args):
    return VERSION


def cmd_status(core, args):
    up = core.clock.now() - core.started
    days, rest = divmod(int(up), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    millis = int((up - int(up)) * 1000)
    micros = int((up - int(up)) * 1_000_000) % 1000
    sessions = len(core.channels)
    return (f"UP 0 years, {days} days, {hours} hours, {minutes} minutes, {seconds} seconds, "
            f"{millis} milliseconds, {micros} microseconds\n"
            "FreeSWITCH (Version 1.11.3-dev  64bit) is ready\n"
            f"{core.sessions_since_start} session(s) since startup\n"
            f"{sessions} session(s) - peak {sessions}, last 5min {sessions} \n"
            "0 session(s) per Sec out of max 20, peak 2, last 5min 2 \n"
            "40 session(s) max\nmin idle cpu 0.00/98.60\n"
            "Current Stack Size/Max 240K/8192K\n")


MODULES = {"mod_conference", "mod_event_socket", "mod_loopback", "mod_commands", "mod_sofia",
           "mod_dptools", "mod_tone_stream", "mod_sndfile", "mod_flite", "mod_xml_curl"}


def cmd_module_exists(core, args):
    loaded = MODULES | ({"mod_shout"} if core.files.shout else set())
    return "true" if args.strip() in loaded else "false"


def cmd_originate(core, args):
    return originate(core, args)


def cmd_uuid_kill(core, args):
    words = args.split()
    channel = core.channel(words[0]) if words else None
    if channel is None:
        return "-ERR No such channel!\n"
    channel.hangup(words[1] if len(words) > 1 else "NORMAL_CLEARING")
    return "+OK\n"


def cmd_hupall(core, args):
    cause = (args.split() or ["NORMAL_CLEARING"])[0]
    channels = list(core.channels.values())
    # Channels outside conferences end first; members take a moment to leave.
    for channel in sorted(channels, key=lambda ch: ch.member is not None):
        channel.hangup(cause)
    return f"+OK hangup all channels with cause {cause}\n"


def cmd_uuid_getvar(core, args):
    words = args.split()
    channel = core.channel(words[0]) if words else None
    if channel is None:
        return "-ERR No such channel!\n"
    value = channel.get_variable(words[1]) if len(words) > 1 else None
    return value if isinstance(value, str) and value else "_undef_"


def cmd_uuid_setvar(core, args):
    words = args.split(None, 2)
    channel = core.channel(words[0]) if words else None
    if channel is None or len(words) < 2:
        return "-ERR No such channel!\n"
    channel.set_variable(words[1], words[2] if len(words) > 2 else None)
    return "+OK\n"


def cmd_uuid_exists(core, args):
    return "true" if core.channel(args.strip()) else "false"


def cmd_conference(core, args):
    return conference_api(core, args)


def cmd_show(core, args):
    return show(core, args)


def cmd_global_getvar(core, args):
    return ""


def cmd_bgapi(core, args):
    """mod_commands' `bgapi <command>` (an api command, as the round4 rig used it to
    originate): "+OK Job-UUID: X" at once, the outcome in a BACKGROUND_JOB event."""
    if not args.strip():
        return "-ERR Invalid syntax\n"  # not shown by any fixture
    job_uuid = str(uuidlib.uuid4())
    gevent.spawn(run_background_job, core, job_uuid, args.strip(), BGAPI_CALL)
    return f"+OK Job-UUID: {job_uuid}\n"


def run_background_job(core, job_uuid, command, calling, extra=()):
    """Run `command`; its reply is the body of a BACKGROUND_JOB event."""
    reply = execute_api(core, command)
    name, _, args = command.partition(" ")
    headers = [("Job-UUID", job_uuid), *extra, ("Job-Command", name)]
    if args:
        headers.append(("Job-Command-Arg", args))
    core.emit(core.events.make("BACKGROUND_JOB", calling, headers, body=reply))


API_COMMANDS = {
    "version": cmd_version, "status": cmd_status, "module_exists": cmd_module_exists,
    "conference": cmd_conference, "originate": cmd_originate, "show": cmd_show,
    "uuid_kill": cmd_uuid_kill, "hupall": cmd_hupall, "uuid_getvar": cmd_uuid_getvar,
    "uuid_setvar": cmd_uuid_setvar, "uuid_exists": cmd_uuid_exists,
    "global_getvar": cmd_global_getvar, "uuid_record": uuid_record, "bgapi": cmd_bgapi,
    "user_exists": directory.user_exists, "user_data": directory.user_data,
    "sofia_contact": directory.sofia_contact,
    "sofia": cmd_sofia,   # round-5 hook: profiles and gateways (fssim/sofia_api.py)
    "uuid_dump": uuid_dump,   # focus hook (issue 18): fssim/uuid_dump.py, round 3's dump
}


def api_reply(core, line):
    """What an `api` command answers over ESL: mod_event_socket sends "-ERR no reply"
    for an empty reply."""
    return execute_api(core, line) or "-ERR no reply\n"


def execute_api(core, line):
    """One api command line -> reply body (str)."""
    name, _, args = line.strip().partition(" ")
    handler = API_COMMANDS.get(name) or SIM_COMMANDS.get(name)
    if handler is None:
        return f"-ERR {name} Command not found!\n"
    try:
        return handler(core, args.strip())
    except Exception as exc:  # the switch answers even when the simulator has a bug
        log.exception("api command failed", extra={"command": line})
        return f"-ERR {type(exc).__name__}: {exc}\n"

