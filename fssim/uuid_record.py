"""`uuid_record <uuid> start|stop <path> [<limit>]`: record one channel to a real WAV file
(silence, with what the caller said mixed in: fssim/speech.py), with RECORD_START /
RECORD_STOP events as recorded (completion cause success-maxtime; round2 uuid_record,
round4 uuid_record_*).

Not shown by any fixture, from mod_commands.c / switch_ivr_async.c at the recorded
build: a file that cannot be opened (a directory that cannot be made, a format no
loaded module writes, e.g. .mp3 without mod_shout) is "-ERR Cannot record session!"
with no event; ``<limit>`` seconds end the recording by itself; a channel that hangs
up ends its recordings (RECORD_STOP, file written).
"""
import dataclasses
import logging
import os

import gevent

from fssim import speech
from fssim.media import write_silence_mp3

log = logging.getLogger(__name__)
START_CALL = ("switch_ivr_async.c", "record_callback", 1482)
STOP_CALL = ("switch_ivr_async.c", "send_record_stop_event", 1241)
USAGE = "-USAGE: <uuid> [start|stop|mask|unmask] <path> [<limit>] [<recording_vars>]\n"


@dataclasses.dataclass
class ChannelRecording:
    path: str
    started: float
    timer: object = None


def uuid_record(core, args):
    words = args.split()
    if len(words) < 3 or words[1] not in ("start", "stop"):
        return USAGE
    channel = core.channel(words[0])
    if channel is None:
        return "-ERR Cannot locate session!\n"
    recordings = channel.__dict__.setdefault("recordings", {})
    path = words[2]
    if words[1] == "start":
        limit = int(words[3]) if len(words) > 3 and words[3].isdigit() else 0
        return _start(core, channel, recordings, path, limit)
    if path not in recordings:
        return "-ERR Cannot stop record session!\n"
    stop(core, channel, path)
    return "+OK Success\n"


def _start(core, channel, recordings, path, limit):
    if path in recordings or not _can_open(core, path):
        return "-ERR Cannot record session!\n"
    recording = ChannelRecording(path, core.clock.now())
    if limit > 0:
        recording.timer = core.clock.later(limit, stop, core, channel, path)
    recordings[path] = recording
    if not getattr(channel, "stops_recordings", False):
        channel.stops_recordings = True
        channel.on_hangup(lambda gone: [stop(core, gone, p) for p in list(gone.recordings)])
    channel.fire("RECORD_START", START_CALL, extra_after=[("Record-File-Path", path)])
    return "+OK Success\n"


def _can_open(core, path):
    if not core.files.can_record(path):
        return False
    target = core.recorder.local_path(path)
    try:
        os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
        with open(target, "ab"):
            pass
    except OSError as exc:
        log.info("uuid_record cannot open", extra={"path": path, "error": str(exc)})
        return False
    return True


def stop(core, channel, path):
    """End one recording of ``channel``: write the file, fire RECORD_STOP."""
    recording = channel.__dict__.get("recordings", {}).pop(path, None)
    if recording is None:
        return
    if recording.timer is not None and recording.timer is not gevent.getcurrent():
        recording.timer.kill(block=False)
    now = core.clock.now()
    seconds = max(0.0, now - recording.started)
    target = core.recorder.local_path(path)
    if target.lower().endswith(".mp3"):
        samples, size = write_silence_mp3(target, seconds, channel.rate)
    else:
        said = getattr(channel, "speech", [])
        samples, size = speech.write_wav(
            target, speech.mix(recording.started, now, channel.rate, said), channel.rate)
    for name, value in (("record_file_size", size), ("record_samples", samples),
                        ("record_seconds", int(seconds)), ("record_ms", int(seconds * 1000)),
                        ("record_completion_cause", "success-maxtime")):
        channel.set_variable(name, str(value))
    channel.fire("RECORD_STOP", STOP_CALL,
                 extra_after=[("Record-File-Path", path),
                              ("Record-Completion-Cause", "success-maxtime")])
