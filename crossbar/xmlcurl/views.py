"""Routing only: form fields in, XML out."""
import hmac

from flask import Blueprint, Response, request

from crossbar.xmlcurl.service import XmlCurlService

XML_TYPE = "text/xml"


def _authorized(credentials):
    """Optional HTTP basic auth (``user:password``), as mod_xml_curl's
    ``gateway-credentials`` sends it."""
    if not credentials:
        return True
    auth = request.authorization
    given = f"{auth.username}:{auth.password}" if auth and auth.username is not None else ""
    return hmac.compare_digest(given.encode(), credentials.encode())


def create_blueprint(store, config):
    service = XmlCurlService(store)
    credentials = getattr(config, "xmlcurl_credentials", "") or ""
    blueprint = Blueprint("xmlcurl", __name__)

    @blueprint.route("/fsxml", methods=["POST", "GET"])
    def fsxml_fetch():
        if not _authorized(credentials):
            return Response("unauthorized", 401, {"WWW-Authenticate": 'Basic realm="fsxml"'})
        params = request.form if request.method == "POST" else request.args
        body = service.answer(params.to_dict(flat=True))
        return Response(body, 200, content_type=XML_TYPE)

    return blueprint
