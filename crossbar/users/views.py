"""Routes for users (standard Kazoo CRUD) and ``DELETE
/accounts/{id}/users/{user_id}/user_auth``: the user signed out everywhere
(the user itself or an admin; crossbar.auth.policy)."""
from flask import Blueprint

from crossbar import responses
from crossbar.auth import revocation
from crossbar.auth.guard import current_principal, principal_check
from crossbar.context import services
from crossbar.crud_views import add_crud_routes
from crossbar.users.service import UsersService

blueprint = Blueprint("users", __name__)


def _service(svc):
    return UsersService(svc.store, svc.schemas, principal=current_principal(),
                        principals=principal_check())


add_crud_routes(blueprint, "users", _service)


@blueprint.route("/accounts/<account_id>/users/<user_id>/user_auth", methods=["DELETE"],
                 endpoint="user_sign_out")
def sign_out_user(account_id, user_id):
    """Every token issued for the user until now stops working."""
    revocation.sign_out_user(services().store, principal_check(), account_id, user_id)
    return responses.ok({"account_id": account_id, "owner_id": user_id, "signed_out": True})
