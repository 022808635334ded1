"""Routes for media: standard CRUD plus GET/PUT/POST .../media/{id}/raw."""
from flask import Blueprint, Response, request

from crossbar.context import services
from crossbar.crud_views import add_crud_routes, doc_response
from crossbar.media import audio
from crossbar.media.service import MediaService
from kzcore.errors import BadRequest

blueprint = Blueprint("media", __name__)
add_crud_routes(blueprint, "media", lambda svc: MediaService(svc.store, svc.schemas))
RAW = "/accounts/<account_id>/media/<doc_id>/raw"


def _uploaded():
    """``(bytes, content_type)`` from a raw audio body or a multipart form file."""
    if request.mimetype == "multipart/form-data":
        files = list(request.files.values())
        if not files:
            raise BadRequest("multipart upload carries no file")
        upload = files[0]
        return upload.read(), upload.content_type or request.form.get("content_type", "")
    return request.get_data(cache=False), request.headers.get("Content-Type", "")


@blueprint.route(RAW, methods=["PUT", "POST"], endpoint="media_raw_upload")
def upload_raw(account_id, doc_id):
    content, content_type = _uploaded()
    service = MediaService(services().store, services().schemas)
    return doc_response(service.store_raw(account_id, doc_id, content, content_type))


@blueprint.route(RAW, methods=["GET"], endpoint="media_raw_download")
def download_raw(account_id, doc_id):
    service = MediaService(services().store, services().schemas)
    content, content_type, _ = service.raw(account_id, doc_id)
    return Response(content, headers=audio.download_headers(content_type, doc_id))
