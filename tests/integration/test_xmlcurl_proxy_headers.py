"""docs/DEPLOY.md: without KZ_XMLCURL_CREDENTIALS, /fsxml refuses "any request
carrying proxy headers" with 403, even from loopback (a load balancer on the
same host). Each header on its own, in any letter case, over a real socket."""
import logging
import pathlib

import pytest
import requests
from gevent.pywsgi import WSGIServer

from tests.integration.test_xmlcurl_endpoints import fetch, phones  # noqa: F401 (fixture)

DEPLOY = pathlib.Path(__file__).resolve().parents[2] / "docs" / "DEPLOY.md"
PROXY_HEADERS = {                      # header -> what a proxy would put in it
    "Forwarded": "for=203.0.113.9;proto=https",
    "X-Real-IP": "203.0.113.9",
    "X-Forwarded-Host": "switch.example.com",
    "X-Forwarded-For": "203.0.113.9",
}


@pytest.mark.parametrize("header", sorted(PROXY_HEADERS))
def test_each_proxy_header_alone_is_refused_from_loopback(phones, header, caplog):  # noqa: F811
    api, body, a1 = phones("")
    assert fetch(api, body, "127.0.0.1").status_code == 200     # the same request, unproxied
    for name in (header, header.lower()):
        with caplog.at_level(logging.WARNING, logger="crossbar.xmlcurl.views"):
            refused = fetch(api, body, "127.0.0.1", **{name: PROXY_HEADERS[header]})
        assert refused.status_code == 403, name
        assert a1.encode() not in refused.data
        assert caplog.records[-1].getMessage() == "fsxml request refused"
        assert caplog.records[-1].reason == "no credentials configured: proxied requests are refused"


def test_a_proxy_header_is_refused_over_a_real_socket(phones):  # noqa: F811
    api, body, a1 = phones("")
    server = WSGIServer(("127.0.0.1", 0), api.app, log=None)
    server.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/fsxml"
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        for header, value in PROXY_HEADERS.items():
            reply = requests.post(url, data=body, headers={**form, header: value}, timeout=5)
            assert reply.status_code == 403 and a1 not in reply.text, header
        assert requests.post(url, data=body, headers=form, timeout=5).status_code == 200
    finally:
        server.stop()


def test_deploy_names_every_refused_header():
    text = DEPLOY.read_text()
    assert [h for h in PROXY_HEADERS if f"`{h}`" not in text] == []
