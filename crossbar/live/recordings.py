"""Conference recordings: one active recording per conference, WAV files under
``recordings_dir/{account_id}/{conference_id}/{recording_id}.wav`` (a directory
FreeSWITCH and crossbar share), and a ``recording`` document per file holding
``conference_id``, ``path``, ``started`` and, once stopped, ``duration`` and
``size`` read from the WAV file itself.
"""
import logging
import os
import time
import wave

import gevent
from gevent.lock import Semaphore

from crossbar import documents
from crossbar.live import state
from kzcore.errors import Conflict, NotFound, SwitchUnavailable
from kzcore.naming import account_db, new_id

log = logging.getLogger(__name__)
PVT_TYPE = "recording"
CONTENT_TYPE = "audio/wav"
FILE_WAIT = 3.0  # seconds to wait for FreeSWITCH to finish writing the file on stop


def recordings_root(config):
    return os.path.abspath(getattr(config, "recordings_dir", None) or "var/recordings")


def recording_path(root, account_id, conference_id, recording_id):
    return os.path.join(root, account_id, conference_id, f"{recording_id}.wav")


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


def public(doc):
    view = documents.public_view(doc)
    view.pop("path", None)
    view["content_type"] = CONTENT_TYPE
    return view


class Recordings:
    def __init__(self, store, config, clock=time.time):
        self.store, self.root, self.clock = store, recordings_root(config), clock
        self._starting = Semaphore()  # starts are rare: one at a time per process

    def start(self, live, located):
        """Check-then-start under a lock, re-reading the room, so that two requests
        cannot both start a recording (per process; FreeSWITCH's list is the truth)."""
        with self._starting:
            fresh = live.locate(located.account_id, located.conference_id) or located
            if state.recording_paths(fresh.conference) or fresh.conference.get("recording"):
                raise Conflict("conference is already recording",
                               {"conference_id": located.conference_id})
            recording_id = new_id()
            path = recording_path(self.root, located.account_id, located.conference_id,
                                  recording_id)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            text = live.send(fresh, "recording", subcommand="start", path=path)
            doc = {"_id": recording_id, "conference_id": located.conference_id, "path": path,
                   "started": int(self.clock()), "node": fresh.node, "status": "recording",
                   **documents.new_private(located.account_id, PVT_TYPE)}
            saved = self.store.save(account_db(located.account_id), doc)
        log.info("recording started", extra={"account_id": located.account_id,
                                            "conference_id": located.conference_id,
                                            "recording_id": recording_id, "node": fresh.node})
        return {"message": text, "recording": public(saved)}

    def stop(self, live, located):
        paths = state.recording_paths(located.conference)
        if not paths:
            raise Conflict("conference is not recording", {"conference_id": located.conference_id})
        texts, stopped = [], []
        for path in paths:
            texts.append(live.send(located, "recording", subcommand="stop", path=path))
            doc = self._finish(located.account_id, path)
            if doc is not None:
                stopped.append(public(doc))
        return {"message": "\n".join(texts), "recordings": stopped}

    def _finish(self, account_id, path):
        db = account_db(account_id)
        doc = self.store.find_one(db, {"pvt_type": PVT_TYPE, "path": path})
        if doc is None:
            return None  # somebody else's recording: stopped, nothing of ours to update
        duration, size = _wait_for_file(path)
        doc.update(status="stopped", stopped=int(self.clock()), duration=duration, size=size)
        saved = self.store.save(db, documents.touched(doc))
        log.info("recording stopped", extra={"account_id": account_id, "recording_id": doc["_id"],
                                            "duration": duration, "size": size})
        return saved

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


def list_recordings(ctx, account_id, conference):
    """The seam conferences/views.py calls: ``(data, http_status)``."""
    live = ctx.services.live
    if live is None:
        raise SwitchUnavailable("no FreeSWITCH node configured")
    if isinstance(conference, str):  # no such conference document in this account
        raise NotFound("bad identifier", {"cause": conference})
    return live.recordings.list(account_id, conference["_id"]), 200
