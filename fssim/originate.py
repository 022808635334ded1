"""originate and `conference <room> dial|bgdial`: endpoints, {var=value} prefixes,
loopback calls, and device calls (user/, sofia/) with their recorded outcomes."""
import logging
import re
import uuid as uuidlib

import gevent

from fssim import loopback

log = logging.getLogger(__name__)

PREFIX = re.compile(r"^\{([^}]*)\}")


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


def _origination_ids(variables, default_name, default_number):
    values = dict(variables)
    return (values.get("origination_caller_id_name", default_name),
            values.get("origination_caller_id_number", default_number))


def start_loopback(core, target, variables, cid_name, cid_number):
    """Both legs up (CHANNEL_CREATE x2, CHANNEL_ANSWER x2); returns (a, b) or None."""
    parts = target.split("/")
    extension = parts[1] if len(parts) > 1 else ""
    context = parts[2] if len(parts) > 2 else "default"
    handler, _ = core.dialplan.lookup(extension)
    if handler is None:
        return None
    a_leg, b_leg = loopback.make_pair(core, extension, context, variables, cid_name,
                                      cid_number)
    a_leg.announce()
    b_leg.announce()
    a_leg.answer()
    b_leg.set_state("CS_EXECUTE", "RINGING")
    b_leg.answer()
    a_leg.set_state("CS_EXECUTE", "ACTIVE")
    b_leg.set_state("CS_EXECUTE", "ACTIVE")
    b_leg.set_variable("endpoint_disposition", "ANSWER")
    return a_leg, b_leg


def originate(core, args):
    """`originate <endpoint> <dest|&app(arg)> [dialplan] [context]` -> reply text."""
    words = args.split()
    if len(words) < 2:
        return "-USAGE: <call url> <exten>|&<application_name>(<app_args>) " \
               "[<dialplan>] [<context>] [<cid_name>] [<cid_num>] [<timeout_sec>]\n"
    variables, target = split_variables(words[0])
    destination = words[1]
    cid_name, cid_number = _origination_ids(variables, "", "0000000000")
    if target.startswith("loopback/"):
        legs = start_loopback(core, target, variables, cid_name, cid_number)
        if legs is None:
            return "-ERR NO_ROUTE_DESTINATION\n"
        a_leg, b_leg = legs
        core.dialplan.route(b_leg)
        _run_destination(core, a_leg, destination, b_leg.profile)
        return f"+OK {a_leg.uuid}\n"
    from fssim.devices import originate_device
    return originate_device(core, variables, target, destination)


def _run_destination(core, channel, destination, caller):
    app = re.match(r"^&(\w+)\((.*)\)$", destination)
    if app:
        if app.group(1) == "conference":
            gevent.spawn(channel.join_conference, app.group(2).split("@")[0])
        return
    loopback.flip_to_far_extension(channel, destination, caller)
    core.dialplan.route(channel, destination)


def conference_dial(core, name, conf, command, rest):
    """`conference <room> dial|bgdial <endpoint> [<num> [<name>]]`."""
    words = rest.split()
    if not words:
        return f"-ERR Usage: {command} <endpoint_module_name>/<destination> " \
               "<callerid number> <callerid name>\n"
    number = words[1] if len(words) > 1 else "0000000000"
    display = " ".join(words[2:]) if len(words) > 2 else "conference"
    if command == "dial":
        result = dial_out(core, name, words[0], number, display, job_uuid=None)
        return f"+OK Call Requested: result: [{result}]\n"
    job_uuid = str(uuidlib.uuid4())
    gevent.spawn(dial_out, core, name, words[0], number, display, job_uuid)
    return f"+OK Job-UUID: {job_uuid}\n"


def dial_out(core, name, endpoint, number, display, job_uuid):
    """Place the outbound leg and join it to room `name`; returns the result cause."""
    existed = core.conferences.get(name) is not None
    variables, target = split_variables(endpoint)
    if job_uuid:
        variables.append(("conference_bgdial_jobid", job_uuid))
    variables += [("origination_caller_id_name", display),
                  ("origination_caller_id_number", number)]
    if target.startswith("loopback/"):
        legs = start_loopback(core, target, variables, display, number)
        if legs is None:
            result, member_leg = "NO_ROUTE_DESTINATION", None
        else:
            member_leg, far_leg = legs
            loopback.flip_to_far_extension(member_leg, far_leg.profile.destination_number,
                                           member_leg.profile)
            core.dialplan.route(far_leg)
            result = "SUCCESS"
    else:
        from fssim.devices import dial_device
        result, member_leg = dial_device(core, target, variables, display, number)
    conf = core.conferences.get(name)
    if job_uuid and existed and conf is not None:
        extras = [("Result", result), ("Job-UUID", job_uuid)]
        if member_leg is not None and result == "SUCCESS":
            extras.append(("Peer-UUID", member_leg.uuid))
        conf.emit_conference("bgdial-result", extras)
    if result == "SUCCESS" and member_leg is not None:
        profile = conf.profile.name if conf else "default"
        core.conferences.join(member_leg, name, profile, dial_out=True)
    return result
