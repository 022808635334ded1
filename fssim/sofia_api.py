"""The ``sofia`` api command (mod_sofia.c sofia_function / cmd_profile / cmd_status),
with the reply texts fixtures round 5 recorded.

Modelled, each shown by a round-5 fixture: ``sofia status``, ``sofia status
gateway [<name>]``, ``sofia profile <p> start|rescan|restart|stop|killgw <gw>|
startgw <gw>``. Replies taken from mod_sofia.c that no fixture shows are marked
"not recorded" below. Everything else (``xmlstatus``, ``jsonstatus``, ``status
profile``, ``register``, ``siptrace``...) answers ``-ERR fssim: ... not modelled``:
the simulator refuses rather than guesses.
"""
from fssim import sofia_gateways, sofia_status_text

RELOAD = "Reload XML [Success]\n"
MIN_UP_SECONDS = 10


def not_modelled(words):
    return f"-ERR fssim: sofia {' '.join(words[:2])} is not modelled\n"


def cmd_sofia(core, args):
    words = args.split()
    if not words:
        return not_modelled(words)
    if words[0] == "status":
        return _status(core.sofia, words[1:])
    if words[0] == "profile":
        return _profile(core.sofia, words[1:])
    if words[0] in ("xmlstatus", "jsonstatus", "help", "global", "loglevel", "tracelevel",
                    "recover"):
        return not_modelled(words)
    return f"Unknown Command [{words[0]}]\n"   # not recorded (mod_sofia.c)


def _status(sofia, words):
    if not words:
        return sofia_status_text.profiles_table(sofia)
    if words[0] == "gateway" and len(words) == 1:
        return sofia_status_text.gateways_table(sofia)
    if words[0] == "gateway":
        gateway = sofia.gateway(words[1])
        if gateway is None:
            return "Invalid Gateway!\n"
        return sofia_status_text.gateway_detail(sofia, gateway, sofia.core.clock.now())
    return not_modelled(["status"] + words)


def _profile(sofia, words):
    if len(words) < 2:
        return "Invalid Args!\n"                     # not recorded (mod_sofia.c)
    name, action = words[0], words[1]
    if action == "start":
        return _start(sofia, name)
    profile = sofia.profiles.get(name)
    if profile is None:
        return f"Invalid Profile [{name}]"
    handler = {"rescan": _rescan, "killgw": _killgw, "startgw": _startgw, "stop": _stop_restart,
               "restart": _stop_restart}.get(action)
    if handler is None:
        return not_modelled(["profile", action])
    return handler(sofia, profile, action, words[2:])


def _start(sofia, name):
    if name in sofia.profiles:               # not recorded: config_sofia in rescan mode
        _rescan(sofia, sofia.profiles[name], "rescan", [])
        return RELOAD + f"{name} started successfully\n"
    first = sofia.fetch(name, sofia_gateways.CONFIG_CALL, reconfig=True)
    second = sofia.fetch(name, sofia_gateways.WORKER_CALL) if first else None
    if second is None:
        return RELOAD + f"Failure starting {name}\n"   # not recorded (mod_sofia.c)
    sofia.start(name, second)
    return RELOAD + f"{name} started successfully\n"


def _rescan(sofia, profile, action, rest):
    parsed = sofia.fetch(profile.name, sofia_gateways.CONFIG_CALL, reconfig=True)
    if parsed is None:                        # not recorded (mod_sofia.c)
        return RELOAD + f"-ERR cannot find config for profile {profile.name}\n"
    for name, params in parsed[1]:
        sofia.add_gateway(profile, name, params)
    return RELOAD + "+OK scan complete\n"


def _killgw(sofia, profile, action, rest):
    if not rest:
        return "-ERR missing gw name\n"            # not recorded (mod_sofia.c)
    if rest[0] == "_all_":                         # not recorded (mod_sofia.c)
        for gateway in profile.gateways:
            sofia.mark_for_deletion(gateway)
        return "+OK every gateway marked for deletion.\n"
    gateway = sofia.gateway(rest[0])
    if gateway is None:
        return "-ERR no such gateway.\n"
    sofia.mark_for_deletion(gateway)
    return "+OK gateway marked for deletion.\n"


def _startgw(sofia, profile, action, rest):
    if not rest:
        return "-ERR missing gw name\n"            # not recorded (mod_sofia.c)
    parsed = sofia.fetch(profile.name, sofia_gateways.CONFIG_CALL, reconfig=True,
                         gateway=rest[0])
    params = dict(parsed[1]).get(rest[0]) if parsed else None
    if params is None:                             # not recorded (mod_sofia.c)
        return RELOAD + f"-ERR cannot add gateway {rest[0]} for profile {profile.name}\n"
    sofia.add_gateway(profile, rest[0], params)
    return RELOAD + f"+OK start gateway {rest[0]} complete\n"


def _stop_restart(sofia, profile, action, rest):
    up = int(sofia.core.clock.now() - profile.started)
    if up < MIN_UP_SECONDS:
        wait = MIN_UP_SECONDS - up
        return (f"Profile {profile.name} must be up for at least {MIN_UP_SECONDS} seconds to "
                f"stop/restart.\nPlease wait {wait} second{'' if wait == 1 else 's'}\n")
    sofia.stop(profile.name)
    if action == "stop":
        return RELOAD + f"stopping: {profile.name}"
    sofia.core.clock.later(sofia_gateways.RESTART_SECONDS, _restarted, sofia, profile.name)
    return RELOAD + f"restarting: {profile.name}"


def _restarted(sofia, name):
    first = sofia.fetch(name, sofia_gateways.CONFIG_CALL)
    second = sofia.fetch(name, sofia_gateways.WORKER_CALL) if first else None
    if second is not None:
        sofia.start(name, second)

