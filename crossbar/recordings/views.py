"""Routes of recordings and transcripts (all under the account's conference, usual auth;
another account's ids are 404 on every path):

- ``GET .../conferences/{id}/recordings``: history, oldest first, paginated
  (``page_size``, ``start_key``), filtered by ``participant_id`` or ``call_id``
  (``kind=conference|participant``);
- ``GET .../recordings/{recording_id}`` and ``.../raw`` (the audio, with HTTP Range);
- ``GET .../recordings/{recording_id}/playback``: a link for a player that sends no
  auth header (crossbar.recordings.playback), served by the public
  ``GET /v2/recording_playback/<token>`` (the same audio, with Range);
- ``GET .../conferences/{id}/transcripts``, ``.../transcripts/{transcript_id}`` (JSON)
  and ``.../raw`` (WebVTT, or plain text with ``?format=txt``);
- ``DELETE .../recordings/{recording_id}`` and ``.../transcripts/{transcript_id}``
  (crossbar.recordings.removal).
"""
from flask import Response, g, request

from crossbar import listing, responses
from crossbar.auth.guard import principal_check, public, secret_path
from crossbar.context import services
from crossbar.media import audio
from crossbar.recordings import docs, playback, removal
from kzcore import transcripts as text_forms
from kzcore.accounts import can_access
from kzcore.errors import NotFound, SwitchUnavailable, ValidationFailed
from kzcore.naming import account_db

CONFERENCE = "/accounts/<account_id>/conferences/<conference_id>"
RECORDING = f"{CONFERENCE}/recordings/<recording_id>"
TRANSCRIPT = f"{CONFERENCE}/transcripts/<transcript_id>"
RAW_FORMATS = {"vtt": "text/vtt; charset=utf-8", "txt": "text/plain; charset=utf-8"}


def _parts():
    from crossbar.recordings import runtime
    live = services().live
    if live is None:
        raise SwitchUnavailable("no FreeSWITCH node configured")
    return live, runtime.parts(live)


def _conference_exists(store, account_id, conference_id):
    """A conference of this account, stored or with recordings (a dynamic one)."""
    db = account_db(account_id)
    doc = store.get_or_none(db, conference_id) if not conference_id.startswith("_") else None
    if doc is not None and doc.get("pvt_type") == "conference":
        return
    if store.find_one(db, {"pvt_type": {"$in": [docs.PVT_TYPE, "transcript"]},
                           "conference_id": conference_id}) is None:
        raise NotFound("bad identifier", {"cause": conference_id})


KINDS = ("conference", "participant")


def history_filters(args):
    """The selector of ``participant_id`` (an integer from 1), ``call_id`` and ``kind``
    (conference or participant); anything else given is a ValidationFailed (400)."""
    selector = {}
    if "participant_id" in args:
        value = args["participant_id"]
        if not (value.isascii() and value.isdigit() and int(value) >= 1):
            raise ValidationFailed(data={"participant_id": {"type": {
                "message": "Value is not an integer from 1", "value": value}}})
        selector["participant.participant_id"] = int(value)
    if "call_id" in args:
        selector["participant.call_id"] = args["call_id"]
    if "kind" in args:
        if args["kind"] not in KINDS:
            raise ValidationFailed(data={"kind": {"enum": {
                "message": "Value not found in enumerated list of values",
                "target": list(KINDS), "value": args["kind"]}}})
        selector["kind"] = args["kind"]
    return selector


def history(store, account_id, conference_id, args):
    selector = {"pvt_type": docs.PVT_TYPE, "conference_id": conference_id,
                **history_filters(args)}
    found = sorted(store.find(account_db(account_id), selector),
                   key=lambda doc: (doc.get("started", 0), doc["_id"]))
    page_size, start_key = listing.page_request(args)
    keys = [f"{doc.get('started', 0):017.3f}-{doc['_id']}" for doc in found]
    first = next((i for i, key in enumerate(keys) if key >= start_key), len(keys)) \
        if start_key else 0
    last = len(found) if page_size is None else first + page_size
    items = [docs.public(doc) for doc in found[first:last]]
    return items, listing.page_fields(items, start_key, keys[last] if last < len(keys) else None)


def _recording(live, account_id, conference_id, recording_id):
    doc = live.store.get_or_none(account_db(account_id), recording_id) \
        if recording_id and not recording_id.startswith("_") else None
    if doc is None or doc.get("pvt_type") != docs.PVT_TYPE \
            or doc.get("conference_id") != conference_id:
        raise NotFound("bad identifier", {"cause": recording_id})
    return doc


def raw_response(kind, content, doc, disposition="attachment"):
    """The audio, whole or the ``Range`` asked for (206), or 416."""
    size = len(content) if kind == "bytes" else None
    if kind == "file":
        import os
        size = os.path.getsize(content)
    content_type = docs.FORMATS.get(doc.get("format") or "wav")
    headers = {**audio.SECURITY_HEADERS, "Accept-Ranges": "bytes", "Cache-Control": "no-store",
               "Content-Disposition": f'{disposition}; filename="{doc["name"]}"'}
    try:
        wanted = docs.byte_range(request.headers.get("Range"), size)
    except ValueError:
        return Response(b"", 416, headers={**headers, "Content-Range": f"bytes */{size}"})
    start, end = wanted or (0, size - 1)
    if kind == "file":
        with open(content, "rb") as handle:
            handle.seek(start)
            body = handle.read(end - start + 1)
    else:
        body = content[start:end + 1]
    if wanted is None:
        return Response(body, 200, headers=headers, content_type=content_type)
    return Response(body, 206, content_type=content_type,
                    headers={**headers, "Content-Range": f"bytes {start}-{end}/{size}"})


