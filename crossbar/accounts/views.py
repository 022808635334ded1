"""Routes for accounts. ``PUT /accounts/{id}`` creates a child of ``{id}``;
``PUT /accounts`` a top-level account (superduper admins only).
``PUT /accounts/{id}/api_key`` rotates the API key (Kazoo's route);
``DELETE /accounts/{id}/user_auth`` signs the whole account out everywhere.
Which of them a caller may use is crossbar.auth.policy's rule (the guard)."""
from flask import Blueprint, g, request

from crossbar import responses
from crossbar.accounts.service import AccountsService
from crossbar.auth import revocation
from crossbar.auth.guard import current_principal, principal_check
from crossbar.context import request_data, services
from crossbar.crud_views import doc_response, if_match

blueprint = Blueprint("accounts", __name__)
ONE = "/accounts/<account_id>"


def _service():
    return AccountsService(services().store, services().schemas,
                           principal=current_principal(), principals=principal_check())


@blueprint.route("/accounts", methods=["PUT"], endpoint="account_create")
def create_top_level():
    service = _service()
    parent_id = service.top_level_parent(g.kz_claims.get("account_id"))
    return doc_response(service.create_child(parent_id, request_data()), 201)


@blueprint.route(ONE, methods=["GET"], endpoint="account_get")
def get_account(account_id):
    return doc_response(_service().get(account_id))


@blueprint.route(ONE, methods=["PUT"], endpoint="account_create_child")
def create_child(account_id):
    return doc_response(_service().create_child(account_id, request_data()), 201)


@blueprint.route(ONE, methods=["POST"], endpoint="account_update")
def update_account(account_id):
    return doc_response(_service().update(account_id, account_id, request_data(), if_match()))


@blueprint.route(ONE, methods=["PATCH"], endpoint="account_patch")
def patch_account(account_id):
    return doc_response(_service().patch(account_id, account_id, request_data(), if_match()))


@blueprint.route(ONE, methods=["DELETE"], endpoint="account_delete")
def delete_account(account_id):
    actor = g.kz_claims.get("account_id")
    return doc_response(_service().remove(actor, account_id, if_match()))


@blueprint.route(f"{ONE}/children", methods=["GET"], endpoint="account_children")
def children(account_id):
    items, page = _service().related(account_id, request.args, direct_only=True)
    return responses.ok(items, page=page)


@blueprint.route(f"{ONE}/descendants", methods=["GET"], endpoint="account_descendants")
def descendants(account_id):
    items, page = _service().related(account_id, request.args, direct_only=False)
    return responses.ok(items, page=page)


@blueprint.route(f"{ONE}/api_key", methods=["GET"], endpoint="account_api_key")
def api_key(account_id):
    return responses.ok({"api_key": _service().get(account_id).get("pvt_api_key")})


@blueprint.route(f"{ONE}/api_key", methods=["PUT"], endpoint="account_api_key_rotate")
def rotate_api_key(account_id):
    """A new key, returned in this reply; the old key and its tokens stop working."""
    key = revocation.rotate_api_key(services().store, principal_check(), account_id)
    return responses.ok({"api_key": key}, 201)


@blueprint.route(f"{ONE}/user_auth", methods=["DELETE"], endpoint="account_sign_out")
def sign_out_account(account_id):
    """Every token issued for the account until now stops working (the caller's too
    when it is one of them)."""
    revocation.sign_out_account(services().store, principal_check(), account_id)
    return responses.ok({"account_id": account_id, "signed_out": True})
