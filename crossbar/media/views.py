"""Routes for media: standard CRUD plus GET/PUT/POST .../media/{id}/raw (uploads in
Kazoo's three forms: crossbar.media.upload_forms)."""
from flask import Blueprint, Response, request

from crossbar.context import services
from crossbar.crud_views import add_crud_routes, doc_response
from crossbar.media import audio, upload_forms
from crossbar.media.service import MediaService

blueprint = Blueprint("media", __name__)
add_crud_routes(blueprint, "media", lambda svc: MediaService(svc.store, svc.schemas))
RAW = "/accounts/<account_id>/media/<doc_id>/raw"


@blueprint.route(RAW, methods=["PUT", "POST"], endpoint="media_raw_upload")
def upload_raw(account_id, doc_id):
    content, content_type = upload_forms.uploaded(request)
    service = MediaService(services().store, services().schemas)
    return doc_response(service.store_raw(account_id, doc_id, content, content_type))


@blueprint.route(RAW, methods=["GET"], endpoint="media_raw_download")
def download_raw(account_id, doc_id):
    service = MediaService(services().store, services().schemas)
    content, content_type, _ = service.raw(account_id, doc_id)
    return Response(content, headers=audio.download_headers(content_type, doc_id))
