"""Conference recordings: one active recording per conference, files under
``recordings_dir/{account_id}/{conference_id}/{recording_id}.{wav|mp3}``, and a
``recording`` document per file (crossbar.recordings.docs) holding ``conference_id``,
``path``, ``started`` and, once stopped, ``duration``/``size`` (plus
``samples``/``samplerate``); once stopped the file is kept where the configuration
says (crossbar.recordings.storage).

Facts come from FreeSWITCH's own ``stop-recording`` event (``Milliseconds-Elapsed``,
``Record-File-Size``, ``Samples-Out``, ``Samplerate``), caught by the dial watcher's
event connection; only when it does not arrive in time are they read from the WAV
file (which needs a directory FreeSWITCH and crossbar share). ``facts_source`` says
which ("event", "file" or "none" with ``facts_missing`` saying why).

A start counts only once the switch confirmed it (``recordings_confirm``: its
``+OK`` proves nothing); a refused start leaves no document and no guard.
"One active recording" holds across processes and hosts (``recordings_guard``).
"""
import logging
import os
import time
import wave

import gevent

from crossbar import documents
from crossbar.live import state
from crossbar.live.recordings_confirm import StartConfirmation
from crossbar.recordings import docs
from crossbar.recordings.storage import RecordingStorage
from crossbar.live.recordings_guard import (  # noqa: F401 (re-exported names)
    GUARD_TYPE, STALE_AFTER, RecordingGuard, guard_id, is_recording)
from kzcore.errors import Conflict, NotFound, SwitchRefused, SwitchUnavailable
from kzcore.naming import account_db, new_id

log = logging.getLogger(__name__)
PVT_TYPE = "recording"
CONTENT_TYPE = "audio/wav"
EVENT_WAIT = 2.0   # seconds to wait for FreeSWITCH's stop-recording event
FILE_WAIT = 3.0    # then seconds to wait for the WAV file to be readable
READY_WAIT = 1.0   # on start: seconds to wait for the event connection to the node


def recordings_root(config):
    return os.path.abspath(getattr(config, "recordings_dir", None) or "var/recordings")


def recording_path(root, account_id, conference_id, recording_id, fmt="wav"):
    return docs.room_path(root, account_id, conference_id, recording_id, fmt)


def wav_facts(path):
    """``(duration_seconds, size_bytes)`` of a WAV file; duration None if unreadable."""
    size = os.path.getsize(path)
    try:
        with wave.open(path, "rb") as handle:
            rate = handle.getframerate()
            return (round(handle.getnframes() / float(rate), 3) if rate else None), size
    except (wave.Error, EOFError):
        return None, size


def _wait_for_file(path, timeout=FILE_WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path):
            duration, size = wav_facts(path)
            if duration is not None:
                return duration, size
        gevent.sleep(0.05)
    return wav_facts(path) if os.path.exists(path) else (None, None)


def event_facts(stopped):
    """The document fields from a stop-recording event's numbers (pure), or None
    when the event carried no elapsed time."""
    if not stopped or stopped.get("milliseconds") is None:
        return None
    return {"duration": round(stopped["milliseconds"] / 1000.0, 3), "size": stopped.get("size"),
            "samples": stopped.get("samples"), "samplerate": stopped.get("samplerate"),
            "facts_source": "event"}


def public(doc):
    return docs.public(doc)


