"""switch_ivr_play_file on a channel: PLAYBACK_START, the play time, the playback_*
variables, PLAYBACK_STOP (round4: a kicked member's kicked-sound, the far legs' tones,
a far leg hung up mid-tone).

Playback-File-Type is only set for tone_stream:// and local_stream:// files; a file
cut by a hang-up still reports "Playback-Status: done" (recorded), its variables
set just before, and comes before the channel's CHANNEL_HANGUP_COMPLETE.
"""
from fssim.media import file_seconds

START_CALL = ("switch_ivr_play_say.c", "switch_ivr_play_file", 1649)
STOP_CALL = ("switch_ivr_play_say.c", "switch_ivr_play_file", 2023)


def _file_headers(path):
    head = []
    for prefix in ("local_stream", "tone_stream"):
        if path.lower().startswith(prefix + ":"):
            head.append(("Playback-File-Type", prefix))
    return head + [("Playback-File-Path", path)]


def start(channel, path):
    """The channel starts playing `path` (until stop() or its hang-up)."""
    channel.playing = (path, channel.core.clock.now())
    channel.fire("PLAYBACK_START", START_CALL, extra_after=_file_headers(path))


def stop(channel):
    """The file playing ends (played out, or cut by the hang-up)."""
    if not channel.playing:
        return
    path, started = channel.playing
    channel.playing = None
    set_variables(channel, channel.core.clock.now() - started)
    channel.fire("PLAYBACK_STOP", STOP_CALL,
                 extra_after=_file_headers(path) + [("Playback-Status", "done")])


def set_variables(channel, seconds):
    ms = int(seconds * 1000)
    samples = ms * channel.rate // 1000
    for name, value in (("playback_last_offset_pos", samples),
                        ("playback_seconds", ms // 1000), ("playback_ms", ms),
                        ("playback_samples", samples)):
        channel.set_variable(name, str(value))


def play(channel, path, seconds=None):
    """Play a file to the caller; returns after its simulated duration."""
    if not path:
        return "FILE NOT FOUND"
    duration = file_seconds(path) if seconds is None else seconds
    start(channel, path)
    channel.core.clock.sleep(duration if duration is not None else 3600.0)
    if not channel.is_up:
        return "FILE NOT FOUND"
    stop(channel)
    return "FILE PLAYED"
