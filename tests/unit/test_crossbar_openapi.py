"""The OpenAPI document and the routes stay in step."""
import re

import pytest

from crossbar import openapi

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def _api_routes(app):
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/v2"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        routes |= {(method.lower(), path) for method in rule.methods - IGNORED_METHODS}
    return routes


def _documented(document):
    return {(method, path) for path, item in document["paths"].items() for method in item}


@pytest.fixture
def full_api(app_factory):
    """The app with every /v2 blueprint the services compose (the live part's too)."""
    from crossbar.live import create_blueprint
    return app_factory(extra_blueprints=[create_blueprint()])


def test_every_route_is_documented_and_every_documented_path_is_routed(full_api):
    api = full_api
    document = api.client.get("/v2/openapi.json").get_json()
    routes, documented = _api_routes(api.app), _documented(document)
    assert routes, "no routes found"
    assert sorted(routes - documented) == [], "routes missing from the OpenAPI document"
    assert sorted(documented - routes) == [], "documented operations without a route"


def test_document_is_served_without_auth_and_references_stored_schemas(api):
    reply = api.client.get("/v2/openapi.json")
    assert reply.status_code == 200 and reply.headers["X-Request-Id"]
    document = reply.get_json()
    assert document["openapi"].startswith("3.")
    schemas = document["components"]["schemas"]
    create = document["paths"]["/v2/accounts/{account_id}/conferences"]["put"]
    data_schema = create["requestBody"]["content"]["application/json"]["schema"]
    assert data_schema["properties"]["data"] == {"$ref": "#/components/schemas/conferences"}
    assert schemas["conferences"]["properties"]["name"]["maxLength"] == 128
    assert document["components"]["securitySchemes"]["AuthToken"]["name"] == "X-Auth-Token"
    assert create["responses"]["400"]["content"]["application/json"]["schema"] == \
        {"$ref": "#/components/schemas/ErrorEnvelope"}
    assert document["paths"]["/v2/api_auth"]["put"]["security"] == []


def test_every_referenced_schema_is_in_components(api):
    document = api.client.get("/v2/openapi.json").get_json()
    text = repr(document["paths"])
    for name in set(re.findall(r"#/components/schemas/([\w.]+)", text)):
        assert name in document["components"]["schemas"], name
    for schema_id in openapi.schema_ids():
        assert document["components"]["schemas"][schema_id].get("type") == "object", schema_id
