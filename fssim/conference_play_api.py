"""`conference <room> play|stop|pause_play|play_status|say|saymember` (conference_api.c,
conference_file.c) with the recorded replies (round 1, round4 play_* / stop_* / say*):

- the file is opened when it is queued (fssim/file_open.py): one that cannot be opened
  is "-ERR (play) File: <path> not found." and, for the room, a play-file event with
  `Error: File could not be played`;
- a name that is not a path (no leading /, no `module://`) gets the room's
  sound-prefix, or is spoken by TTS without one (not shown by any fixture);
- `stop current|all|async [member]` -> "+OK Stopped N files."; `pause_play` toggles
  "+OK Pause" / "+OK Resume"; `play_status` -> "+OK <pos>/<len> <path>" (0/0 for a
  tone_stream, as recorded; other files not shown by any fixture).

Not shown by any fixture: `stop async`; `pause_play` / `play_status` of a member or
with nothing playing ("" -> "-ERR no reply", "-ERR Nothing is playing"); `play` or
`say` in a room without (non-ghost) members (refused, no event).
"""
from fssim.conference_dispatch import SPLIT, TEXT, Command, Usage, atoi
from fssim.conference_events import conference_block
from fssim.file_open import is_file_path
from fssim.media import speech_seconds

PLAY_ERROR_CALL = ("conference_file.c", "conference_file_play", 268)


def _member(conf, word):
    if word and "=" in word:
        name, _, value = word.partition("=")
        return next((m for m in conf.newest_first()
                     if m.channel.get_variable(name) == value), None)
    return conf.find(atoi(word))


def _resolve(conf, path):
    """-> (path to open, None) or (None, text to speak) for a bare sound name."""
    if path.lower().startswith("say:"):
        return None, path[4:]
    if is_file_path(path):
        return path, None
    if conf.sound_prefix:
        return f"{conf.sound_prefix}/{path}", None
    return None, path


def play_in_room(ctx, path, is_async):
    """conference_file_play: True when queued (or spoken)."""
    conf = ctx.conf
    if conf.count == 0:
        return False
    target, text = _resolve(conf, path)
    if target is None:
        if not is_async:
            conf.playback.say_room(text, speech_seconds(text))
        return True
    opened = ctx.core.files.open(target)
    if opened is None:
        conf.emit("play-file", conference_block(conf) + [
            ("Action", "play-file"), ("File", target),
            ("Async", "true" if is_async else "false"),
            ("Error", "File could not be played")], calling=PLAY_ERROR_CALL)
        return False
    conf.playback.play_room(target, announce=False, is_async=is_async, opened=opened)
    return True


def play_to_member(ctx, member, path):
    conf = ctx.conf
    target, text = _resolve(conf, path)
    if target is None:
        if text:
            conf.playback.say_member(member, text, speech_seconds(text))
        return bool(text)
    opened = ctx.core.files.open(target)
    if opened is None:
        return False
    conf.playback.play_member(member, target, announce=False, opened=opened)
    return True


def play(ctx, argv):
    argc = len(argv)
    is_async = (argc == 4 and argv[3].lower() == "async") or \
        (argc == 5 and argv[4].lower() == "async")
    argc -= 1 if is_async else 0
    if argc < 3:
        raise Usage()
    path, conf = argv[2], ctx.conf
    if argc == 3:
        if not play_in_room(ctx, path, is_async):
            return f"-ERR (play) File: {path} not found.\n"
        conf.emit_conference("play-file", [("File", path),
                                           ("Async", "true" if is_async else "false")])
        return f"+OK (play) Playing file {path}\n"
    member = _member(conf, argv[3])
    if member is None:
        # FreeSWITCH prints the id with %u from a string pointer: a meaningless number.
        return f"-ERR Member: {argv[3]} not found.\n"
    if not play_to_member(ctx, member, path):
        return f"-ERR (play) File: {path} not found.\n"
    conf.emit_member(member, "play-file-member", [("File", path)])
    return f"+OK (play) Playing file {path} to member {member.id}\n"


def stop(ctx, argv):
    kind = argv[2].lower() if len(argv) > 2 else "all"
    if kind not in ("current", "all", "async"):
        raise Usage()
    if len(argv) == 4:
        member = _member(ctx.conf, argv[3])
        if member is None:
            return f"-ERR Member: {argv[3]} not found.\n"
        return f"+OK Stopped {ctx.conf.playback.stop(kind, member)} files.\n"
    return f"+OK Stopped {ctx.conf.playback.stop(kind)} files.\n"


def _on_current(ctx, argv, action):
    """pause_play / play_status: the room's current node, or a member's (argv[2])."""
    if len(argv) == 2:
        return action(ctx.conf.playback.current())
    if len(argv) == 3:
        member = _member(ctx.conf, argv[2])
        if member is not None:
            return action(ctx.conf.playback.current(member))
        raise Usage(f"-ERR Member: {argv[2]} not found.\n")
    raise Usage()


def pause_play(ctx, argv):
    def toggle(node):
        if node is None:
            return ""
        return "+OK Pause\n" if node.toggle_pause(ctx.core.clock) else "+OK Resume\n"
    return _on_current(ctx, argv, toggle)


def play_status(ctx, argv):
    def status(node):
        if node is None:
            return "-ERR Nothing is playing\n"
        return f"+OK 0/0 {node.file_path}\n"
    return _on_current(ctx, argv, status)


def say(ctx, text):
    conf = ctx.conf
    if not text:
        raise Usage("-ERR (say) Error! No text.\n")
    if conf.count == 0:
        raise Usage("-ERR (say) Error!\n")
    conf.playback.say_room(text, speech_seconds(text))
    conf.emit_conference("speak-text", [("Text", text)])
    return "+OK (say) OK\n"


def saymember(ctx, text):
    """`saymember <id> <text>`: the text is the raw rest of the line, quotes and all."""
    conf = ctx.conf
    target, _, text = text.partition(" ")
    if not target or not text:
        raise Usage("-ERR (saymember) No Text!\n")
    member = _member(conf, target)
    if member is None:
        raise Usage(f"-ERR (saymember) Unknown Member {target}!\n")
    conf.playback.say_member(member, text, speech_seconds(text))
    conf.emit_member(member, "speak-text-member", [("Text", text)])
    return "+OK (saymember) OK\n"


PLAY_COMMANDS = {
    "play": Command(SPLIT, play, "<file_path> [async|<member_id> [nomux]]"),
    "stop": Command(SPLIT, stop, "<[current|all|async|last]> [<member_id>]"),
    "pause_play": Command(SPLIT, pause_play, "[<member_id>]", usage_name="pause"),
    "play_status": Command(SPLIT, play_status, "[<member_id>]"),
    "say": Command(TEXT, say, "<text>"),
    "saymember": Command(TEXT, saymember, "<member_id> <text>"),
}
