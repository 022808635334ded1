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


# --- the document is self-contained, valid, and says what the server enforces ----------

def _document(api):
    return api.client.get("/v2/openapi.json").get_json()


def test_document_is_a_valid_openapi_3_1_document_with_no_outside_reference(api):
    from openapi_spec_validator import validate

    from crossbar.openapi.components import external_refs
    document = _document(api)
    validate(document)   # raises on any error (3.1 meta-schema, defaults, $refs resolved)
    assert external_refs(document) == []
    text = repr(document)
    for target in set(re.findall(r"'\$ref': '#/components/schemas/([^'/]+)", text)):
        assert target in document["components"]["schemas"], target


@pytest.mark.parametrize("path, schema_id", [
    ("/v2/accounts/{account_id}/conferences/{conference_id}", "conferences.action"),
    ("/v2/accounts/{account_id}/conferences/{conference_id}/participants",
     "conferences.participants.action"),
    ("/v2/accounts/{account_id}/conferences/{conference_id}/participants/{participant_id}",
     "conferences.participant.action"),
])
def test_one_request_schema_per_action_from_the_schema_the_server_validates_with(
        api, path, schema_id):
    from kzcore.schemas.loader import read_schema_files
    stored = read_schema_files()[schema_id]
    document = _document(api)
    body = document["paths"][path]["put"]["requestBody"]["content"]["application/json"]
    flat = body["schema"]["oneOf"][0]
    actions = stored["properties"]["action"]["enum"]
    assert flat["discriminator"]["propertyName"] == "action"
    assert sorted(flat["discriminator"]["mapping"]) == sorted(actions)   # (keys sorted in JSON)
    for action in actions:
        component = document["components"]["schemas"][f"{schema_id}.{action}"]
        assert component["properties"]["action"]["enum"] == [action]
        assert component["additionalProperties"] is False
        definition = stored["definitions"][action]
        assert component["required"] == definition["required"]


def test_actions_whose_data_needs_fields_require_data(api):
    schemas = _document(api)["components"]["schemas"]
    for name in ("conferences.action.record", "conferences.participants.action.relate",
                 "conferences.participant.action.play", "conferences.action.dial"):
        assert "data" in schemas[name]["required"], name
    assert schemas["conferences.record"]["required"] == ["action"]
    assert schemas["conferences.action.lock"]["required"] == ["action"]


def test_list_parameters_carry_the_servers_bounds(api):
    from crossbar import listing
    operation = _document(api)["paths"]["/v2/accounts/{account_id}/users"]["get"]
    params = {param["name"]: param["schema"] for param in operation["parameters"]}
    assert params["page_size"] == {"type": "integer", "minimum": 1,
                                   "maximum": listing.MAX_PAGE_SIZE}
    assert params["paginate"] == {"type": "boolean"}
    assert params["account_id"]["pattern"] == "^[0-9a-f]{32}$"
    assert "filter_" in operation["description"]


def test_auth_endpoints_need_no_token_and_their_bodies_need_non_empty_strings(api):
    document = _document(api)
    assert document["components"]["securitySchemes"]["AuthToken"] == {
        "type": "apiKey", "in": "header", "name": "X-Auth-Token"}
    public = {op["operationId"] for item in document["paths"].values() for op in item.values()
              if op.get("security") == []}
    assert public == {"api_auth", "user_auth", "openapi", "docs", "live_media",
                      "recording_playback"}
    schemas = document["components"]["schemas"]
    assert schemas["api_auth"]["properties"]["api_key"]["minLength"] == 1
    assert schemas["user_auth"]["properties"]["credentials"]["minLength"] == 1


def test_raw_uploads_name_the_accepted_audio_types(api):
    from crossbar.media import audio
    operation = _document(api)["paths"]["/v2/accounts/{account_id}/media/{doc_id}/raw"]["put"]
    content = operation["requestBody"]["content"]
    assert set(content) == set(audio.ACCEPTED) | {"application/x-base64", "multipart/form-data"}


def test_every_operation_describes_its_errors_with_the_kazoo_envelope(api):
    for item in _document(api)["paths"].values():
        for operation in item.values():
            codes = [code for code in operation["responses"] if code.startswith(("4", "5"))]
            assert "400" in codes and "404" in codes, operation["operationId"]
            for code in codes:
                if code != "416":
                    assert operation["responses"][code]["content"]["application/json"][
                        "schema"] == {"$ref": "#/components/schemas/ErrorEnvelope"}


def test_server_refuses_what_the_description_refuses(api):
    base = f"/v2/accounts/{api.root.account_id}"
    for query in ("page_size=0", "page_size=1001", "page_size=-1", "page_size=",
                  "paginate=null", "paginate=1", "created_from=yesterday",
                  "paginate=false&page_size=0"):
        reply = api.call("GET", f"{base}/users?{query}", token=api.root.token)
        assert reply.status_code == 400, query
        assert reply.get_json()["status"] == "error"
    assert api.call("GET", f"{base}/users?page_size=1000&paginate=true",
                    token=api.root.token).status_code == 200
    for body in ({"api_key": ""}, {}):
        assert api.call("PUT", "/v2/api_auth", body).status_code == 400
    reply = api.call("PUT", "/v2/user_auth", {"credentials": "", "account_name": "x"})
    assert "minLength" in reply.get_json()["data"]["credentials"]
    reply = api.call("PUT", "/v2/user_auth", {"credentials": "abc"})
    assert reply.status_code == 400   # no account named (anyOf)