class Recordings:
    def __init__(self, store, config, clock=time.time, *, watcher=None, event_wait=EVENT_WAIT,
                 file_wait=FILE_WAIT, confirmation=None):
        self.store, self.root, self.clock = store, recordings_root(config), clock
        self.watcher = watcher  # DialWatcher: start/stop-recording events; None -> files only
        self.event_wait, self.file_wait = event_wait, file_wait
        self.guard = RecordingGuard(store, clock)
        self.confirmation = confirmation or StartConfirmation(getattr(config, "esl_timeout", 5.0))
        self.storage = RecordingStorage(store, getattr(config, "recordings_storage", "directory"),
                                        self.root)

    def start(self, live, located, fmt="wav", fields=None):
        """Refuse when FreeSWITCH lists a recording, then claim the store guard
        (the cross-process lock), then start and wait for the switch to confirm;
        a failed or refused start releases the guard and saves no document."""
        fresh = live.locate(located.account_id, located.conference_id) or located
        if is_recording(fresh):
            raise Conflict("conference is already recording", {"conference_id": located.conference_id})
        recording_id = new_id()
        self.guard.claim(live, fresh, recording_id)
        try:
            self._watch(fresh.node)
            path = recording_path(self.root, located.account_id, located.conference_id,
                                  recording_id, fmt)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            text = _send_hiding_path(live, fresh, "start", path)
            confirmed = self.confirmation.confirm(live, fresh, path, self.watcher)
        except BaseException as failed:
            self.guard.release(located.account_id, located.conference_id)
            if isinstance(failed, SwitchRefused):
                log.warning("room recording refused by the switch", extra={
                    "account_id": located.account_id, "conference_id": located.conference_id,
                    "node": fresh.node, "reason": failed.message})
            raise
        doc = {"_id": recording_id, "conference_id": located.conference_id, "path": path,
               "kind": "conference", "format": fmt, "name": f"{recording_id}.{fmt}",
               "started": round(self.clock(), 3), "pauses": [], "node": fresh.node,
               "status": "recording", "confirmed_by": confirmed, **(fields or {}),
               **documents.new_private(located.account_id, PVT_TYPE)}
        saved = self.store.save(account_db(located.account_id), doc)
        log.info("room recording started", extra={"account_id": located.account_id,
                                            "conference_id": located.conference_id,
                                            "recording_id": recording_id, "node": fresh.node})
        return {"message": text, "recording": public(saved)}

    def _watch(self, node):
        """Make sure the start/stop-recording events will be seen (bounded: ``recording
        check`` and files are the fallbacks)."""
        if self.watcher is not None and not self.watcher.ready(node, READY_WAIT):
            log.warning("event connection not ready; recording facts may come from the file",
                        extra={"node": node})

    # --- stopping ----------------------------------------------------------------
    def stop(self, live, located, reason="requested"):
        paths = state.recording_paths(located.conference)
        if not paths:
            raise Conflict("conference is not recording", {"conference_id": located.conference_id})
        texts, stopped = [], []
        for path in paths:
            texts.append(_send_hiding_path(live, located, "stop", path))
            doc = self._finish(located, path, reason)
            if doc is not None:
                stopped.append(public(doc))
        self.guard.release(located.account_id, located.conference_id)
        return {"message": "\n".join(texts), "recordings": stopped}

    def finish_ended(self, located, path):
        """A recording whose room ended without a stop (the switch closed the file):
        its document finished (``stop_reason: room_ended``) and the guard released."""
        doc = self._finish(located, path, reason="room_ended")
        self.guard.release(located.account_id, located.conference_id)
        return doc

    def _finish(self, located, path, reason="requested"):
        db = account_db(located.account_id)
        doc = self.store.find_one(db, {"pvt_type": PVT_TYPE, "path": path})
        if doc is None:
            return None  # somebody else's recording: stopped, nothing of ours to update
        now = round(self.clock(), 3)
        for pause in doc.get("pauses") or ():
            if pause.get("resumed") is None:
                pause["resumed"] = now
        doc.update(status="stopped", stopped=now, stop_reason=reason,
                   **self._facts(located, path))
        if doc.get("duration") is None:   # no facts from the switch: crossbar's clock
            doc.update(duration=docs.recorded_seconds(doc, now), duration_source="clock")
        saved = self.storage.keep(located.account_id, documents.touched(doc))
        log.info("room recording stopped", extra={
            "account_id": located.account_id, "conference_id": located.conference_id,
            "recording_id": doc["_id"], "stop_reason": reason,
            "duration": saved.get("duration"), "size": saved.get("size"),
            "facts_source": saved.get("facts_source")})
        return saved

    def _facts(self, located, path):
        """Duration and size: FreeSWITCH's event first, then the WAV file, else say why not."""
        stopped = None
        if self.watcher is not None:
            stopped = self.watcher.wait_stopped_recording(located.node, located.name, path,
                                                          self.event_wait)
        facts = event_facts(stopped)
        if facts is not None:
            return facts
        duration, size = _wait_for_file(path, self.file_wait)
        no_event = f"no stop-recording event from {located.node} within {self.event_wait}s"
        if duration is not None:
            return {"duration": duration, "size": size, "facts_source": "file",
                    "facts_note": no_event}
        why = f"{no_event}, and no readable WAV file at the recording path within {self.file_wait}s"
        log.warning("recording facts unknown", extra={"node": located.node, "path": path,
                                                      "reason": why})
        return {"duration": None, "size": size, "facts_source": "none", "facts_missing": why}

    # --- reading -----------------------------------------------------------------
    def list(self, account_id, conference_id):
        docs = self.store.find(account_db(account_id),
                               {"pvt_type": PVT_TYPE, "conference_id": conference_id})
        return sorted((public(doc) for doc in docs), key=lambda doc: doc.get("started", 0))

    def load(self, account_id, conference_id, recording_id):
        doc = self.store.get_or_none(account_db(account_id), recording_id) \
            if recording_id and not recording_id.startswith("_") else None
        if doc is None or doc.get("pvt_type") != PVT_TYPE or doc.get("conference_id") != conference_id:
            raise NotFound("bad identifier", {"cause": recording_id})
        return doc

    def file_of(self, doc):
        """The WAV file's path, only if it lies inside the recordings directory."""
        path = os.path.realpath(doc.get("path") or "")
        if not path.startswith(os.path.realpath(self.root) + os.sep) or not os.path.isfile(path):
            raise NotFound("recording file is not available", {"cause": doc["_id"]})
        return path


def _send_hiding_path(live, located, subcommand, path):
    """``recording <subcommand> <path>``; the switch echoes the path, and replies and
    errors never show where files live on the server: only the file's name remains."""
    shown = os.path.basename(path)
    try:
        return live.send(located, "recording", subcommand=subcommand, path=path).replace(path, shown)
    except SwitchRefused as refused:
        raise SwitchRefused(refused.message.replace(path, shown)) from None


def list_recordings(ctx, account_id, conference):
    """The seam conferences/views.py calls: ``(data, http_status)``."""
    live = ctx.services.live
    if live is None:
        raise SwitchUnavailable("no FreeSWITCH node configured")
    if isinstance(conference, str):  # no such conference document in this account
        raise NotFound("bad identifier", {"cause": conference})
    return live.recordings.list(account_id, conference["_id"]), 200
