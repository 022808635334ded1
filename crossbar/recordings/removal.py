"""Deleting a recording or a transcript by request (``DELETE .../recordings/{id}``,
``DELETE .../transcripts/{id}``): the file and the document go (an attachment with its
document), announced as ``recording-deleted`` / ``transcript-deleted`` with
``reason: requested``. What is still being made is not deleted (409): a recording
being recorded or paused (stop it first), a transcript whose tracks are being
recorded or that the worker has yet to finish. The caller has found the document in
its own account (another account's ids are 404 before this runs)."""
import logging

from crossbar.recordings import docs
from crossbar.recordings.transcripts import PVT_TYPE as TRANSCRIPT_TYPE
from kzcore.errors import Conflict, NotFound
from kzcore.naming import account_db

log = logging.getLogger(__name__)
TRANSCRIPT_BUSY = ("recording", "queued", "running")


def delete_recording(parts, account_id, doc):
    if doc.get("status") in docs.ACTIVE:
        raise Conflict("the recording is still being made: stop it first",
                       {"recording_id": doc["_id"], "status": doc.get("status")})
    try:
        parts.storage.remove(account_id, doc)
    except NotFound:
        raise NotFound("bad identifier", {"cause": doc["_id"]}) from None
    log.info("recording deleted", extra={"account_id": account_id,
                                         "conference_id": doc["conference_id"],
                                         "recording_id": doc["_id"]})
    participant = doc.get("participant") or {}
    parts.publish("recording-deleted", account_id, doc["conference_id"], {
        "recording_id": doc["_id"], "name": doc.get("name"), "reason": "requested",
        "call_id": participant.get("call_id"), "participant_id": participant.get("participant_id")})
    return {"id": doc["_id"], "deleted": True}


def delete_transcript(parts, account_id, doc):
    if doc.get("pvt_type") != TRANSCRIPT_TYPE:
        raise NotFound("bad identifier", {"cause": doc.get("_id")})
    if doc.get("status") in TRANSCRIPT_BUSY:
        raise Conflict("the transcript is not finished yet",
                       {"transcript_id": doc["_id"], "status": doc.get("status")})
    parts.live.store.delete(account_db(account_id), doc["_id"], doc["_rev"])
    log.info("transcript deleted", extra={"account_id": account_id,
                                          "conference_id": doc["conference_id"],
                                          "transcript_id": doc["_id"]})
    parts.publish("transcript-deleted", account_id, doc["conference_id"], {
        "transcript_id": doc["_id"], "reason": "requested"})
    return {"id": doc["_id"], "deleted": True}
