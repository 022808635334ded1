"""`api sim_*` commands: simulator-only controls over the ESL socket (see README).

Arguments are `key=value` words after the positional ones; values cannot hold spaces
except the last free-text field (caller id name), which takes the rest of the line.
"""
import json

from fssim import control, devices


def _options(words):
    positional, options = [], {}
    for word in words:
        key, sep, value = word.partition("=")
        if sep:
            options[key] = value
        else:
            positional.append(word)
    return positional, options


def _truthy(value):
    return str(value).lower() in ("1", "true", "yes", "on")


def sim_join(core, args):
    """sim_join <room> <cid_number> [moderator=true] [flags=a|b] [profile=p] [far=talk]
    [var_<name>=<value>...] [<cid name words>]"""
    positional, options = _options(args.split())
    if len(positional) < 2:
        return "-ERR usage: sim_join <room> <cid_number> [key=value...] [<cid_name>]\n"
    room, number = positional[0], positional[1]
    name = " ".join(positional[2:]) or number
    variables = {k[4:]: v for k, v in options.items() if k.startswith("var_")}
    flags = [f for f in options.get("flags", "").split("|") if f]
    member = control.join(core, room, number, name, _truthy(options.get("moderator")),
                          flags, variables, options.get("profile", "default"),
                          options.get("far", "silent"))
    if member is None:
        return f"-ERR conference {room} is locked\n"
    return f"+OK {member.id} {member.uuid}\n"


def _with_uuid(action):
    def handler(core, args):
        words = args.split()
        if not words:
            return "-ERR usage: <uuid|member_id> ...\n"
        try:
            extra = action(core, words[0], words[1:])
        except control.ControlError as exc:
            return f"-ERR {exc}\n"
        return "+OK" + (f" {extra}" if extra else "") + "\n"
    return handler


def _talk(core, uuid, rest):
    control.talk(core, uuid, float(rest[0]) if rest else None)


def _stop(core, uuid, rest):
    control.stop_talking(core, uuid)


def _dtmf(core, uuid, rest):
    control.dtmf(core, uuid, rest[0] if rest else "")


def _speak(core, uuid, rest):
    if not rest:
        raise control.ControlError("usage: sim_speak <uuid|member_id> <file.wav>")
    segment = control.speak(core, uuid, rest[0])
    return f"{segment.seconds:.3f}"


def _hangup(core, uuid, rest):
    control.hangup(core, uuid, rest[0] if rest else "NORMAL_CLEARING")


def _voice(core, uuid, rest):
    control.play_voice(core, uuid, rest[0] if rest else "silence_stream://-1")


def _burst(core, uuid, rest):
    count = int(rest[0]) if rest else 100
    rate = float(rest[1]) if len(rest) > 1 else 1000.0
    control.talk_burst(core, uuid, count, rate)
    return f"{count} events at {rate:g}/s"


def sim_register(core, args):
    """sim_register <user> <domain> [answer|no_answer|busy|reject|unreachable]
    [contact=<host:port>]"""
    words, options = _options(args.split())
    if len(words) < 2:
        return "-ERR usage: sim_register <user> <domain> [behaviour] [contact=host:port]\n"
    try:
        devices.register(core, words[0], words[1], words[2] if len(words) > 2 else "answer",
                         options.get("contact"))
    except ValueError as exc:
        return f"-ERR {exc}\n"
    return f"+OK {words[0]}@{words[1]} registered\n"


def sim_unregister(core, args):
    words = args.split()
    if len(words) < 2 or devices.unregister(core, words[0], words[1]) is None:
        return "-ERR no such device\n"
    return f"+OK {words[0]}@{words[1]} unregistered\n"


def sim_log(core, args):
    """The command log as JSON: [{"connection": n, "command": "..."}...]."""
    entries = core.command_log[-int(args):] if args.strip().isdigit() else core.command_log
    return json.dumps(entries) + "\n"


def sim_add_profile(core, args):
    """sim_add_profile <name> [rate=16000] [verbose_events=true] [energy_level=200]..."""
    positional, options = _options(args.split())
    if not positional:
        return "-ERR usage: sim_add_profile <name> [key=value...]\n"
    settings = {}
    for key, value in options.items():
        settings[key] = _truthy(value) if key == "verbose_events" else (
            int(value) if value.lstrip("-").isdigit() else value)
    try:
        core.add_profile(positional[0], **settings)
    except TypeError as exc:
        return f"-ERR {exc}\n"
    return f"+OK profile {positional[0]}\n"


def sim_carrier_plan(core, args):
    """sim_carrier_plan <regex> <answer|busy|no_answer|reject|no_route|blackhole>: this
    switch answers gateway calls for numbers matching regex that way (round-5 hook,
    fssim/carrier_plan.py); replies ``+OK <host>:<port>`` (the gateway proxy)."""
    from fssim.carrier_plan import BEHAVIOURS, CarrierSide
    words = args.split()
    if len(words) != 2 or words[1] not in BEHAVIOURS:
        return f"-ERR usage: sim_carrier_plan <regex> <{'|'.join(BEHAVIOURS)}>\n"
    if core.carrier is None:
        core.carrier = CarrierSide(core)
    try:
        core.carrier.add_rule(words[0], words[1])
    except Exception as exc:  # a bad regex
        return f"-ERR {exc}\n"
    return "+OK %s:%d\n" % core.carrier.address


SIM_COMMANDS = {
    "sim_join": sim_join, "sim_talk": _with_uuid(_talk), "sim_stop_talking": _with_uuid(_stop),
    "sim_dtmf": _with_uuid(_dtmf), "sim_hangup": _with_uuid(_hangup),
    "sim_voice": _with_uuid(_voice), "sim_speak": _with_uuid(_speak), "sim_talk_burst": _with_uuid(_burst),
    "sim_register": sim_register, "sim_unregister": sim_unregister, "sim_log": sim_log,
    "sim_add_profile": sim_add_profile,
    "sim_carrier_plan": sim_carrier_plan,   # round-5 hook (fssim/carrier_plan.py)
}
