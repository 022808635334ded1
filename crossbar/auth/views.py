"""Routes: PUT /api_auth, PUT /user_auth, GET /token_auth."""
from flask import Blueprint, g, request

from crossbar import responses
from crossbar.auth import service
from crossbar.auth.guard import public
from crossbar.auth.throttle import throttled
from crossbar.context import request_data, services

blueprint = Blueprint("auth", __name__)
TOKEN_FIELDS = ("account_id", "owner_id", "method", "jti", "iat", "exp")


@blueprint.route("/api_auth", methods=["PUT"])
@public
def api_auth():
    svc = services()
    given = request_data()
    token, data = throttled(svc.login_throttle, given, request.remote_addr,
                            lambda: service.api_auth(svc.store, svc.signer, given))
    g.kz_auth_token = token
    return responses.created(data)


@blueprint.route("/user_auth", methods=["PUT"])
@public
def user_auth():
    svc = services()
    given = request_data()
    token, data = throttled(svc.login_throttle, given, request.remote_addr,
                            lambda: service.user_auth(svc.store, svc.signer, given))
    g.kz_auth_token = token
    return responses.created(data)


@blueprint.route("/token_auth", methods=["GET"])
def token_auth():
    """Introspection: the claims of the presented token."""
    claims = dict(g.kz_claims)
    return responses.ok({key: claims.get(key) for key in TOKEN_FIELDS if key in claims})
