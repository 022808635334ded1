"""Routes: PUT /api_auth, PUT /user_auth (bodies checked against the api_auth and
user_auth schemas, as the OpenAPI document describes them), GET /token_auth."""
from flask import Blueprint, g, request

from crossbar import responses
from crossbar.auth import service
from crossbar.auth.guard import public
from crossbar.auth.throttle import client_address, throttled
from crossbar.context import request_data, services
from kzcore.netpolicy import parse_networks

blueprint = Blueprint("auth", __name__)
TOKEN_FIELDS = ("account_id", "owner_id", "method", "jti", "iat", "exp")


def login_address(svc):
    """The client's address (``KZ_TRUSTED_PROXIES``: behind a load balancer)."""
    trusted = parse_networks(getattr(svc.config, "trusted_proxies", ""))
    return client_address(request.remote_addr, request.headers.get("X-Forwarded-For"), trusted)


@blueprint.route("/api_auth", methods=["PUT"])
@public
def api_auth():
    svc = services()
    given = svc.schemas.validate("api_auth", request_data())  # before the throttle counts
    token, data = throttled(svc.login_throttle, given, login_address(svc),
                            lambda: service.api_auth(svc.store, svc.signer, given))
    g.kz_auth_token = token
    return responses.created(data)


@blueprint.route("/user_auth", methods=["PUT"])
@public
def user_auth():
    svc = services()
    given = svc.schemas.validate("user_auth", request_data())  # before the throttle counts
    token, data = throttled(svc.login_throttle, given, login_address(svc),
                            lambda: service.user_auth(svc.store, svc.signer, given))
    g.kz_auth_token = token
    return responses.created(data)


@blueprint.route("/token_auth", methods=["GET"])
def token_auth():
    """Introspection: the claims of the presented token."""
    claims = dict(g.kz_claims)
    return responses.ok({key: claims.get(key) for key in TOKEN_FIELDS if key in claims})
