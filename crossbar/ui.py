"""The admin UI: static files under ``/ui/``, ``/`` redirecting there, and
``/ui/config.json`` telling the page where the API and the websocket gateway are.

The page is plain HTML, CSS and ES modules from ``crossbar/static`` (no build
step, nothing fetched from elsewhere). It talks to the REST API (``/v2``) with
the token it obtained at sign-in and to the blackhole gateway for live events.
"""
import logging
import os

from flask import Blueprint, jsonify, redirect, send_from_directory

log = logging.getLogger(__name__)

STATIC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")
API_BASE = "/v2"
WILDCARD_HOSTS = ("", "0.0.0.0", "::", "[::]")
STATIC_HEADERS = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
PAGE_HEADERS = {**STATIC_HEADERS, "X-Frame-Options": "DENY",
                "Content-Security-Policy": ("default-src 'self'; connect-src 'self' ws: wss:; "
                                            "img-src 'self' data: blob:; media-src 'self' blob:; "
                                            "object-src 'none'; frame-ancestors 'none'")}


def websocket_settings(config, websocket_url=None):
    """What the page needs to reach the gateway.

    ``websocket_url`` (or ``config.blackhole_public_url`` when such a setting
    exists) wins; otherwise the gateway's host and port, the host left out when
    it listens on every address so that the page uses its own host name.
    """
    url = websocket_url or getattr(config, "blackhole_public_url", "") or ""
    host = getattr(config, "blackhole_host", "") or ""
    return {
        "websocket_url": url or None,
        "websocket_host": None if host in WILDCARD_HOSTS else host,
        "websocket_port": getattr(config, "blackhole_port", None),
    }


def ui_config(config, websocket_url=None):
    return {"api_base": API_BASE, **websocket_settings(config, websocket_url)}


def _with_headers(response, headers):
    for name, value in headers.items():
        response.headers[name] = value
    return response


def create_ui_blueprint(config, *, websocket_url=None, static_dir=STATIC_DIR):
    """The UI blueprint; register it with ``create_app(..., extra_blueprints=[...])``."""
    blueprint = Blueprint("ui", __name__)
    settings = ui_config(config, websocket_url)

    @blueprint.route("/", methods=["GET"], endpoint="root")
    def root():
        return redirect("/ui/", code=302)

    @blueprint.route("/ui", methods=["GET"], endpoint="index")
    @blueprint.route("/ui/", methods=["GET"], endpoint="index_slash")
    def index():
        return _with_headers(send_from_directory(static_dir, "index.html", max_age=0),
                             PAGE_HEADERS)

    @blueprint.route("/ui/config.json", methods=["GET"], endpoint="config")
    def config_json():
        return _with_headers(jsonify(settings), {"Cache-Control": "no-store"})

    @blueprint.route("/ui/<path:filename>", methods=["GET"], endpoint="static")
    def static(filename):
        return _with_headers(send_from_directory(static_dir, filename, max_age=0),
                             STATIC_HEADERS)

    log.debug("admin UI configured", extra={"static_dir": static_dir, **settings})
    return blueprint
