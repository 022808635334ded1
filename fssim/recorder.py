"""Conference recordings (conference_record.c): a recording node takes a member id (no
add-member), and stopping it writes a real WAV file as long as it ran, paused stretches
left out: silence, with what members said in the room mixed in (fssim/speech.py).

The file is opened when the recording starts (its directory made first, as the switch
does). When that fails, `recording start` has already answered `+OK Record file ...`:
the start-recording event carries `Error: File could not be opened for recording`, a
stop-recording follows at once, and the room is not being recorded (round4
recording_start_unwritable, recording_check_after_unwritable).
"""
import dataclasses
import logging
import os

from fssim import conference_events as ce
from fssim import speech
from fssim.media import write_silence_mp3

log = logging.getLogger(__name__)

OPEN_ERROR = "File could not be opened for recording"
START_DELAY = 0.04  # the recording thread announces itself ~40 ms after the reply
STARTED_CALL = ("conference_record.c", "conference_record_thread_run", 319)
FAILED_CALL = ("conference_record.c", "conference_record_thread_run", 280)


@dataclasses.dataclass
class RecordingNode:
    id: int
    path: str
    started: float
    paused_at: float = None
    paused_total: float = 0.0
    pauses: list = dataclasses.field(default_factory=list)   # [(from, to|None)]


class Recorder:
    def __init__(self, core, recordings_dir=None):
        self.core = core
        self.recordings_dir = recordings_dir

    def local_path(self, path):
        """Where the WAV really goes: under recordings_dir when one is configured."""
        if not self.recordings_dir:
            return path
        return os.path.join(self.recordings_dir, path.lstrip("/"))

    def can_write(self, path):
        """Open the file for writing as the switch would (directories made first): a
        format no loaded module writes (mp3 without mod_shout) cannot be opened."""
        if not self.core.files.can_record(path):
            log.info("recording cannot open", extra={"path": path, "error": "no module"})
            return False
        target = self.local_path(path)
        try:
            directory = os.path.dirname(target)
            if directory:
                os.makedirs(directory, exist_ok=True)
            with open(target, "ab"):
                pass
        except OSError as exc:
            log.info("recording cannot open", extra={"path": path, "error": str(exc)})
            return False
        return True

    def start(self, conference, path):
        node = RecordingNode(self.core.next_member_id(), path, self.core.clock.now())
        conference.record_path = path
        if not self.can_write(path):
            self.core.clock.later(START_DELAY, self._announce_failure, conference, node)
            return None
        conference.recordings.append(node)
        self.core.clock.later(START_DELAY, self._announce_start, conference, node)
        return node

    def _announce_start(self, conference, node):
        if node in conference.recordings:
            conference.emit("start-recording", ce.conference_action(
                conference, "start-recording", [("Path", node.path)]), calling=STARTED_CALL)

    def _announce_failure(self, conference, node):
        conference.emit("start-recording", ce.conference_action(
            conference, "start-recording", [("Path", node.path), ("Error", OPEN_ERROR)]),
            calling=FAILED_CALL)
        conference.emit_conference("stop-recording", [
            ("Path", node.path), ("Other-Recordings", _bool(conference.recordings)),
            ("Samples-Out", "0"), ("Samplerate", str(conference.profile.rate)),
            ("Milliseconds-Elapsed", "0")])

    def find(self, conference, path):
        for node in conference.recordings:
            if node.path == path:
                return node
        return None

    def stop(self, conference, node):
        conference.recordings.remove(node)
        now = self.core.clock.now()
        if node.paused_at is not None:
            node.paused_total += now - node.paused_at
        seconds = max(0.0, now - node.started - node.paused_total)
        rate = conference.profile.rate
        try:
            samples, size = self._write(conference, node, now, seconds, rate)
        except OSError as exc:
            log.warning("recording not written", extra={"path": node.path, "error": str(exc)})
            samples, size = int(seconds * rate), 0
        conference.emit_conference("stop-recording", [
            ("Path", node.path), ("Other-Recordings", _bool(conference.recordings)),
            ("Samples-Out", str(samples)), ("Samplerate", str(rate)),
            ("Milliseconds-Elapsed", str(int(seconds * 1000))),
            ("Record-File-Size", str(size))])

    def _write(self, conference, node, now, seconds, rate):
        target = self.local_path(node.path)
        if target.lower().endswith(".mp3"):
            return write_silence_mp3(target, seconds, rate)   # speech is not mixed into mp3
        said = [speech.at_rate(segment, rate) for segment in conference.speech]
        return speech.write_wav(target, speech.mix(node.started, now, rate, said, node.pauses),
                                rate)

    def pause(self, conference, node, paused):
        now = self.core.clock.now()
        if paused and node.paused_at is None:
            node.paused_at = now
            node.pauses.append((now, None))
        elif not paused and node.paused_at is not None:
            node.paused_total += now - node.paused_at
            node.paused_at = None
            node.pauses[-1] = (node.pauses[-1][0], now)
        action = "pause-recording" if paused else "resume-recording"
        conference.emit_conference(action, [("Path", node.path), ("Other-Recordings", "true")])


def _bool(value):
    return "true" if value else "false"

