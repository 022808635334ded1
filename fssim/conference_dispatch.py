"""conference_api_dispatch: how `conference <room> <command> ...` reaches a handler.

Three kinds, as in conference_api.c's command table:

- ``split``: ``handler(ctx, argv)`` gets the split arguments (argv[0] the room,
  argv[1] the command); raising :class:`Usage` appends "<command> <syntax>"
  (no newline) to whatever it already wrote;
- ``member``: argv[2] selects members: a number (atoi; "-ERR Non-Existant ID N" when
  absent, recorded), ``all`` (recorded: kick all, dtmf all, hup all), ``non_moderator``
  ("Skipping moderator (member id N)." for each moderator), ``last`` (the highest id),
  ``var=value`` (these three not shown by any fixture); anything else is the usage
  text (not shown by any fixture). ``handler(ctx, member, data)`` runs once per member,
  data = argv[3];
- ``text``: ``handler(ctx, text)`` gets the raw text after the command name; Usage
  appends the syntax.

Handlers may queue ``ctx.after`` callables: what the members' own threads do after the
api thread is done with all of them (kick all: every kick-member, then the leaving).
"""
import dataclasses

SPLIT, MEMBER, TEXT = "split", "member", "text"


class Usage(Exception):
    """The handler failed: the usage text follows `partial` (what it wrote so far)."""

    def __init__(self, partial=""):
        super().__init__(partial)
        self.partial = partial


@dataclasses.dataclass(frozen=True)
class Command:
    kind: str
    handler: object
    syntax: str
    usage_name: str = None  # the table's pcommand where it differs (pause_play: "pause")


@dataclasses.dataclass
class Context:
    core: object
    conf: object
    after: list = dataclasses.field(default_factory=list)


def atoi(text):
    """C atoi: the leading digits (after an optional sign), 0 when there are none."""
    text = (text or "").lstrip()
    sign, digits = 1, ""
    if text[:1] in "+-" and text[:1]:
        sign, text = (-1 if text[0] == "-" else 1), text[1:]
    for char in text:
        if not char.isdigit():
            break
        digits += char
    return sign * int(digits) if digits else 0


def dispatch(core, conf, name, command, argv, cmdline):
    ctx = Context(core, conf)
    usage = f"{command.usage_name or name} {command.syntax}"
    try:
        if command.kind == SPLIT:
            text = command.handler(ctx, argv)
        elif command.kind == TEXT:
            text = command.handler(ctx, text_after(cmdline, name))
        else:
            text = _each_member(ctx, command, argv, usage)
    except Usage as failed:
        text = failed.partial + usage
    for action in ctx.after:
        action()
    return text


def text_after(cmdline, name):
    """CONF_API_SUB_ARGS_AS_ONE: the text after the first occurrence of the name."""
    at = cmdline.find(name)
    return cmdline[at + len(name):].lstrip(" \t") if at >= 0 else cmdline


def _each_member(ctx, command, argv, usage):
    conf = ctx.conf
    word = argv[2] if len(argv) > 2 else None
    data = argv[3] if len(argv) > 3 else None
    member_id = atoi(word) if word else 0
    if member_id:
        member = conf.find(member_id)
        if member is None:
            return f"-ERR Non-Existant ID {member_id}\n"
        return command.handler(ctx, member, data)
    if word in ("all", "non_moderator"):
        text = ""
        for member in conf.newest_first():
            if word == "non_moderator" and member.moderator:
                text += f"Skipping moderator (member id {member.id}).\n"
            else:
                text += command.handler(ctx, member, data)
        return text
    if word == "last":
        members = sorted(conf.members, key=lambda m: m.id)
        return command.handler(ctx, members[-1], data) if members else ""
    if word and "=" in word:
        name, _, value = word.partition("=")
        member = next((m for m in conf.newest_first()
                       if m.channel.get_variable(name) == value), None)
        return command.handler(ctx, member, data) if member else "-ERR Non-Existant member\n"
    return usage
