"""originate and `conference <room> dial|bgdial`: endpoints, {var=value} prefixes,
loopback calls, and device calls (user/, sofia/) with their recorded outcomes."""
import logging
import re
import uuid as uuidlib

import gevent

from fssim import gateway_calls, loopback
from fssim.argsplit import separate_string
from fssim.devices import dial_device, originate_device

log = logging.getLogger(__name__)

PREFIX = re.compile(r"^\{([^}]*)\}")
APP = re.compile(r"^&(\w+)\((.*)\)$")


def split_variables(endpoint):
    """'{a=1,b=x|y}loopback/..' -> ([('a','1'),('b','x|y')], 'loopback/..').
    A comma always ends a value, so 'flags=mute,moderator' keeps only 'mute'."""
    match = PREFIX.match(endpoint)
    if not match:
        return [], endpoint
    pairs = []
    for item in match.group(1).split(","):
        name, sep, value = item.partition("=")
        if sep and name:
            pairs.append((name.strip(), value.strip("'")))
    return pairs, endpoint[match.end():]


def _loopback_target(target):
    parts = target.split("/")
    return (parts[1] if len(parts) > 1 else ""), (parts[2] if len(parts) > 2 else "default")


def originate(core, args):
    """`originate <endpoint> <exten|&app(arg)> [dialplan] [context]` -> reply text.
    Split as originate_function does: switch_separate_string into at most 10 arguments."""
    words = separate_string(args, " ", 10)
    if len(words) < 2:
        return "-USAGE: <call url> <exten>|&<application_name>(<app_args>) " \
               "[<dialplan>] [<context>] [<cid_name>] [<cid_num>] [<timeout_sec>]\n"
    variables, target = split_variables(words[0])
    values = dict(variables)
    cid_name = values.get("origination_caller_id_name", "")
    cid_number = values.get("origination_caller_id_number", "0000000000")
    if gateway_calls.is_gateway_target(target):   # round-5 hook: sofia/gateway/...
        return gateway_calls.originate(core, variables, target, words[1])
    if not target.startswith("loopback/"):
        return originate_device(core, variables, target, words[1])
    extension, context = _loopback_target(target)
    if core.dialplan.lookup(extension)[0] is None:
        return "-ERR NO_ROUTE_DESTINATION\n"
    a_leg, b_leg = loopback.make_pair(core, extension, context, variables, cid_name,
                                      cid_number)
    loopback.bring_up(core, a_leg, b_leg, core.dialplan.dp_match(extension))
    core.dialplan.route(b_leg)
    _run_destination(core, a_leg, words[1], b_leg.profile)
    return f"+OK {a_leg.uuid}\n"


def _run_destination(core, channel, destination, caller):
    app = APP.match(destination)
    if app:
        if app.group(1) == "conference":
            room = app.group(2).split("@")[0]
            gevent.spawn(core.conferences.join, channel, room, "default", (), True)
        return
    loopback.transfer_to_extension(channel, destination, caller,
                                   core.dialplan.dp_match(destination), flip=False)
    channel.hit_dialplan = False
    gevent.spawn(_route_when_up, core, channel, destination, caller)


def _route_when_up(core, channel, destination, caller):
    """The transferred leg reaches the dialplan in its own thread, after the other
    leg's dialplan ran: a call that already ended (e.g. join-only refused) never does
    (round4 join_only_into_missing_room: transferred, Channel-HIT-Dialplan false)."""
    if not channel.is_up or (channel.partner is not None and not channel.partner.is_up):
        return
    channel.hit_dialplan = True
    loopback.flip_on_route(channel, caller)
    core.dialplan.route(channel, destination)


def conference_dial(core, name, conf, command, words):
    """`conference <room> dial|bgdial <endpoint> [<num> [<name>]]`; `words` are the
    arguments after the subcommand, split (and unquoted) by switch_separate_string.
    As conference_api_sub_dial: argv[3] is the number, argv[4] the name, the rest unused."""
    if not words:
        return f"-ERR Usage: {command} <endpoint_module_name>/<destination> " \
               "<callerid number> <callerid name>\n"
    number = words[1] if len(words) > 1 else "0000000000"
    display = words[2] if len(words) > 2 else "conference"
    if command == "dial":
        result = dial_out(core, name, words[0], number, display, job_uuid=None)
        return f"+OK Call Requested: result: [{result}]\n"
    job_uuid = str(uuidlib.uuid4())
    gevent.spawn(dial_out, core, name, words[0], number, display, job_uuid)
    return f"+OK Job-UUID: {job_uuid}\n"


def _dial_variables(existed, endpoint_variables, job_uuid, display, number):
    out = [] if existed else [("ignore_early_media", "true")]
    if job_uuid:
        out.append(("conference_bgdial_jobid", job_uuid))
    out += endpoint_variables
    names = {n for n, _ in out}
    if "origination_caller_id_name" not in names:
        out.append(("origination_caller_id_name", display))
    if "origination_caller_id_number" not in names:
        out.append(("origination_caller_id_number", number))
    return out


def dial_out(core, name, endpoint, number, display, job_uuid):
    """Place the outbound leg and join it to room `name`; returns the result cause."""
    existed = core.conferences.get(name) is not None
    endpoint_variables, target = split_variables(endpoint)
    variables = _dial_variables(existed, endpoint_variables, job_uuid, display, number)
    # {origination_caller_id_*=...} on the endpoint win over the arguments (round4
    # bgdial_vars_caller_id)
    display = dict(variables).get("origination_caller_id_name", display)
    number = dict(variables).get("origination_caller_id_number", number)
    if target.startswith("loopback/"):
        result, member_leg = _dial_loopback(core, target, variables, display, number, existed)
    elif gateway_calls.is_gateway_target(target):   # round-5 hook: sofia/gateway/...
        result, member_leg = gateway_calls.dial(core, target, variables, display, number)
    else:
        result, member_leg = dial_device(core, target, variables, display, number)
    conf = core.conferences.get(name)
    if job_uuid and existed and conf is not None:
        extras = [("Result", result), ("Job-UUID", job_uuid)]
        if member_leg is not None:   # round 5: a `|` chain may answer with another Result
            extras.append(("Peer-UUID", member_leg.uuid))
        conf.emit_conference("bgdial-result", extras)
    if member_leg is not None:
        loopback.flip_in_place(member_leg)
        flags = member_leg.get_variable("outcall_flags")
        # As recorded: outcall_flags show up in the application data, while
        # conference_member_flags are applied without appearing there.
        member_leg.set_variable("current_application_data",
                                f"{name}+flags{{{flags}}}" if flags else name)
        member_leg.set_variable("current_application", "conference")
        profile = conf.profile.name if conf else "default"
        if core.conferences.join(member_leg, name, profile, dial_out=True) is None:
            member_leg.hangup("NORMAL_CLEARING")  # refused (join-only, full room)
    return result


def _dial_loopback(core, target, variables, display, number, existed):
    extension, context = _loopback_target(target)
    if core.dialplan.lookup(extension)[0] is None:
        return "NO_ROUTE_DESTINATION", None
    a_leg, b_leg = loopback.make_pair(core, extension, context, variables, display, number,
                                      early_media="true" if existed else "false")
    loopback.bring_up(core, a_leg, b_leg, core.dialplan.dp_match(extension))
    core.dialplan.route(b_leg)
    return "SUCCESS", a_leg
