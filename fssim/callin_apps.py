"""Dialplan applications the call-in service needs beyond the core's.

``record`` (a WAV of silence as long as the caller 'spoke') and ``conference``
with the ``wait-mod`` conference flag (``conference_enter_sound`` /
``conference_exit_sound`` are the conference's own: fssim/conference.py).
fssim/outbound.py registers them, with ``socket``, through ``install(core)``.
"""
from fssim.media import write_silence_wav


def record(channel, arg):
    """``record <path> [limit]``: a WAV of silence as long as the caller 'spoke'."""
    words = arg.split()
    if not words:
        return "_none_"
    limit = float(words[1]) if len(words) > 1 and words[1].isdigit() else 3.0
    started = channel.core.clock.now()
    waited = 0.0
    while channel.is_up and waited < limit:
        channel.core.clock.sleep(0.1)
        waited += 0.1
    seconds = max(0.1, min(limit, channel.core.clock.now() - started))
    write_silence_wav(words[0], seconds, channel.rate)
    channel.set_variable("record_seconds", str(int(seconds)))
    return "_none_"


def conference_app(channel, arg):
    """``room@profile+flags{...}``; the list also sets conference flags on creation
    (``wait-mod``: members wait until a moderator joins)."""
    core = channel.core
    room, _, rest = arg.partition("@")
    profile, _, flags = rest.partition("+flags{")
    flags = [f for f in flags.rstrip("}").split("|") if f]
    existing = core.conferences.get(room)
    member = channel.join_conference(room, profile or "default", flags)
    if member is None:
        return "_none_"
    conference = member.conference
    if existing is None and "wait-mod" in flags:
        conference.wait_mod = True
    if member.moderator:
        conference.wait_mod = False
    while channel.is_up and member.conference is conference:
        channel.done.wait(timeout=0.2)
    return "_none_"
