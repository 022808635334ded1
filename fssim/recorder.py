"""Conference recordings: a recording node takes a member id (no add-member), and
stopping it writes a real WAV file of silence as long as the recording ran."""
import dataclasses
import logging
import os

from fssim.media import write_silence_wav

log = logging.getLogger(__name__)


@dataclasses.dataclass
class RecordingNode:
    id: int
    path: str
    started: float
    paused_at: float = None
    paused_total: float = 0.0


class Recorder:
    def __init__(self, core, recordings_dir=None):
        self.core = core
        self.recordings_dir = recordings_dir

    def local_path(self, path):
        """Where the WAV really goes: under recordings_dir when one is configured."""
        if not self.recordings_dir:
            return path
        return os.path.join(self.recordings_dir, path.lstrip("/"))

    def start(self, conference, path):
        node = RecordingNode(self.core.next_member_id(), path, self.core.clock.now())
        conference.recordings.append(node)
        conference.record_path = path
        self.core.clock.later(0.04, self._announce_start, conference, node)
        return node

    def _announce_start(self, conference, node):
        if node in conference.recordings:
            conference.emit_conference("start-recording", [("Path", node.path)])

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
            samples, size = write_silence_wav(self.local_path(node.path), seconds, rate)
        except OSError as exc:
            log.warning("recording not written", extra={"path": node.path, "error": str(exc)})
            samples, size = int(seconds * rate), 0
        others = "true" if conference.recordings else "false"
        conference.emit_conference("stop-recording", [
            ("Path", node.path), ("Other-Recordings", others), ("Samples-Out", str(samples)),
            ("Samplerate", str(rate)), ("Milliseconds-Elapsed", str(int(seconds * 1000))),
            ("Record-File-Size", str(size))])

    def pause(self, conference, node, paused):
        now = self.core.clock.now()
        if paused and node.paused_at is None:
            node.paused_at = now
        elif not paused and node.paused_at is not None:
            node.paused_total += now - node.paused_at
            node.paused_at = None
        action = "pause-recording" if paused else "resume-recording"
        conference.emit_conference(action, [("Path", node.path), ("Other-Recordings", "true")])
