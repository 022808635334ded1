"""The recording parts of one crossbar process, built once per ``LiveConferences``
(``parts(live)``): storage, participants' tracks and sessions, transcription jobs,
the maximum-length timers and the retention sweep. The event connection's
add-member and RECORD_STOP events reach the participants' worker."""
import logging
import uuid

import gevent

import kzcore
from crossbar.recordings.participants import ParticipantRecordings
from crossbar.recordings.retention import RetentionSweeper
from crossbar.recordings.transcripts import Transcripts
from kzcore.bus.keys import conference_routing_key

log = logging.getLogger(__name__)
ATTRIBUTE = "_recording_parts"


class MaxDurationTimers:
    """``max_duration_s``: the room's recording is stopped when it is reached (timers
    of this process: a recording started by a process that has since stopped keeps
    running until stopped by hand or the room ends)."""

    def __init__(self, live):
        self.live, self._timers = live, {}

    def schedule(self, account_id, conference_id, recording_id, seconds):
        self._timers[recording_id] = gevent.spawn_later(
            seconds, self._expire, account_id, conference_id, recording_id)

    def cancel(self, recording_id):
        timer = self._timers.pop(recording_id, None)
        if timer is not None and timer is not gevent.getcurrent():
            timer.kill(block=False)

    def _expire(self, account_id, conference_id, recording_id):
        from crossbar.recordings import room
        self._timers.pop(recording_id, None)
        active = room.active_recording(self.live.store, account_id, conference_id)
        if active is None or active["_id"] != recording_id:
            return
        log.info("recording reached its maximum length", extra={
            "account_id": account_id, "recording_id": recording_id})
        try:
            room.stop(None, self.live, parts(self.live), account_id, conference_id, {},
                      reason="max_duration")
        except Exception:  # noqa: BLE001 - logged; the room may have ended meanwhile
            log.exception("stopping a recording at its maximum length failed",
                          extra={"recording_id": recording_id})

    def close(self):
        for timer in list(self._timers.values()):
            timer.kill(block=False)
        self._timers.clear()


class RecordingParts:
    def __init__(self, live):
        self.live, self.config = live, live.config
        self.storage = live.recordings.storage
        self.timers = MaxDurationTimers(live)
        self.transcripts = Transcripts(live, self)
        self.participants = ParticipantRecordings(live, self)
        self.retention = RetentionSweeper(live.store, self.storage, self.publish,
                                          interval=self.config.recordings_sweep_interval,
                                          clock=live.clock)

    def start(self):
        self.participants.start()
        self.live.watcher.on_event(self.participants.on_event)
        self.live.watcher.start()    # joins and RECORD_STOPs are seen from now on
        self.retention.start()
        return self

    def close(self):
        self.timers.close()
        self.participants.close()
        self.retention.close()

    def publish(self, event, account_id, conference_id, fields, routing_key=None):
        """A crossbar event on the conference exchange (Kazoo's room event shape)."""
        publisher = getattr(self.live.document_events, "publisher", None)
        if publisher is None:
            return False
        payload = {"event": event, "account_id": account_id, "conference_id": conference_id,
                   **fields, "node": getattr(self.live.document_events, "node", ""),
                   "msg_id": uuid.uuid4().hex, "event_name": "conference_event",
                   "event_category": "conference", "app_version": kzcore.APP_VERSION,
                   "app_name": "crossbar", "routing_key": "conference_event"}
        try:
            publisher.publish(routing_key or conference_routing_key(conference_id), payload)
            return True
        except Exception:  # noqa: BLE001 - never fails what it reports
            log.exception("recording event not published", extra={"event": event})
            return False


def parts(live):
    """The process's RecordingParts for ``live`` (made and started on first use)."""
    made = getattr(live, ATTRIBUTE, None)
    if made is None:
        made = RecordingParts(live).start()
        setattr(live, ATTRIBUTE, made)
    return made
