"""crossbar.openapi.components (PURE): stored schemas -> self-contained components."""
from crossbar.openapi import components

ACTIONS = {"_id": "x.action", "_rev": "1-a", "$schema": "http://json-schema.org/draft-04/schema#",
           "type": "object", "properties": {"action": {"type": "string", "enum": ["b", "a"]}},
           "definitions": {
               "a": {"type": "object", "properties": {"data": {"$ref": "x.play"}}},
               "b": {"type": "object", "properties": {
                   "data": {"$ref": "conferences#/properties/member"}}}}}


def test_refs_by_bare_id_and_pointer_are_rewritten_into_the_document():
    assert components.rewrite_ref("caller_id") == "#/components/schemas/caller_id"
    assert components.rewrite_ref("conferences#/properties/member") == \
        "#/components/schemas/conferences/properties/member"
    assert components.rewrite_ref("x.action#/definitions/a") == "#/components/schemas/x.action.a"


def test_each_action_definition_becomes_a_component_and_bookkeeping_is_dropped():
    made = components.components({"x.action": ACTIONS})
    assert set(made) == {"x.action", "x.action.a", "x.action.b"}
    assert "definitions" not in made["x.action"] and "_id" not in made["x.action"]
    assert "$schema" not in made["x.action"] and "_rev" not in made["x.action"]
    assert made["x.action.a"]["properties"]["data"] == {"$ref": "#/components/schemas/x.play"}
    assert components.external_refs(made) == []


def test_action_body_is_one_of_the_actions_discriminated_by_action_in_both_shapes():
    body = components.action_body("x.action", ACTIONS)
    flat, nested = body["oneOf"]
    assert [ref["$ref"] for ref in flat["oneOf"]] == ["#/components/schemas/x.action.b",
                                                      "#/components/schemas/x.action.a"]
    assert flat["discriminator"]["propertyName"] == "action"
    assert nested["properties"]["data"] == flat and nested["additionalProperties"] is False


def test_external_refs_finds_what_points_outside():
    assert components.external_refs({"a": [{"$ref": "caller_id"}, {"$ref": "#/x"}]}) == \
        ["caller_id"]
