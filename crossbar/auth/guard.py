"""Token check and account access, run before every API view that is not public."""
import logging

from flask import current_app, g, request

from crossbar.context import services
from kzcore.accounts import can_access
from kzcore.errors import Forbidden, Unauthorized

log = logging.getLogger(__name__)


def public(view):
    """Mark a view as reachable without an auth token."""
    view.kz_public = True
    return view


def presented_token():
    token = request.headers.get("X-Auth-Token", "").strip()
    if not token:
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer":
            token = value.strip()
    return token


def check_request():
    """Blueprint ``before_request`` hook: 401 without a valid token, 403 on an
    account the token's account may not reach."""
    view = current_app.view_functions.get(request.endpoint)
    if view is None or getattr(view, "kz_public", False) or request.method == "OPTIONS":
        return None
    token = presented_token()
    if not token:
        raise Unauthorized("missing auth token: send X-Auth-Token")
    svc = services()
    claims = svc.signer.verify(token)
    g.kz_claims, g.kz_auth_token = claims, token
    target = (request.view_args or {}).get("account_id")
    if target is not None and not can_access(svc.store, claims.get("account_id"), target):
        log.info("account access denied",
                 extra={"actor": claims.get("account_id"), "target": target})
        raise Forbidden("account is not reachable with this token", {"account_id": target})
    return None
