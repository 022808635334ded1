"""Each participant on their own file: ``uuid_record <uuid> start|stop <path> [<limit>]``
(round2 / round4 uuid_record: ``+OK Success``, RECORD_START / RECORD_STOP with
``Record-File-Path``; ``-ERR Cannot stop record session!``, ``-ERR Cannot locate
session!``). Files go to ``<root>/<account>/<conference>/participants/<call_id>/``.

One track per participant at a time, across processes: the document
``participant_recording-<conference>-<call_id>`` is created without ``_rev`` (the
second creator gets Conflict). A *session* (``recording_session-<conference>``:
``record_participants`` on a room recording start, or a transcription) records
everyone present and, through the event connection's add-member, everyone who joins;
so does ``record_participants: true`` on the conference document. A track ends when
asked, when the session ends, at its limit (the switch's own) or when the
participant leaves: the switch's RECORD_STOP (seen on the event connection by every
crossbar process; the first to save the document wins) finishes its document.
"""
import logging
import os

import gevent.queue

from crossbar.live import state
from crossbar.recordings import docs, tracks
from kzcore import fs_replies
from kzcore.errors import Conflict, NotFound, SwitchRefused
from kzcore.naming import account_db, parse_fs_conference_name

log = logging.getLogger(__name__)
SESSION_TYPE = "recording_session"


def session_id(conference_id):
    return f"{SESSION_TYPE}-{conference_id}"


def member_of(headers):
    """The json_list-like member of an add-member event (PURE)."""
    return {"id": int(headers["Member-ID"]), "uuid": headers.get("Unique-ID"),
            "caller_id_name": headers.get("Caller-Caller-ID-Name"),
            "caller_id_number": headers.get("Caller-Caller-ID-Number")}


class ParticipantRecordings:
    def __init__(self, live, parts):
        self.live, self.parts, self.store = live, parts, live.store
        self.tracks = tracks.Tracks(live, parts)
        self._queue = gevent.queue.Queue()
        self._worker = None

    # --- one participant (PUT .../participants/{id} record) ---------------------------
    def record(self, ctx, account_id, conference_id, member_id, params):
        if params["action"] == "stop":
            return self.tracks.stop(account_id, conference_id, member_id)
        located = self.live.locate(account_id, conference_id)
        member = state.find_participant(located.conference, member_id) if located else None
        if member is None:
            raise NotFound("participant not found", {"cause": str(member_id),
                                                     "conference_id": conference_id})
        seconds = docs.max_duration(params.get("max_duration_s"),
                                    self.parts.config.recordings_max_duration)
        from crossbar.recordings.room import started_by
        return {"recording": self.tracks.start(located, member, seconds,
                                               {"started_by": started_by(ctx)})}

    # --- sessions: everyone, and whoever joins ---------------------------------------
    def start_session(self, ctx, located, recording_id=None, transcript=None):
        db = account_db(located.account_id)
        session = {"_id": session_id(located.conference_id), "pvt_type": SESSION_TYPE,
                   "conference_id": located.conference_id, "recording_id": recording_id,
                   "transcript_id": transcript["id"] if transcript else None,
                   "started": round(self.live.clock(), 3)}
        try:
            self.store.save(db, session)
        except Conflict:
            raise Conflict("participants are already being recorded",
                           {"conference_id": located.conference_id}) from None
        started = self._record_everyone(located, session)
        return {"transcript": transcript, "recordings": started}

    def _record_everyone(self, located, session):
        started = []
        for member in (located.conference or {}).get("members") or []:
            if state.is_participant(member):
                recording = self._start_quietly(located, member, session)
                if recording is not None:
                    started.append(recording)
        return started

    def _start_quietly(self, located, member, session=None):
        fields = {"transcript_id": session.get("transcript_id")} if session else {}
        if session and session.get("recording_id"):
            fields["session_recording_id"] = session["recording_id"]
        try:
            return self.tracks.start(located, member, self.parts.config.recordings_max_duration,
                                     fields)
        except (Conflict, SwitchRefused, NotFound) as problem:
            log.info("participant not recorded", extra={
                "conference_id": located.conference_id, "member": member.get("id"),
                "reason": getattr(problem, "message", str(problem))})
            return None

    def end_session(self, account_id, conference_id, only_recording=False):
        """Stop the session's tracks and forget it; its document (or None)."""
        db = account_db(account_id)
        session = self.store.get_or_none(db, session_id(conference_id))
        if session is None or (only_recording and not session.get("recording_id")):
            return None
        try:
            self.store.delete(db, session["_id"], session["_rev"])
        except (Conflict, NotFound):
            return None   # another request ended it
        stopped = self.tracks.stop_all(account_id, conference_id)
        if session.get("transcript_id"):
            self.parts.transcripts.queue(account_id, conference_id, session["transcript_id"])
        return {"transcript_id": session.get("transcript_id"), "recordings": stopped}

    # --- events from the event connection (only enqueue) -----------------------------
    def on_event(self, node, headers):
        if headers.get("Action") == "add-member" or headers.get("Event-Name") == "RECORD_STOP":
            self._queue.put((node, headers))

    def start(self):
        if self._worker is None:
            self._worker = gevent.spawn(self._work)
        return self

    def close(self):
        if self._worker is not None:
            self._worker.kill(block=False)

    def _work(self):
        while True:
            node, headers = self._queue.get()
            try:
                if headers.get("Event-Name") == "RECORD_STOP":
                    self.tracks.stopped_by_switch(headers)
                else:
                    self._joined(node, headers)
            except Exception:  # noqa: BLE001 - one event must not stop the worker
                log.exception("participant recording event failed", extra={"node": node})

    def _joined(self, node, headers):
        owner = parse_fs_conference_name(headers.get("Conference-Name"))
        if owner is None or "Member-ID" not in headers:
            return
        account_id, conference_id = owner
        db = account_db(account_id)
        session = self.store.get_or_none(db, session_id(conference_id))
        conference = self.store.get_or_none(db, conference_id)
        if session is None and not (conference or {}).get("record_participants"):
            return
        from crossbar.live.service import Located
        located = Located(account_id, conference_id, headers["Conference-Name"], node)
        self._start_quietly(located, member_of(headers), session)


def send(live, node, command, path):
    """One uuid_record command; refusals and replies name the file, never its place."""
    shown = os.path.basename(path)
    body = live.pool.api(node, command, timeout=live.timeout)
    try:
        return fs_replies.check(body, command).replace(path, shown)
    except SwitchRefused as refused:
        raise SwitchRefused(refused.message.replace(path, shown), {"file": shown}) from None

