"""``create_app``: the composition root of the HTTP layer (no module-level app)."""
import logging
import socket
import time
from importlib import metadata

from flask import Blueprint, Flask, g, jsonify, request

from crossbar import openapi, responses
from crossbar.accounts.views import blueprint as accounts_bp
from crossbar.auth.guard import check_request, logged_path, public
from crossbar.auth.throttle import login_throttle
from crossbar.auth.views import blueprint as auth_bp
from crossbar.body_limits import BodyLimitedRequest, apply_body_limit
from crossbar.conferences import doc_events
from crossbar.conferences.views import blueprint as conferences_bp
from crossbar.context import EXTENSION, Services, request_id
from crossbar.devices.views import blueprint as devices_bp
from crossbar.docs_page import create_docs_blueprint
from crossbar.errors import register_error_handlers
from crossbar.idempotency import CommandLedger
from crossbar.fast_actions import FastMemberActions
from crossbar.media.views import blueprint as media_bp
from crossbar.observability import REQUEST_LOG, log_request
from crossbar.responses import API_CACHE_CONTROL
from crossbar.resources.views import blueprint as resources_bp
from crossbar.users.views import blueprint as users_bp
from crossbar.webhooks.views import blueprint as webhooks_bp

API_PREFIX = "/v2"
RESOURCE_BLUEPRINTS = (auth_bp, accounts_bp, users_bp, devices_bp, media_bp, conferences_bp,
                       webhooks_bp, resources_bp)


def package_version():
    try:
        return metadata.version("kzconf")
    except metadata.PackageNotFoundError:
        return "0.1.0"


class V1Alias:
    """WSGI middleware: ``/v1/...`` is served as ``/v2/...``."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/v1" or path.startswith("/v1/"):
            environ["PATH_INFO"] = API_PREFIX + path[3:]
        return self.wsgi_app(environ, start_response)


def _api_blueprint():
    api = Blueprint("api", __name__, url_prefix=API_PREFIX)
    api.before_request(check_request)

    @api.route("/openapi.json", methods=["GET"], endpoint="openapi")
    @public
    def openapi_document():
        from crossbar.context import services
        svc = services()
        return jsonify(openapi.build_document(svc.store, svc.version))

    for child in RESOURCE_BLUEPRINTS:
        api.register_blueprint(child)
    return api


def _assign_request_id():
    request_id()  # fixed before any view or error handler needs it
    g.kz_started = time.perf_counter()


def _finish_response(response):
    response.headers["X-Request-Id"] = request_id()
    if REQUEST_LOG.isEnabledFor(logging.INFO):     # the fields cost more than the check
        log_request(request_id(), request.method, logged_path(), response.status_code,
                    g.get("kz_started"), (g.get("kz_claims") or {}).get("account_id"))
    if request.path.startswith(API_PREFIX):
        response.headers["Cache-Control"] = API_CACHE_CONTROL
        response.headers.pop("ETag", None)
        response.headers.pop("Last-Modified", None)
    return response


def create_app(config, *, store, schemas, signer, live=None, extra_blueprints=(), events=None):
    """``events``: a bus Publisher for the document events services publish
    after a successful write (None: none are published)."""
    app = Flask("crossbar", static_folder=None)
    app.request_class = BodyLimitedRequest
    app.url_map.strict_slashes = False
    app.config["MAX_CONTENT_LENGTH"] = config.http_max_body  # apply_body_limit sets each route's
    node = getattr(config, "node_name", "") or f"crossbar@{socket.gethostname()}"
    app.extensions[EXTENSION] = Services(config=config, store=store, schemas=schemas,
                                         signer=signer, live=live, node=node,
                                         version=package_version(), events=events,
                                         login_throttle=login_throttle(config, store),
                                         commands=CommandLedger.from_config(store, config))
    if live is not None and hasattr(live, "use_document_events"):  # dynamic conferences
        live.use_document_events(doc_events.for_services(app.extensions[EXTENSION]))
    app.register_blueprint(_api_blueprint())
    app.register_blueprint(create_docs_blueprint())   # /v2/docs: public, outside the token check
    for blueprint in extra_blueprints:
        app.register_blueprint(blueprint)
    register_error_handlers(app, responses.failure)
    app.before_request(_assign_request_id)
    app.before_request(apply_body_limit)  # app hooks run before the API's token check
    app.after_request(_finish_response)
    if getattr(config, "http_fast_actions", True):
        app.wsgi_app = FastMemberActions.around(app, app.wsgi_app)
    app.wsgi_app = V1Alias(app.wsgi_app)
    return app
