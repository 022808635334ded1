"""Recording documents and their files (PURE).

A recording document (``pvt_type: recording``) holds ``conference_id``, ``kind``
(``conference``: the room's mixed recording, ``participant``: one participant's own
track), ``participant`` (``participant_id``, ``call_id``, ``caller_id_name``,
``caller_id_number``) for a track, ``format``, ``name`` (``<id>.<format>``),
``started`` / ``stopped`` (Unix seconds, fractions kept), ``pauses`` (``[{"paused",
"resumed"}]``), ``duration`` (seconds recorded, pauses excluded), ``size``,
``started_by``, ``max_duration_s`` / ``stop_at``, ``storage`` (``directory`` or
``store``), ``status`` and, for tracks being transcribed, ``transcript_id``.
The file's place on the server (``path``) is private: replies name files, never paths.
"""
import os
import re

from crossbar import documents

PVT_TYPE = "recording"
FORMATS = {"wav": "audio/wav", "mp3": "audio/mpeg"}
MAX_DURATION_CAP = 86400
ACTIVE = ("recording", "paused")
PRIVATE_FIELDS = ("path",)
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def room_path(root, account_id, conference_id, recording_id, fmt="wav"):
    """``<root>/<account>/<conference>/<recording_id>.<format>``."""
    return os.path.join(root, account_id, conference_id, f"{recording_id}.{fmt}")


def participant_path(root, account_id, conference_id, call_id, recording_id, fmt="wav"):
    """``<root>/<account>/<conference>/participants/<call_id>/<recording_id>.<format>``."""
    return os.path.join(root, account_id, conference_id, "participants", call_id,
                        f"{recording_id}.{fmt}")


def public(doc):
    """The client's view: no server path, the content type of its format."""
    view = documents.public_view(doc)
    for field in PRIVATE_FIELDS:
        view.pop(field, None)
    fmt = doc.get("format") or "wav"
    view.setdefault("format", fmt)
    view.setdefault("name", f"{doc['_id']}.{fmt}")
    view["content_type"] = FORMATS.get(fmt, "application/octet-stream")
    return view


def max_duration(requested, default):
    """Seconds a recording may run: the request's, else the configured default,
    never more than 24 hours."""
    value = requested if requested else default
    return max(1, min(int(value or MAX_DURATION_CAP), MAX_DURATION_CAP))


def paused_seconds(pauses, now):
    return sum((pause.get("resumed") or now) - pause["paused"] for pause in pauses or ())


def recorded_seconds(doc, now):
    """Seconds recorded so far (or in all, once stopped), pauses excluded."""
    end = doc.get("stopped") or now
    return round(max(0.0, end - doc["started"] - paused_seconds(doc.get("pauses"), end)), 3)


def byte_range(header, size):
    """``(start, end)`` inclusive for a single ``Range: bytes=...`` header; None for
    no (or a multi-range) header: the whole file; ValueError when it cannot be
    satisfied (416)."""
    if not header or "," in header:
        return None
    match = RANGE.match(header.strip())
    if not match or match.groups() == ("", ""):
        raise ValueError(header)
    first, last = match.groups()
    if first == "":
        length = int(last)
        if length == 0 or size == 0:
            raise ValueError(header)
        return max(0, size - length), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        raise ValueError(header)
    return start, end
