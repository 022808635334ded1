"""``GET /v2/docs``: the OpenAPI description rendered for people by Swagger UI,
vendored (crossbar/static/docs/vendor/swagger-ui: the npm package's built files,
version and licence beside them) and served by crossbar with the page's own
script under ``/docs/``: nothing comes from a CDN. Public, like the document.
"""
import os

from flask import Blueprint, send_from_directory

from crossbar.ui import STATIC_DIR

SWAGGER_UI_VERSION = "5.36.0"
DOCS_DIR = os.path.join(STATIC_DIR, "docs")
HEADERS = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
PAGE_HEADERS = {**HEADERS, "X-Frame-Options": "DENY", "Content-Security-Policy": (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'")}


def _with(response, headers):
    response.headers.update(headers)
    return response


def create_docs_blueprint(docs_dir=DOCS_DIR):
    blueprint = Blueprint("docs", __name__)

    @blueprint.route("/v2/docs", methods=["GET"], endpoint="page")
    def page():
        return _with(send_from_directory(docs_dir, "index.html", max_age=0), PAGE_HEADERS)

    @blueprint.route("/docs/<path:filename>", methods=["GET"], endpoint="asset")
    def asset(filename):
        return _with(send_from_directory(docs_dir, filename, max_age=0), HEADERS)

    return blueprint
