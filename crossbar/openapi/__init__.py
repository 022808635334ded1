"""The OpenAPI 3.1 document of the whole API (``GET /v2/openapi.json``), built
from what the server enforces: request bodies from the JSON schemas it validates
with (``system_schemas``: crossbar.openapi.components), one schema per action
from the action schemas' definitions, query and path parameters from the
modules that read them (crossbar.openapi.parameters), replies from the error
mapping (crossbar.openapi.replies). The document refers to nothing outside it.
"""
from crossbar.media import audio, upload_forms
from crossbar.openapi import components, parameters, replies
from crossbar.openapi.operations import OPERATIONS, PUBLIC, RAW_BODY, body_schema_ids
from kzcore.naming import SCHEMAS_DB

__all__ = ["OPERATIONS", "build_document", "stored_schemas", "schema_ids"]
BASE64_AUDIO = ("^data:(" + "|".join(t.replace(".", r"\.").replace("+", r"\+")
                                      for t in sorted(audio.ACCEPTED))
                + r");base64,[A-HJ-OQ-Za-z0-9+/][A-Za-z0-9+/]{3}([A-Za-z0-9+/]{4})*$")


def schema_ids(store=None):
    """Every stored schema the document carries: those of request bodies and those
    they refer to."""
    return sorted(stored_schemas(store)) if store is not None else body_schema_ids()


def stored_schemas(store):
    """``{schema_id: schema}`` of the request bodies' schemas and, transitively, of
    every schema they refer to, read from ``system_schemas``."""
    found, pending = {}, list(body_schema_ids())
    while pending:
        schema_id = pending.pop()
        if schema_id in found:
            continue
        doc = store.get_or_none(SCHEMAS_DB, schema_id)
        if doc is None:
            raise LookupError(f"schema {schema_id} is not in {SCHEMAS_DB}")
        found[schema_id] = doc
        pending += [ref.partition("#")[0] for ref in _refs(doc)]
    return found


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _raw_body():
    binary = {"type": "string", "format": "binary", "minLength": 1}
    content = {media_type: {"schema": binary} for media_type in sorted(audio.ACCEPTED)}
    content[upload_forms.BASE64_TYPE] = {"schema": {   # issue 18: Monster UI's form
        "type": "string", "pattern": BASE64_AUDIO,
        "description": "data:<audio type>;base64,<data> (bare base64 is taken when its "
                       "bytes are WAV or MP3)"}}
    content[upload_forms.MULTIPART] = {"schema": {
        "type": "object", "required": ["file"], "additionalProperties": False,
        "properties": {"file": binary}},
        "encoding": {"file": {"contentType": ", ".join(sorted(audio.ACCEPTED))}}}
    return {"required": True, "description": "the audio: WAV or MP3 (markup is refused)",
            "content": content}


def _request_body(schema_id, stored, method):
    if schema_id == RAW_BODY:
        return _raw_body()
    if components.actions_of(stored[schema_id]):
        schema = components.action_body(schema_id, stored[schema_id])
    else:
        target = f"{schema_id}.patch" if method == "patch" else schema_id
        schema = {"type": "object", "required": ["data"],
                  "properties": {"data": components.component_ref(target)},
                  "description": "Kazoo's request envelope: the document in data "
                                 "(other top-level keys are ignored)"}
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _operation(stored, method, path, op_id, summary, body, status, tag):
    operation = {"operationId": op_id, "summary": summary, "tags": [tag],
                 "parameters": parameters.for_operation(op_id, method, path),
                 "responses": replies.for_operation(op_id, method, path, status)}
    if body:
        operation["requestBody"] = _request_body(body, stored, method)
    if any(param["name"] == "has_key" for param in operation["parameters"]):
        operation["description"] = parameters.FILTERS_TEXT
    if op_id in PUBLIC:
        operation["security"] = []
    return operation


def _patch_variant(schema):
    """PATCH merges into the stored document (crossbar.documents.deep_merge): its body
    need not repeat required fields, and ``null`` removes a field that is not required."""
    required = set(schema.get("required", []))
    variant = {key: value for key, value in schema.items() if key != "required"}
    variant["properties"] = {
        name: prop if name in required else {
            "anyOf": [_patch_variant(prop) if "properties" in prop else prop,
                      {"type": "null", "description": "null removes the field"}]}
        for name, prop in schema.get("properties", {}).items()}
    return variant


def _patch_variants(stored):
    return {f"{schema_id}.patch": _patch_variant(
        components.components({schema_id: doc})[schema_id])
        for schema_id, doc in stored.items()
        if any(op[0] == "patch" and op[4] == schema_id for op in OPERATIONS)}


def _links(paths):
    """OpenAPI links from each create (PUT on a collection, 201) to the operations on
    the document it made (``{collection}/{id}...``): create -> read -> update -> delete."""
    for path, item in paths.items():
        create = item.get("put")
        if not create or "201" not in create["responses"] or "{" not in path:
            continue
        links = {}
        for other, other_item in paths.items():
            rest = other[len(path) + 1:] if other.startswith(path + "/{") else ""
            if not rest or "/" in rest or not rest.endswith("}"):
                continue
            for sub, sub_item in paths.items():
                if sub != other and not sub.startswith(other + "/"):
                    continue
                for method, operation in sub_item.items():
                    params = {name: f"$request.path.{name}"
                              for name in parameters.path_names(path)}
                    params[rest[1:-1]] = "$response.body#/data/id"
                    links[operation["operationId"]] = {
                        "operationId": operation["operationId"], "parameters": params}
        if links:
            create["responses"]["201"]["links"] = links


def build_document(store, version="0.1.0"):
    stored = stored_schemas(store)
    paths = {}
    for method, path, *rest in OPERATIONS:
        paths.setdefault(path, {})[method] = _operation(stored, method, path, *rest)
    _links(paths)
    schemas = {**replies.SHARED, **components.components(stored), **_patch_variants(stored)}
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {"title": "crossbar (Kazoo-compatible conference API)", "version": version,
                 "description": "Every request but the public ones carries X-Auth-Token "
                                "(from PUT /v2/api_auth or /v2/user_auth). Errors are "
                                "Kazoo envelopes (ErrorEnvelope)."},
        "servers": [{"url": "/"}],
        "security": [{"AuthToken": []}, {"Bearer": []}],
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {
            "AuthToken": {"type": "apiKey", "in": "header", "name": "X-Auth-Token"},
            "Bearer": {"type": "http", "scheme": "bearer",
                       "description": "the same token as Authorization: Bearer <token>"}}},
    }
