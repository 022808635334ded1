"""Routes the live part adds (wired with ``create_app(..., extra_blueprints=[...])``):

- ``GET /v2/live_media/<token>/<name>``: a media document's audio for FreeSWITCH,
  by a signed, expiring link (no auth header; the token is the authorization).
Recordings and transcripts are conference routes (crossbar.recordings.views, added to
the conferences blueprint): without a live part they answer 503 as other live reads do.
"""
from flask import Blueprint, Response

from crossbar.auth.guard import check_request, public, secret_path
from crossbar.context import services
from crossbar.media import audio
from crossbar.media.service import MediaService
from kzcore.errors import SwitchUnavailable


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
    @secret_path
    def live_media(token, name):
        account_id, media_id = _live().media.links.verify(token)
        content, content_type, _ = MediaService(services().store, None).raw(account_id, media_id)
        # Anyone holding the link may open it in a browser: the same safe headers as the
        # API download (FreeSWITCH's mod_http_cache ignores the disposition).
        return Response(content, 200, headers=audio.download_headers(content_type, media_id))

    return blueprint
