"""The standard Kazoo collection/document routes, shared by resources whose
documents need nothing beyond AccountDocuments (users, devices, media)."""
from flask import request

from crossbar import documents, responses
from crossbar.context import request_data, services


def if_match():
    """The revision a client names in ``If-Match`` (quotes removed), or None."""
    value = request.headers.get("If-Match", "").strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"')
    return value if value and value != "*" else None


def doc_response(doc, status=200):
    return responses.ok(documents.public_view(doc), status, revision=doc.get("_rev"))


def add_crud_routes(blueprint, collection, make_service):
    """``make_service(services) -> AccountDocuments`` for each request."""
    base = f"/accounts/<account_id>/{collection}"
    one = f"{base}/<doc_id>"

    def list_docs(account_id):
        items, page = make_service(services()).list(account_id, request.args)
        return responses.ok(items, page=page)

    def create_doc(account_id):
        return doc_response(make_service(services()).create(account_id, request_data()), 201)

    def get_doc(account_id, doc_id):
        return doc_response(make_service(services()).load(account_id, doc_id))

    def update_doc(account_id, doc_id):
        service = make_service(services())
        return doc_response(service.update(account_id, doc_id, request_data(), if_match()))

    def patch_doc(account_id, doc_id):
        service = make_service(services())
        return doc_response(service.patch(account_id, doc_id, request_data(), if_match()))

    def delete_doc(account_id, doc_id):
        return doc_response(make_service(services()).delete(account_id, doc_id, if_match()))

    blueprint.add_url_rule(base, f"{collection}_list", list_docs, methods=["GET"])
    blueprint.add_url_rule(base, f"{collection}_create", create_doc, methods=["PUT"])
    blueprint.add_url_rule(one, f"{collection}_get", get_doc, methods=["GET"])
    blueprint.add_url_rule(one, f"{collection}_update", update_doc, methods=["POST"])
    blueprint.add_url_rule(one, f"{collection}_patch", patch_doc, methods=["PATCH"])
    blueprint.add_url_rule(one, f"{collection}_delete", delete_doc, methods=["DELETE"])
