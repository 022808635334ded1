"""Token check, revocation check, account access and privilege level, run
before every API view that is not public."""
import logging
import time

from flask import current_app, g, request

from crossbar.auth import policy
from crossbar.context import EXTENSION
from kzcore.accounts import can_access
from kzcore.errors import Forbidden, Unauthorized
from kzcore.principals import PrincipalCheck

log = logging.getLogger(__name__)
TOKEN_CACHE_KEY = "kz_verified_tokens"  # per app, in app.extensions
TOKEN_CACHE_SIZE = 4096
PRINCIPALS_KEY = "kz_principals"        # per app: the PrincipalCheck (and its cache)


def public(view):
    """Mark a view as reachable without an auth token."""
    view.kz_public = True
    return view


def secret_path(view):
    """Mark a view whose path holds its credential (a signed link): logs name its
    route, not the path."""
    view.kz_secret_path = True
    return view


def logged_path():
    """The request's path as logs show it (see ``secret_path``)."""
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "kz_secret_path", False) and request.url_rule is not None:
        return request.url_rule.rule
    return request.path


def token_from(x_auth_token, authorization):
    """The token a request presents: ``X-Auth-Token``, else ``Authorization: Bearer`` (PURE)."""
    token = (x_auth_token or "").strip()
    if not token:
        scheme, _, value = (authorization or "").partition(" ")
        if scheme.lower() == "bearer":
            token = value.strip()
    return token


def presented_token():
    return token_from(request.headers.get("X-Auth-Token"), request.headers.get("Authorization"))


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


def principal_check(app=None):
    """This app's ``kzcore.principals.PrincipalCheck`` (made on first use)."""
    extensions = (app or current_app).extensions
    check = extensions.get(PRINCIPALS_KEY)
    if check is None:
        check = extensions[PRINCIPALS_KEY] = PrincipalCheck(extensions[EXTENSION].store)
    return check


def current_principal():
    """The ``Principal`` of this request (None outside an authenticated request)."""
    return g.get("kz_principal")


def authenticate(app, token):
    """``(claims, principal)`` of ``token``, or Unauthorized (no, bad, expired or
    revoked token). No Flask context needed: crossbar.fast_actions calls it too."""
    if not token:
        raise Unauthorized("missing auth token: send X-Auth-Token")
    svc = app.extensions[EXTENSION]
    claims = verified_claims(svc.signer, token, app.extensions.setdefault(TOKEN_CACHE_KEY, {}))
    return claims, principal_check(app).check(claims)


def refusal(app, claims, principal, endpoint, view_args):
    """The Forbidden ``authorize`` would raise, or None (nothing logged)."""
    target = view_args.get("account_id")
    if target is not None and not can_access(app.extensions[EXTENSION].store,
                                             claims.get("account_id"), target):
        return Forbidden("account is not reachable with this token", {"account_id": target})
    why = policy.route_refusal(principal, endpoint, view_args)
    return Forbidden(why, {"priv_level": principal.priv_level}) if why else None


def authorize(app, claims, principal, endpoint, view_args):
    """Forbidden (logged) on an account the token's account may not reach, or
    on what its privilege level does not allow ``endpoint`` with ``view_args``."""
    refused = refusal(app, claims, principal, endpoint, view_args)
    if refused is None:
        return
    if "account_id" in refused.data:
        log.info("account access denied",
                 extra={"actor": claims.get("account_id"), "target": refused.data["account_id"]})
    else:
        log.info("privilege level refused", extra={
            "actor": principal.account_id, "user_id": principal.user_id, "endpoint": endpoint})
    raise refused


def check_request():
    """Blueprint ``before_request`` hook: 401 without a valid token or with a
    revoked one (account, ancestor or user disabled or deleted, signed out, key
    rotated), 403 on an account the token's account may not reach or on what
    its privilege level does not allow (``authenticate``, ``authorize``)."""
    app, here = current_app._get_current_object(), request._get_current_object()
    endpoint = here.endpoint
    view = app.view_functions.get(endpoint)
    if view is None or getattr(view, "kz_public", False) or here.method == "OPTIONS":
        return None
    token = presented_token()
    claims, principal = authenticate(app, token)
    g.kz_claims, g.kz_auth_token, g.kz_principal = claims, token, principal
    authorize(app, claims, principal, endpoint, here.view_args or {})
    return None
