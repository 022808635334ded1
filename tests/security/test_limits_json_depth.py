"""Deeply nested JSON is a 400 with a clear message on every endpoint (body or
query string), never a 500 from a RecursionError."""
import urllib.parse

import pytest
import requests

from tests.security.limits_support import crossbar_server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    made = crossbar_server(tmp_path_factory.mktemp("depth"))
    yield made
    made.stop()


def _nested(levels):
    return "[" * levels + "]" * levels


@pytest.mark.parametrize("body", [
    '{"data":{"credentials":' + "[" * 10_000,                       # the attack: never closed
    '{"data":{"credentials":' + _nested(7_000) + ',"account_name":"x"}}'],   # well formed
    ids=["unclosed", "closed"])
def test_ten_thousand_nested_arrays_on_user_auth_are_a_400(server, body):
    reply = requests.put(server.url("/v2/user_auth"), data=body, timeout=5,
                         headers={"Content-Type": "application/json"})
    assert reply.status_code == 400, reply.text[:300]
    envelope = reply.json()
    assert envelope["message"] == "JSON request body nested too deeply"
    assert envelope["data"]["target"] == 32


def test_nesting_just_deep_enough_to_pass_the_parser_is_refused_too(server):
    """900 levels parse in json.loads but fail later (encoding, merging): refused first."""
    token = server.token()
    body = '{"data":{"name":"deep","controls":{"x":' + _nested(900) + '}}}'
    reply = requests.put(server.url(f"/v2/accounts/{server.admin['account_id']}/conferences"),
                         data=body, timeout=5,
                         headers={"Content-Type": "application/json", "X-Auth-Token": token})
    assert reply.status_code == 400, reply.text[:300]
    assert reply.json()["message"] == "JSON request body nested too deeply"


def test_ordinary_nesting_is_untouched(server):
    token = server.token()
    doc = {"name": "nested ok", "controls": {"a": {"b": {"c": [[["keep"]]]}}}}
    reply = requests.put(server.url(f"/v2/accounts/{server.admin['account_id']}/conferences"),
                         json={"data": doc}, timeout=5, headers={"X-Auth-Token": token})
    assert reply.status_code == 201, reply.text[:300]
    assert reply.json()["data"]["controls"] == doc["controls"]


def test_a_nested_filter_in_the_query_string_is_not_a_500(server):
    token = server.token()
    query = urllib.parse.urlencode({"filter_name": _nested(1200)})   # within the 8 KiB line
    reply = requests.get(server.url(f"/v2/accounts/{server.admin['account_id']}/conferences"
                                    f"?{query}"), timeout=5, headers={"X-Auth-Token": token})
    assert reply.status_code == 200, reply.text[:300]
    assert reply.json()["data"] == []
