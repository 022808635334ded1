"""mod_xml_curl endpoint: conference profiles and the SIP device directory.

``create_blueprint(store, config)`` returns a Flask blueprint serving
``POST /fsxml`` (form-encoded, as mod_xml_curl sends it; GET query strings
are accepted too), behind ``crossbar.xmlcurl.access``: basic auth with
``config.xmlcurl_credentials``, or loopback peers only when none is set.
Wire it with ``create_app(..., extra_blueprints=[...])``.
"""
from crossbar.xmlcurl.views import create_blueprint

__all__ = ["create_blueprint"]
