"""Routing only: form fields in, XML out, behind crossbar.xmlcurl.access."""
import logging

from flask import Blueprint, Response, request

from crossbar.xmlcurl.access import refusal
from crossbar.xmlcurl.service import XmlCurlService
from kzcore import fsxml

XML_TYPE = "text/xml"
log = logging.getLogger(__name__)


def _given_credentials():
    auth = request.authorization
    if auth is None or auth.type != "basic" or auth.username is None:
        return ""
    return f"{auth.username}:{auth.password or ''}"


def create_blueprint(store, config):
    sounds = getattr(config, "fs_sounds_dir", "") or fsxml.DEFAULT_SOUNDS_DIR
    service = XmlCurlService(store, sounds, getattr(config, "sofia_external_profile", "external"),
                             getattr(config, "default_country_code", "1"))
    credentials = getattr(config, "xmlcurl_credentials", "") or ""
    if not credentials and config is not None:
        log.warning("/fsxml has no credentials (KZ_XMLCURL_CREDENTIALS): answering loopback peers only")
    blueprint = Blueprint("xmlcurl", __name__)

    @blueprint.route("/fsxml", methods=["POST", "GET"])
    def fsxml_fetch():
        refused = refusal(credentials, request.remote_addr, request.headers.keys(),
                          _given_credentials())
        if refused is not None:
            status, reason = refused
            log.warning("fsxml request refused", extra={
                "remote_addr": request.remote_addr, "status": status, "reason": reason,
                "section": (request.form if request.method == "POST" else request.args).get("section")})
            headers = {"WWW-Authenticate": 'Basic realm="fsxml"'} if status == 401 else {}
            return Response(reason, status, headers, content_type="text/plain")
        params = request.form if request.method == "POST" else request.args
        body = service.answer(params.to_dict(flat=True))
        return Response(body, 200, content_type=XML_TYPE)

    return blueprint