def add_routes(blueprint):
    """Add the routes to the conferences blueprint (under ``/v2``, auth checked)."""

    @blueprint.route(f"{CONFERENCE}/recordings", methods=["GET"], endpoint="recordings_list")
    def recordings_list(account_id, conference_id):
        live, _ = _parts()
        _conference_exists(live.store, account_id, conference_id)
        items, page = history(live.store, account_id, conference_id, request.args)
        return responses.ok(items, page=page)

    @blueprint.route(RECORDING, methods=["GET"], endpoint="recording_get")
    def recording_get(account_id, conference_id, recording_id):
        live, _ = _parts()
        doc = _recording(live, account_id, conference_id, recording_id)
        return responses.ok(docs.public(doc), revision=doc.get("_rev"))

    @blueprint.route(RECORDING, methods=["DELETE"], endpoint="recording_delete")
    def recording_delete(account_id, conference_id, recording_id):
        live, parts = _parts()
        doc = _recording(live, account_id, conference_id, recording_id)
        return responses.ok(removal.delete_recording(parts, account_id, doc))

    @blueprint.route(f"{RECORDING}/raw", methods=["GET"], endpoint="recording_raw")
    def recording_raw(account_id, conference_id, recording_id):
        live, parts = _parts()
        doc = _recording(live, account_id, conference_id, recording_id)
        if doc.get("status") in docs.ACTIVE:
            raise NotFound("recording is still being made", {"cause": recording_id})
        kind, content = parts.storage.content(account_id, doc)
        return raw_response(kind, content, doc)

    @blueprint.route(f"{RECORDING}/playback", methods=["GET"], endpoint="recording_playback_link")
    def recording_playback_link(account_id, conference_id, recording_id):
        live, _ = _parts()
        doc = _recording(live, account_id, conference_id, recording_id)
        url, lifetime = playback.issue(services().signer, g.kz_claims, account_id,
                                       conference_id, doc["_id"])
        return responses.ok({"url": url, "expires_in": lifetime, "recording_id": doc["_id"]})

    @blueprint.route("/recording_playback/<token>", methods=["GET"], endpoint="recording_playback")
    @public
    @secret_path
    def recording_playback(token):
        live, parts = _parts()
        claims, (account_id, conference_id, recording_id) = playback.verify(
            services().signer, token)
        principal_check().check(claims)         # signed out, disabled, key rotated: 401
        if not can_access(live.store, claims.get("account_id"), account_id):
            raise NotFound("playback link is not valid or has expired")
        doc = _recording(live, account_id, conference_id, recording_id)
        if doc.get("status") in docs.ACTIVE:
            raise NotFound("recording is still being made", {"cause": recording_id})
        kind, content = parts.storage.content(account_id, doc)
        return raw_response(kind, content, doc, disposition="inline")

    @blueprint.route(f"{CONFERENCE}/transcripts", methods=["GET"], endpoint="transcripts_list")
    def transcripts_list(account_id, conference_id):
        live, parts = _parts()
        _conference_exists(live.store, account_id, conference_id)
        return responses.ok(parts.transcripts.list(account_id, conference_id))

    @blueprint.route(TRANSCRIPT, methods=["GET"], endpoint="transcript_get")
    def transcript_get(account_id, conference_id, transcript_id):
        _, parts = _parts()
        doc = parts.transcripts.load(account_id, conference_id, transcript_id)
        return responses.ok(documents_view(doc), revision=doc.get("_rev"))

    @blueprint.route(TRANSCRIPT, methods=["DELETE"], endpoint="transcript_delete")
    def transcript_delete(account_id, conference_id, transcript_id):
        _, parts = _parts()
        doc = parts.transcripts.load(account_id, conference_id, transcript_id)
        return responses.ok(removal.delete_transcript(parts, account_id, doc))

    @blueprint.route(f"{TRANSCRIPT}/raw", methods=["GET"], endpoint="transcript_raw")
    def transcript_raw(account_id, conference_id, transcript_id):
        _, parts = _parts()
        doc = parts.transcripts.load(account_id, conference_id, transcript_id)
        fmt = request.args.get("format", "vtt")
        if fmt not in RAW_FORMATS:
            raise ValidationFailed(data={"format": {"enum": {
                "message": "Value not found in enumerated list of values",
                "target": sorted(RAW_FORMATS), "value": fmt}}})
        segments = doc.get("segments") or []
        text = text_forms.webvtt(segments) if fmt == "vtt" else text_forms.plain_text(segments)
        return Response(text, 200, content_type=RAW_FORMATS[fmt],
                        headers={**audio.SECURITY_HEADERS, "Cache-Control": "no-store"})


def documents_view(doc):
    from crossbar.recordings.transcripts import public
    return public(doc)

