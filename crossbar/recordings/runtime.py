"""The recording parts of one crossbar process, built once per ``LiveConferences``
(``parts(live)``: made when the live part starts, ``LiveConferences.start``, so that
deadlines and retention run from the start, or on first use): storage, participants'
tracks and sessions, transcription jobs, the maximum-length deadlines and the
retention sweep. The event connection's add-member and RECORD_STOP events reach the
participants' worker."""
import logging
import uuid

import kzcore
from crossbar.recordings.deadlines import MaxDurationTimers
from crossbar.recordings.participants import ParticipantRecordings
from crossbar.recordings.retention import RetentionSweeper
from crossbar.recordings.transcripts import Transcripts
from kzcore.bus.keys import conference_routing_key

log = logging.getLogger(__name__)
ATTRIBUTE = "_recording_parts"


class RecordingParts:
    def __init__(self, live):
        self.live, self.config = live, live.config
        self.storage = live.recordings.storage
        self.timers = MaxDurationTimers(live, self)
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
        self.timers.start()          # deadlines of recordings made before this process
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
