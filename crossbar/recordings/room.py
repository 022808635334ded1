"""The room's recording (the conference ``record`` action): ``start`` (``format`` wav or
mp3, ``max_duration_s``, ``record_participants``, ``transcribe`` + ``language``),
``pause``, ``resume``, ``stop``.

The switch answers ``+OK Pause/Resume recording file <path>`` (round2
api_conference_room1_recording_pause / _resume; an unknown file adds a ``-ERR
non-existant recording`` line, which is a refusal) and sends pause-recording /
resume-recording events; ``recording check`` still lists a paused file (round2
recording_check_paused). mod_conference has no length limit for a room's recording
(conference_record.c): ``max_duration_s`` is kept by crossbar, which stops the
recording when it is reached (``stop_reason: max_duration``). MP3 needs mod_shout on
the switch (``module_exists mod_shout``); without it the start is refused with a
clear error before anything is sent.
"""
import logging

from crossbar.live.recordings import _send_hiding_path
from crossbar.recordings import docs
from kzcore.errors import Conflict, SwitchRefused
from kzcore.naming import account_db

log = logging.getLogger(__name__)


def started_by(ctx):
    claims = getattr(ctx, "claims", None) or {}
    return {"account_id": claims.get("account_id"),
            "user_id": claims.get("owner_id") or claims.get("user_id"),
            "request_id": getattr(ctx, "request_id", None)}


def require_format(live, located, fmt):
    """MP3 only where the switch can write it (mod_shout)."""
    if fmt != "mp3":
        return
    answer = live.pool.api(located.node, "module_exists mod_shout", timeout=live.timeout)
    if answer.strip() != "true":
        raise SwitchRefused(f"the switch {located.node} cannot record mp3 (mod_shout is not "
                            "loaded); record wav", {"format": fmt, "node": located.node})


def start(ctx, live, parts, account_id, conference, params):
    language = parts.transcripts.language(params.get("language")) \
        if params.get("transcribe") else None
    located = live.running(account_id, conference)
    fmt = params.get("format") or "wav"
    require_format(live, located, fmt)
    seconds = docs.max_duration(params.get("max_duration_s"), parts.config.recordings_max_duration)
    fields = {"max_duration_s": seconds, "stop_at": round(live.clock() + seconds, 3),
              "started_by": started_by(ctx),
              "record_participants": bool(params.get("record_participants"))}
    result = live.recordings.start(live, located, fmt, fields)
    recording_id = result["recording"]["id"]
    parts.timers.schedule(account_id, located.conference_id, recording_id, seconds)
    if params.get("record_participants") or language:
        result["participants"] = parts.participants.start_session(
            ctx, located, recording_id=recording_id,
            transcript=parts.transcripts.create(located, language) if language else None)
    return result


def stop(ctx, live, parts, account_id, conference, params, reason="requested"):
    located = live.running(account_id, conference)
    result = live.recordings.stop(live, located, reason)
    for recording in result.get("recordings") or ():
        parts.timers.cancel(recording["id"])
    session = parts.participants.end_session(located.account_id, located.conference_id,
                                             only_recording=True)
    if session is not None:
        result["participants"] = session
    return result


def active_recording(store, account_id, conference_id):
    """The room's recording being made (the guard names it), or None."""
    from crossbar.live.recordings_guard import guard_id
    db = account_db(account_id)
    guard = store.get_or_none(db, guard_id(conference_id))
    doc = store.get_or_none(db, guard["recording_id"]) if guard else None
    return doc if doc and doc.get("status") in docs.ACTIVE else None


def pause(ctx, live, parts, account_id, conference, params):
    return _pause_or_resume(live, account_id, conference, paused=params["action"] == "pause")


def _pause_or_resume(live, account_id, conference, paused):
    located = live.running(account_id, conference, members=False)
    doc = active_recording(live.store, account_id, located.conference_id)
    if doc is None:
        raise Conflict("conference is not recording", {"conference_id": located.conference_id})
    if (doc["status"] == "paused") == paused:
        raise Conflict(f"the recording is already {'paused' if paused else 'running'}",
                       {"recording_id": doc["_id"]})
    text = _send_hiding_path(live, located, "pause" if paused else "resume", doc["path"])
    now = round(live.clock(), 3)
    pauses = list(doc.get("pauses") or [])
    if paused:
        pauses.append({"paused": now, "resumed": None})
    elif pauses:
        pauses[-1] = {**pauses[-1], "resumed": now}
    saved = live.store.save(account_db(account_id), {
        **doc, "pauses": pauses, "status": "paused" if paused else "recording"})
    log.info("room recording paused" if paused else "room recording resumed", extra={
        "account_id": account_id, "conference_id": located.conference_id,
        "recording_id": doc["_id"]})
    return {"message": text, "recording": docs.public(saved)}


ACTIONS = {"start": start, "stop": stop, "pause": pause, "resume": pause}


def record(ctx, live, account_id, conference, params):
    """The conference ``record`` action: ``(data, 202)``."""
    from crossbar.recordings import runtime
    parts = runtime.parts(live)
    return ACTIONS[params["action"]](ctx, live, parts, account_id, conference, params), 202

