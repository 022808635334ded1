"""`conference <room> get|set|enter_sound|exit_sound` (conference_api.c) as recorded in
round4 (get_*, set_*, enter_sound_*, exit_sound_*):

- `get <name>` answers a bare value, no newline (run_time, count, count_ghosts,
  max_members, rate, profile_name, sound_prefix, caller_id_name, caller_id_number,
  is_locked, endconference_grace_time, uuid, wait_mod); any other name, `locked`
  included, is the usage "get <parameter-name>";
- `set <name> <value>` answers the previous value (max_members,
  endconference_grace_time: numbers >= 0; sound_prefix, caller_id_name,
  caller_id_number: not shown by any fixture);
- `enter_sound|exit_sound on|off|none|file <f>` -> "+OK <room> enter sounds off (<file>)"
  and an enter-sounds-off (...) event; no argument -> "-ERR Not enough args" + usage.
  While off, joins (enter) or leaves (exit) play nothing.
An unset text value prints as nothing (FreeSWITCH's printf), so the reply is
"-ERR no reply" (not shown by any fixture).
"""
from fssim.conference_dispatch import SPLIT, Command, Usage, atoi


def _text(value):
    return "" if value is None else str(value)


def _getters(ctx):
    conf, now = ctx.conf, ctx.core.clock.now()
    return {
        "run_time": lambda: str(int(now - conf.created)),
        "count": lambda: str(conf.count), "count_ghosts": lambda: str(conf.ghosts),
        "max_members": lambda: str(conf.max_members),
        "rate": lambda: str(conf.profile.rate), "profile_name": lambda: conf.profile.name,
        "sound_prefix": lambda: _text(conf.sound_prefix),
        "caller_id_name": lambda: _text(conf.caller_id_name),
        "caller_id_number": lambda: _text(conf.caller_id_number),
        "is_locked": lambda: "locked" if conf.locked else "",
        "endconference_grace_time": lambda: str(conf.endconference_grace_time),
        "uuid": lambda: conf.uuid, "wait_mod": lambda: "true" if conf.wait_mod else "",
    }


def get(ctx, argv):
    getter = _getters(ctx).get(argv[2].lower()) if len(argv) == 3 else None
    if getter is None:
        raise Usage()
    return getter()


NUMBERS = {"max_members": "max_members", "endconference_grace_time": "endconference_grace_time"}
TEXTS = {"sound_prefix": "sound_prefix", "caller_id_name": "caller_id_name",
         "caller_id_number": "caller_id_number"}


def set_(ctx, argv):
    if len(argv) != 4 or not argv[3]:
        raise Usage()
    conf, name, value = ctx.conf, argv[2].lower(), argv[3]
    if name in NUMBERS:
        number = atoi(value)
        if number < 0:
            raise Usage()
        old = getattr(conf, NUMBERS[name])
        setattr(conf, NUMBERS[name], number)
        return str(old)
    if name in TEXTS:
        old = getattr(conf, TEXTS[name])
        setattr(conf, TEXTS[name], value)
        return _text(old)
    raise Usage()


def _sounds(which):
    """enter_sound / exit_sound."""
    def handler(ctx, argv):
        conf = ctx.conf
        if len(argv) <= 2:
            raise Usage("-ERR Not enough args\n")
        word, room = argv[2].lower(), argv[0]
        current = getattr(conf, f"{which}_sound")
        if word in ("on", "off", "none"):
            setattr(conf, f"{which}_sound_on", word == "on")
            state = "on" if word == "on" else "off"
            conf.emit_conference(f"{which}-sounds-{state}")
            return f"+OK {room} {which} sounds {state} ({_text(current)})\n"
        if word == "file":
            if len(argv) < 4:
                return "-ERR No filename specified\n"
            old = f"+OK Old exit sound: [{_text(current)}]\n" if which == "exit" else ""
            setattr(conf, f"{which}_sound", argv[3])
            conf.emit_conference(f"{which}-sound-file-changed")
            return f"{old}+OK {room} {which} sound file set to {argv[3]}\n"
        raise Usage("-ERR Bad args\n")
    return handler


SETTINGS_COMMANDS = {
    "get": Command(SPLIT, get, "<parameter-name>"),
    "set": Command(SPLIT, set_, "<max_members|sound_prefix|caller_id_name|caller_id_number|"
                                "endconference_grace_time> <value>"),
    "enter_sound": Command(SPLIT, _sounds("enter"), "on|off|none|file <filename>"),
    "exit_sound": Command(SPLIT, _sounds("exit"), "on|off|none|file <filename>"),
}
