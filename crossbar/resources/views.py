"""Routes for resources: ``/v2/accounts/{account_id}/resources`` (admins of the
account, crossbar.auth.policy) and ``/v2/resources`` (superduper admins only).

Writes answer the saved document (passwords masked) with ``_read_only.
gateway_sync``: per node, whether its gateways were brought in line
(``{"status": "success", "killed": [...]}`` or ``{"status": "error", "message"}``).
"""
from flask import Blueprint, request

from crossbar import documents, responses
from crossbar.context import request_data, services
from crossbar.crud_views import if_match
from crossbar.resources.service import ResourcesService, SystemResourcesService, masked
from crossbar.resources.sync import GatewaySync

blueprint = Blueprint("resources", __name__)


def _sync(svc):
    live = svc.live
    if live is None:
        return None
    profile = svc.config.sofia_external_profile
    return GatewaySync(live.pool, svc.store, profile, live.timeout).sync


def _service(kind):
    svc = services()
    return kind(svc.store, svc.schemas, sync=_sync(svc))


def _shown(doc):
    return masked(documents.public_view(doc))


def _written(service, doc, status=200):
    data = _shown(doc)
    data["_read_only"] = {"gateway_sync": service.synced()}
    return responses.ok(data, status, revision=doc.get("_rev"))


def _add_routes(base, prefix, kind, scope_arg):
    """CRUD routes under ``base``; ``scope_arg(view_args)`` -> the account id (or None)."""
    one = f"{base}/<doc_id>"

    def list_docs(**args):
        items, page = _service(kind).list(scope_arg(args), request.args)
        return responses.ok(items, page=page)

    def create_doc(**args):
        service = _service(kind)
        return _written(service, service.create(scope_arg(args), request_data()), 201)

    def get_doc(doc_id, **args):
        doc = _service(kind).load(scope_arg(args), doc_id)
        return responses.ok(_shown(doc), revision=doc.get("_rev"))

    def update_doc(doc_id, **args):
        service = _service(kind)
        return _written(service, service.update(scope_arg(args), doc_id, request_data(),
                                                if_match()))

    def patch_doc(doc_id, **args):
        service = _service(kind)
        return _written(service, service.patch(scope_arg(args), doc_id, request_data(),
                                               if_match()))

    def delete_doc(doc_id, **args):
        service = _service(kind)
        return _written(service, service.delete(scope_arg(args), doc_id, if_match()))

    for rule, name, view, method in (
            (base, "list", list_docs, "GET"), (base, "create", create_doc, "PUT"),
            (one, "get", get_doc, "GET"), (one, "update", update_doc, "POST"),
            (one, "patch", patch_doc, "PATCH"), (one, "delete", delete_doc, "DELETE")):
        blueprint.add_url_rule(rule, f"{prefix}_{name}", view, methods=[method])


_add_routes("/accounts/<account_id>/resources", "resources", ResourcesService,
            lambda args: args["account_id"])
_add_routes("/resources", "system_resources", SystemResourcesService, lambda args: None)
