"""Flask responses carrying Kazoo envelopes."""
from flask import Response, g

from crossbar import envelope
from crossbar.context import request_id, services

API_CACHE_CONTROL = "no-store"     # every /v2 answer (crossbar.app, crossbar.fast_actions)


def _meta():
    svc = services()
    return {"request_id": request_id(), "node": svc.node, "version": svc.version,
            "auth_token": g.get("kz_auth_token") or ""}


def _response(text, status):
    return Response(text, status=status, mimetype="application/json")


def ok(data, status=200, *, revision=None, page=None):
    """A success envelope; ``revision`` is the document's ``_rev`` when there is one."""
    return _response(envelope.success_json(data, meta=_meta(), revision=revision, page=page),
                     status)


def created(data, *, revision=None):
    return ok(data, 201, revision=revision)


def failure(code, message, error_id, data=None):
    return _response(envelope.error_json(code, message, error_id, meta=_meta(), data=data),
                     code)
