"""`uuid_record <uuid> start|stop <path>`: record one channel to a real WAV file, with
RECORD_START / RECORD_STOP events as recorded (completion cause success-maxtime)."""
from fssim.media import write_silence_wav

START_CALL = ("switch_ivr_async.c", "record_callback", 1482)
STOP_CALL = ("switch_ivr_async.c", "send_record_stop_event", 1241)


def uuid_record(core, args):
    words = args.split()
    if len(words) < 3 or words[1] not in ("start", "stop"):
        return "-USAGE: <uuid> [start|stop|mask|unmask] <path> [<limit>] [<recording_vars>]\n"
    channel = core.channel(words[0])
    if channel is None:
        return "-ERR Cannot locate session!\n"
    recordings = channel.__dict__.setdefault("recordings", {})
    path = words[2]
    if words[1] == "start":
        recordings[path] = core.clock.now()
        channel.fire("RECORD_START", START_CALL, extra_after=[("Record-File-Path", path)])
        return "+OK Success\n"
    started = recordings.pop(path, None)
    if started is None:
        return "-ERR Cannot stop record session!\n"
    seconds = core.clock.now() - started
    samples, size = write_silence_wav(core.recorder.local_path(path), seconds, channel.rate)
    for name, value in (("record_file_size", size), ("record_samples", samples),
                        ("record_seconds", int(seconds)), ("record_ms", int(seconds * 1000)),
                        ("record_completion_cause", "success-maxtime")):
        channel.set_variable(name, str(value))
    channel.fire("RECORD_STOP", STOP_CALL,
                 extra_after=[("Record-File-Path", path),
                              ("Record-Completion-Cause", "success-maxtime")])
    return "+OK Success\n"
