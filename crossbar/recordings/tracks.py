"""One participant's track: start (``uuid_record ... start <path> <limit>``), stop, and
its document finished with what the file holds (``duration``, ``size``) once the
switch has closed it."""
import logging
import os

from crossbar import documents
from crossbar.live.recordings import _wait_for_file
from crossbar.recordings import docs
from kzcore import fs_commands
from kzcore.errors import Conflict, NotFound, SwitchRefused
from kzcore.naming import account_db, new_id, parse_fs_conference_name

log = logging.getLogger(__name__)
CLAIM_TYPE = "participant_recording"
FILE_WAIT = 2.0


def claim_id(conference_id, call_id):
    return f"{CLAIM_TYPE}-{conference_id}-{call_id}"


def participant_of(member):
    return {"participant_id": member.get("id"), "call_id": member.get("uuid"),
            "caller_id_name": member.get("caller_id_name"),
            "caller_id_number": member.get("caller_id_number")}


class Tracks:
    def __init__(self, live, parts):
        self.live, self.parts, self.store = live, parts, live.store

    def start(self, located, member, seconds, fields=None):
        """Record ``member`` (a json_list member) on its own file; its public doc."""
        from crossbar.recordings.participants import send
        call_id = fs_commands.valid_call_id(member.get("uuid") or "", "call_id")
        db, recording_id = account_db(located.account_id), new_id()
        claim = {"_id": claim_id(located.conference_id, call_id), "pvt_type": CLAIM_TYPE,
                 "recording_id": recording_id, "claimed": self.live.clock()}
        try:
            self.store.save(db, claim)
        except Conflict:
            raise Conflict("the participant is already being recorded",
                           {"participant_id": member.get("id")}) from None
        path = docs.participant_path(self.live.recordings.root, located.account_id,
                                     located.conference_id, call_id, recording_id)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            text = send(self.live, located.node,
                        fs_commands.api_uuid_record(call_id, "start", path, seconds), path)
        except BaseException:
            self._release(db, claim["_id"])
            raise
        now = round(self.live.clock(), 3)
        doc = {"_id": recording_id, "conference_id": located.conference_id, "kind": "participant",
               "participant": participant_of(member), "path": path, "format": "wav",
               "name": f"{recording_id}.wav", "started": now, "pauses": [],
               "max_duration_s": seconds, "stop_at": round(now + seconds, 3),
               "node": located.node, "status": "recording", "message": text, **(fields or {}),
               **documents.new_private(located.account_id, docs.PVT_TYPE)}
        saved = self.store.save(db, doc)
        log.info("participant recording started", extra={
            "account_id": located.account_id, "conference_id": located.conference_id,
            "recording_id": recording_id, "participant_id": member.get("id")})
        return docs.public(saved)

    def _release(self, db, claim):
        doc = self.store.get_or_none(db, claim)
        if doc is not None:
            try:
                self.store.delete(db, claim, doc["_rev"])
            except (Conflict, NotFound):
                pass

    def active(self, account_id, conference_id, member_id=None):
        selector = {"pvt_type": docs.PVT_TYPE, "conference_id": conference_id,
                    "kind": "participant", "status": "recording"}
        if member_id is not None:
            selector["participant.participant_id"] = int(member_id)
        return self.store.find(account_db(account_id), selector)

    def stop(self, account_id, conference_id, member_id):
        found = self.active(account_id, conference_id,
                            fs_commands.valid_member_id(member_id, "participant_id", keywords=()))
        if not found:
            raise Conflict("the participant is not being recorded",
                           {"participant_id": str(member_id)})
        return {"recordings": [self.stop_one(account_id, doc) for doc in found]}

    def stop_all(self, account_id, conference_id):
        return [self.stop_one(account_id, doc) for doc in self.active(account_id, conference_id)]

    def stop_one(self, account_id, doc):
        from crossbar.recordings.participants import send
        command = fs_commands.api_uuid_record(doc["participant"]["call_id"], "stop", doc["path"])
        try:
            send(self.live, doc["node"], command, doc["path"])
        except SwitchRefused as refused:   # the participant left: the switch stopped it
            log.info("participant recording already stopped", extra={
                "recording_id": doc["_id"], "reply": refused.message})
        return docs.public(self.finish(account_id, doc["_id"]))

    def stopped_by_switch(self, headers):
        """RECORD_STOP seen on the event connection: finish that file's document."""
        owner = parse_fs_conference_name(headers.get("variable_conference_name"))
        path = headers.get("Record-File-Path")
        if owner is None or not path:
            return None
        doc = self.store.find_one(account_db(owner[0]), {"pvt_type": docs.PVT_TYPE, "path": path})
        return self.finish(owner[0], doc["_id"]) if doc else None

    def finish(self, account_id, recording_id):
        """Mark a track stopped with its file's facts (once: a concurrent finisher wins)."""
        db = account_db(account_id)
        doc = self.store.get(db, recording_id)
        if doc.get("status") != "recording":
            return doc
        duration, size = _wait_for_file(doc["path"], FILE_WAIT)
        now = round(self.live.clock(), 3)
        doc.update(status="stopped", stopped=now, size=size,
                   duration=duration if duration is not None else docs.recorded_seconds(doc, now))
        try:
            saved = self.parts.storage.keep(account_id, documents.touched(doc))
        except Conflict:
            return self.store.get(db, recording_id)
        self._release(db, claim_id(doc["conference_id"], doc["participant"]["call_id"]))
        log.info("participant recording stopped", extra={
            "account_id": account_id, "conference_id": doc["conference_id"],
            "recording_id": recording_id,
            "participant_id": doc["participant"].get("participant_id"),
            "duration": saved.get("duration")})
        return saved
