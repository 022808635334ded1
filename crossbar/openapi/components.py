"""``components.schemas`` from the JSON schemas the server validates with (PURE).

The stored schemas (``system_schemas``, draft-04, ``$ref`` by bare id) become
self-contained OpenAPI 3.1 schemas: every ``$ref`` is rewritten to
``#/components/schemas/<id>[/<pointer>]`` and the CouchDB fields (``_id``,
``_rev``) and ``$schema`` are dropped. The action schemas
(``conferences.action``...) hold one definition per action
(``definitions.<action>``, what ``crossbar.action_requests.validated`` checks
against): each becomes a component of its own, ``<schema>.<action>``, so that
a request body is ``oneOf`` them, discriminated by ``action``.
"""
import copy

PREFIX = "#/components/schemas/"
DROPPED = ("_id", "_rev", "_attachments", "$schema")


def component_ref(schema_id, pointer=""):
    return {"$ref": f"{PREFIX}{schema_id}{pointer}"}


def rewrite_ref(ref):
    """``"conferences#/properties/member"`` -> ``#/components/schemas/conferences/properties/member``;
    a ref to an action's definition names its own component."""
    if ref.startswith("#"):
        raise ValueError(f"a stored schema refers to itself by {ref!r}: name the schema id")
    schema_id, _, fragment = ref.partition("#")
    parts = fragment.split("/") if fragment else []
    if len(parts) == 3 and parts[1] == "definitions":
        return PREFIX + action_component(schema_id, parts[2])
    return PREFIX + schema_id + fragment


def _rewritten(node):
    if isinstance(node, dict):
        return {key: (rewrite_ref(value) if key == "$ref" and isinstance(value, str)
                      else _rewritten(value))
                for key, value in node.items() if key not in DROPPED}
    if isinstance(node, list):
        return [_rewritten(item) for item in node]
    return node


def action_component(schema_id, action):
    return f"{schema_id}.{action}"


def actions_of(schema):
    """The actions an action schema defines, in the order of its ``action`` enum."""
    return list(schema.get("properties", {}).get("action", {}).get("enum", [])) \
        if "definitions" in schema else []


def components(stored):
    """``{name: schema}`` for ``stored`` (``{schema_id: stored schema document}``)."""
    result = {}
    for schema_id, schema in sorted(stored.items()):
        body = _rewritten(copy.deepcopy(schema))
        definitions = body.pop("definitions", {})
        result[schema_id] = body
        for action in actions_of(schema):
            result[action_component(schema_id, action)] = definitions[action]
    return result


def action_body(schema_id, stored_schema):
    """The request body of an action route: one schema per action, discriminated by
    ``action``; Kazoo's other shape, ``{"data": {"action", "data"}}``, takes the same."""
    actions = actions_of(stored_schema)
    mapping = {action: PREFIX + action_component(schema_id, action) for action in actions}
    flat = {"oneOf": [{"$ref": ref} for ref in mapping.values()],
            "discriminator": {"propertyName": "action", "mapping": mapping}}
    nested = {"type": "object", "required": ["data"], "additionalProperties": False,
              "properties": {"data": flat},
              "description": "Kazoo's nested form: the action request inside data"}
    return {"oneOf": [flat, nested]}


def external_refs(node, found=None):
    """Every ``$ref`` in ``node`` that does not point inside the document."""
    found = [] if found is None else found
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and not value.startswith("#/"):
                found.append(value)
            else:
                external_refs(value, found)
    elif isinstance(node, list):
        for item in node:
            external_refs(item, found)
    return found
