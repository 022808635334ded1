"""The HTTP layer: envelopes, X-Request-Id, JSON errors for every failure, no caching."""
import logging

import pytest
from flask import Blueprint

from crossbar import envelope

SUCCESS_FIELDS = {"data", "status", "auth_token", "request_id", "node", "timestamp", "version",
                  "revision"}
ERROR_FIELDS = {"data", "status", "error", "message", "error_id", "request_id", "node",
                "timestamp", "version", "auth_token"}


def _boom_blueprint():
    blueprint = Blueprint("boom", __name__)

    @blueprint.route("/v2/boom")
    def boom():
        raise RuntimeError("secret internal detail")
    return blueprint


def test_success_envelope_and_request_id_header(api):
    reply = api.call("GET", f"/v2/accounts/{api.root.account_id}", token=api.root.token)
    body = reply.get_json()
    assert reply.status_code == 200 and SUCCESS_FIELDS <= set(body)
    assert body["status"] == "success" and body["auth_token"] == api.root.token
    assert reply.headers["X-Request-Id"] == body["request_id"]
    assert reply.headers["Cache-Control"] == "no-store" and "ETag" not in reply.headers
    assert body["revision"].startswith("1-")


def test_client_request_id_is_echoed(api):
    reply = api.call("GET", f"/v2/accounts/{api.root.account_id}", token=api.root.token,
                     headers={"X-Request-Id": "client-chosen-42"})
    assert reply.headers["X-Request-Id"] == "client-chosen-42"
    assert reply.get_json()["request_id"] == "client-chosen-42"


@pytest.mark.parametrize("method,path,status,error_id", [
    ("GET", "/v2/no/such/path", 404, "not_found"),
    ("GET", "/nothing-here", 404, "not_found"),
    ("DELETE", "/v2/api_auth", 405, "method_not_allowed"),
    ("GET", "/v2/api_auth", 405, "method_not_allowed"),
])
def test_routing_errors_are_json_envelopes(api, method, path, status, error_id):
    reply = api.call(method, path, token=api.root.token)
    body = reply.get_json()
    assert reply.status_code == status and ERROR_FIELDS <= set(body)
    assert body["error"] == str(status) and body["error_id"] == error_id
    assert reply.headers["X-Request-Id"] == body["request_id"]


def test_malformed_json_is_400(api):
    reply = api.client.put(f"/v2/accounts/{api.root.account_id}/conferences",
                           data=b'{"data": {"name": ', content_type="application/json",
                           headers={"X-Auth-Token": api.root.token})
    body = reply.get_json()
    assert reply.status_code == 400 and body["error_id"] == "bad_request"
    assert "malformed JSON" in body["message"]
    not_wrapped = api.call("PUT", f"/v2/accounts/{api.root.account_id}/conferences",
                           body={"data": "string"}, token=api.root.token)
    assert not_wrapped.status_code == 400


def test_unexpected_exception_is_500_json_without_traceback(app_factory, caplog):
    harness = app_factory(extra_blueprints=[_boom_blueprint()])
    with caplog.at_level(logging.ERROR, logger="crossbar.errors"):
        reply = harness.client.get("/v2/boom")
    body = reply.get_json()
    assert reply.status_code == 500 and body["error"] == "500"
    assert body["error_id"] == "internal_error" and ERROR_FIELDS <= set(body)
    assert "secret internal detail" not in reply.get_data(as_text=True)
    assert "Traceback" not in reply.get_data(as_text=True)
    assert reply.headers["X-Request-Id"]
    assert any("unexpected error" in record.getMessage() for record in caplog.records)


def test_extra_blueprints_are_not_behind_the_token_guard(app_factory):
    blueprint = Blueprint("open", __name__)
    blueprint.add_url_rule("/xml_curl/ping", "ping", lambda: "pong")
    harness = app_factory(extra_blueprints=[blueprint])
    reply = harness.client.get("/xml_curl/ping")
    assert reply.status_code == 200 and reply.get_data() == b"pong"
    assert reply.headers["X-Request-Id"]


def test_list_envelope_has_paging_fields(api):
    body = api.call("GET", f"/v2/accounts/{api.root.account_id}/users",
                    token=api.root.token).get_json()
    assert body["page_size"] == len(body["data"]) == 1
    assert body["revision"] == envelope.data_revision(body["data"])
