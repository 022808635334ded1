"""Routes for webhooks: Kazoo CRUD (the secret in the create reply only), the
delivery log and secret rotation."""
from flask import Blueprint, request

from crossbar import responses
from crossbar.context import request_data, services
from crossbar.crud_views import if_match
from crossbar.webhooks.service import WebhooksService, client_view
from kzcore import netpolicy, webhook_docs

blueprint = Blueprint("webhooks", __name__)
BASE = "/accounts/<account_id>/webhooks"
ONE = f"{BASE}/<doc_id>"


def _service():
    svc = services()
    allowed = netpolicy.parse_networks(getattr(svc.config, "webhooks_allow_networks", ""))
    return WebhooksService(svc.store, svc.schemas, allowed)


def _doc(doc, status=200, secret=None):
    return responses.ok(client_view(doc, secret), status, revision=doc.get("_rev"))


@blueprint.route(BASE, methods=["GET"], endpoint="webhooks_list")
def list_webhooks(account_id):
    items, page = _service().list(account_id, request.args)
    return responses.ok(items, page=page)


@blueprint.route(BASE, methods=["PUT"], endpoint="webhooks_create")
def create_webhook(account_id):
    saved = _service().create(account_id, request_data())
    return _doc(saved, 201, secret=saved[webhook_docs.SECRET_FIELD])


@blueprint.route(ONE, methods=["GET"], endpoint="webhooks_get")
def get_webhook(account_id, doc_id):
    return _doc(_service().load(account_id, doc_id))


@blueprint.route(ONE, methods=["POST"], endpoint="webhooks_update")
def update_webhook(account_id, doc_id):
    return _doc(_service().update(account_id, doc_id, request_data(), if_match()))


@blueprint.route(ONE, methods=["PATCH"], endpoint="webhooks_patch")
def patch_webhook(account_id, doc_id):
    return _doc(_service().patch(account_id, doc_id, request_data(), if_match()))


@blueprint.route(ONE, methods=["DELETE"], endpoint="webhooks_delete")
def delete_webhook(account_id, doc_id):
    return _doc(_service().delete(account_id, doc_id, if_match()))


@blueprint.route(f"{ONE}/attempts", methods=["GET"], endpoint="webhooks_attempts")
def webhook_attempts(account_id, doc_id):
    attempts = _service().attempts(account_id, doc_id)
    return responses.ok(attempts, page={"page_size": len(attempts)})


@blueprint.route(f"{ONE}/secret", methods=["POST"], endpoint="webhooks_rotate_secret")
def rotate_secret(account_id, doc_id):
    saved, secret = _service().rotate_secret(account_id, doc_id)
    return _doc(saved, secret=secret)
