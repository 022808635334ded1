"""Routes the live part adds (wired with ``create_app(..., extra_blueprints=[...])``):

- ``GET /v2/live_media/<token>/<name>``: a media document's audio for FreeSWITCH,
  by a signed, expiring link (no auth header; the token is the authorization);
- ``GET /v2/accounts/{account_id}/conferences/{conference_id}/recordings/{recording_id}``
  and ``.../raw``: one recording's document and its WAV file (usual auth).
"""
from flask import Blueprint, Response, send_file

from crossbar import responses
from crossbar.auth.guard import check_request, public
from crossbar.context import services
from crossbar.live.recordings import CONTENT_TYPE, public as public_recording
from crossbar.media import audio
from crossbar.media.service import MediaService
from kzcore.errors import SwitchUnavailable

RECORDING = "/accounts/<account_id>/conferences/<conference_id>/recordings/<recording_id>"


def _live():
    live = services().live
    if live is None:
        raise SwitchUnavailable("no FreeSWITCH node configured")
    return live


def create_blueprint():
    blueprint = Blueprint("live", __name__, url_prefix="/v2")
    blueprint.before_request(check_request)

    @blueprint.route("/live_media/<token>/<name>", methods=["GET"], endpoint="live_media")
    @public
    def live_media(token, name):
        account_id, media_id = _live().media.links.verify(token)
        content, content_type, _ = MediaService(services().store, None).raw(account_id, media_id)
        # Anyone holding the link may open it in a browser: the same safe headers as the
        # API download (FreeSWITCH's mod_http_cache ignores the disposition).
        return Response(content, 200, headers=audio.download_headers(content_type, media_id))

    @blueprint.route(RECORDING, methods=["GET"], endpoint="recording_get")
    def recording_get(account_id, conference_id, recording_id):
        doc = _live().recordings.load(account_id, conference_id, recording_id)
        return responses.ok(public_recording(doc), revision=doc.get("_rev"))

    @blueprint.route(f"{RECORDING}/raw", methods=["GET"], endpoint="recording_raw")
    def recording_raw(account_id, conference_id, recording_id):
        recordings = _live().recordings
        path = recordings.file_of(recordings.load(account_id, conference_id, recording_id))
        response = send_file(path, mimetype=CONTENT_TYPE, as_attachment=True,
                             download_name=f"{recording_id}.wav", max_age=0, conditional=False,
                             etag=False, last_modified=None)
        response.headers.update(audio.SECURITY_HEADERS)
        return response

    return blueprint
