"""jsonschema errors -> Kazoo's error data (pure; no store)."""
from jsonschema import Draft4Validator

from kzcore.schemas.kazoo_errors import dotted_path, errors_to_data


def kazoo_errors(schema, instance, prefix=()):
    errors = Draft4Validator(schema).iter_errors(instance)
    return errors_to_data(errors, prefix=prefix)


def test_max_length_message_and_target():
    data = kazoo_errors({"properties": {"name": {"type": "string", "maxLength": 128}}},
                        {"name": "n" * 129})
    assert data == {"name": {"maxLength": {
        "message": "String must not be more than 128 characters", "target": 128,
        "value": "n" * 129}}}


def test_min_length_message_and_target():
    data = kazoo_errors({"properties": {"owner_id": {"type": "string", "minLength": 32}}},
                        {"owner_id": "a" * 31})
    detail = data["owner_id"]["minLength"]
    assert detail["message"] == "String must be at least 32 characters"
    assert detail["target"] == 32


def test_required_is_reported_at_each_missing_fields_full_path():
    schema = {"properties": {"data": {"type": "object", "required": ["media_id", "other"]}}}
    data = kazoo_errors(schema, {"data": {"other": 1}})
    assert data == {"data.media_id": {"required": {"message": "Field is required but missing"}}}


def test_every_missing_field_is_named_once():
    data = kazoo_errors({"required": ["a", "b"]}, {})
    assert set(data) == {"a", "b"}
    assert all(list(entry) == ["required"] for entry in data.values())


def test_prefix_is_prepended_to_paths():
    data = kazoo_errors({"required": ["media_id"]}, {}, prefix=("data",))
    assert list(data) == ["data.media_id"]


def test_enum_target_is_the_allowed_list():
    allowed = ["lock", "unlock", "dial"]
    data = kazoo_errors({"properties": {"action": {"enum": allowed}}}, {"action": "explode"})
    assert data["action"]["enum"] == {"message": "Value not found in enumerated list of values",
                                      "target": allowed, "value": "explode"}


def test_array_items_use_zero_based_dotted_index():
    schema = {"properties": {"conference_numbers": {
        "type": "array", "items": {"type": "string", "pattern": "^[0-9]+$"}}}}
    data = kazoo_errors(schema, {"conference_numbers": ["1234", "12ab"]})
    assert data == {"conference_numbers.1": {"pattern": {
        "message": "Failed to match pattern '^[0-9]+$'", "target": "^[0-9]+$", "value": "12ab"}}}


def test_type_lists_every_allowed_type():
    data = kazoo_errors({"properties": {"p": {"type": ["string", "integer"]}}}, {"p": 1.5})
    assert data["p"]["type"]["message"] == "Value did not match type(s): string, integer"
    data = kazoo_errors({"properties": {"p": {"type": "boolean"}}}, {"p": "yes"})
    assert data["p"]["type"] == {"message": "Value did not match type(s): boolean",
                                 "target": "boolean", "value": "yes"}


def test_numeric_limits():
    schema = {"properties": {"n": {"type": "integer", "minimum": 10, "maximum": 120}}}
    low = kazoo_errors(schema, {"n": 5})["n"]["minimum"]
    high = kazoo_errors(schema, {"n": 500})["n"]["maximum"]
    assert (low["message"], low["target"]) == ("Value must be at least 10", 10)
    assert (high["message"], high["target"]) == ("Value must be at most 120", 120)


def test_list_limits_and_uniqueness():
    schema = {"properties": {"l": {"type": "array", "minItems": 1, "maxItems": 2,
                                   "uniqueItems": True}}}
    assert kazoo_errors(schema, {"l": []})["l"]["minItems"]["message"] == \
        "The list must have at least 1 items"
    assert kazoo_errors(schema, {"l": [1, 2, 3]})["l"]["maxItems"]["message"] == \
        "The list is more than 2 items"
    assert kazoo_errors(schema, {"l": [1, 1]})["l"]["uniqueItems"]["message"] == \
        "List of items is not unique"


def test_additional_properties_message():
    data = kazoo_errors({"properties": {}, "additionalProperties": False}, {"x": 1})
    assert data[""]["additionalProperties"]["message"] == \
        "Strict checking of data is enabled; only include schema-defined properties"


def test_one_of_uses_jesse_keyword():
    schema = {"properties": {"e": {"oneOf": [{"type": "string"}, {"type": "object"}]}}}
    data = kazoo_errors(schema, {"e": 5})
    assert data == {"e": {"not_one_schema_valid": {"message": "failed to validate", "value": 5}}}


def test_several_keywords_on_one_path_are_merged():
    schema = {"properties": {"n": {"type": "string", "minLength": 5, "pattern": "^[0-9]+$"}}}
    data = kazoo_errors(schema, {"n": "ab"})
    assert set(data["n"]) == {"minLength", "pattern"}


def test_dotted_path_escapes_dots_inside_keys():
    assert dotted_path(["profile", "a.b", 0]) == "profile.a%2Eb.0"
    assert dotted_path([]) == ""
