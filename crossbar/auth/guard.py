"""Token check and account access, run before every API view that is not public."""
import logging
import time

from flask import current_app, g, request

from crossbar.context import services
from kzcore.accounts import can_access
from kzcore.errors import Forbidden, Unauthorized

log = logging.getLogger(__name__)
TOKEN_CACHE_KEY = "kz_verified_tokens"  # per app, in app.extensions
TOKEN_CACHE_SIZE = 4096


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


def verified_claims(signer, token, cache):
    """``signer.verify(token)`` with the signature check and decoding done once
    per token (clients send the same token on every request); the expiry is
    checked on every use against the signer's clock, so answers do not change."""
    claims = cache.get(token)
    if claims is None:
        claims = signer.verify(token)
        if len(cache) >= TOKEN_CACHE_SIZE:
            cache.clear()
        cache[token] = claims
    elif claims.get("exp", 0) < getattr(signer, "_clock", time.time)():
        cache.pop(token, None)
        raise Unauthorized("auth token expired")
    return dict(claims)


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
    claims = verified_claims(svc.signer, token,
                             current_app.extensions.setdefault(TOKEN_CACHE_KEY, {}))
    g.kz_claims, g.kz_auth_token = claims, token
    target = (request.view_args or {}).get("account_id")
    if target is not None and not can_access(svc.store, claims.get("account_id"), target):
        log.info("account access denied",
                 extra={"actor": claims.get("account_id"), "target": target})
        raise Forbidden("account is not reachable with this token", {"account_id": target})
    return None
