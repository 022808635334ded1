"""jsonschema errors -> Kazoo's validation error data (PURE).

Kazoo (``kz_json_schema:error_to_jobj/2``) reports every failure as
``{"<dotted.path>": {"<keyword>": {"message": ..., "target"?: ..., "value"?: ...}}}``.
Path elements are joined with ``.``; array indexes are 0-based (``numbers.0``);
a ``.`` inside a key is written ``%2E``. A missing required field is reported at
the missing field's own path. The message texts below are Kazoo's.
"""


def _plural_join(items):
    return ", ".join(str(item) for item in items)


def _types(schema_value):
    if isinstance(schema_value, str):
        return schema_value
    if isinstance(schema_value, list):
        return _plural_join(schema_value)
    return "type schema"


def _min_length(error):
    limit = error.validator_value
    return {"message": f"String must be at least {limit} characters", "target": limit,
            "value": error.instance}


def _max_length(error):
    limit = error.validator_value
    return {"message": f"String must not be more than {limit} characters", "target": limit,
            "value": error.instance}


def _minimum(error):
    limit = error.validator_value
    return {"message": f"Value must be at least {limit}", "target": limit, "value": error.instance}


def _maximum(error):
    limit = error.validator_value
    return {"message": f"Value must be at most {limit}", "target": limit, "value": error.instance}


def _enum(error):
    return {"message": "Value not found in enumerated list of values",
            "target": list(error.validator_value), "value": error.instance}


def _type(error):
    types = _types(error.validator_value)
    return {"message": f"Value did not match type(s): {types}", "target": types,
            "value": error.instance}


def _pattern(error):
    pattern = error.validator_value
    return {"message": f"Failed to match pattern '{pattern}'", "target": pattern,
            "value": error.instance}


def _min_items(error):
    limit = error.validator_value
    return {"message": f"The list must have at least {limit} items", "target": limit,
            "value": error.instance}


def _max_items(error):
    limit = error.validator_value
    return {"message": f"The list is more than {limit} items", "target": limit,
            "value": error.instance}


def _min_properties(error):
    limit = error.validator_value
    return {"message": f"The object must have at least {limit} keys", "target": limit,
            "value": error.instance}


def _unique_items(error):
    return {"message": "List of items is not unique", "value": error.instance}


def _additional_properties(error):
    return {"message": "Strict checking of data is enabled; only include schema-defined properties",
            "value": error.instance}


def _additional_items(error):
    return {"message": "Strict checking of data is enabled; only include schema-defined items",
            "value": error.instance}


def _dependencies(error):
    return {"message": "Dependencies were not validated", "value": error.instance}


def _format(error):
    return {"message": "Field is not in the correct format", "value": error.instance,
            "format": error.validator_value}


def _multiple_of(error):
    return {"message": f"Value not divisible by {error.validator_value}",
            "target": error.validator_value, "value": error.instance}


def _failed(error):
    return {"message": "failed to validate", "value": error.instance}


# jsonschema keyword -> (Kazoo keyword, detail builder)
_KEYWORDS = {
    "minLength": ("minLength", _min_length),
    "maxLength": ("maxLength", _max_length),
    "minimum": ("minimum", _minimum),
    "maximum": ("maximum", _maximum),
    "enum": ("enum", _enum),
    "type": ("type", _type),
    "pattern": ("pattern", _pattern),
    "minItems": ("minItems", _min_items),
    "maxItems": ("maxItems", _max_items),
    "minProperties": ("minProperties", _min_properties),
    "uniqueItems": ("uniqueItems", _unique_items),
    "additionalProperties": ("additionalProperties", _additional_properties),
    "additionalItems": ("additionalItems", _additional_items),
    "dependencies": ("dependencies", _dependencies),
    "format": ("wrong_format", _format),
    "multipleOf": ("divisibleBy", _multiple_of),
    # jesse's names for the combinators; Kazoo passes them through with a generic message
    "oneOf": ("not_one_schema_valid", _failed),
    "anyOf": ("any_schemas_not_valid", _failed),
    "allOf": ("all_schemas_not_valid", _failed),
    "not": ("not_schema_valid", _failed),
}


def dotted_path(parts):
    """Kazoo's key for an instance path: ``["member", "numbers", 0]`` -> ``member.numbers.0``."""
    return ".".join(str(part).replace(".", "%2E") for part in parts)


def _required_entries(error):
    """One entry per field missing from the object (jsonschema reports one error per
    field but does not name it separately, so it is recomputed from the instance)."""
    instance = error.instance if isinstance(error.instance, dict) else {}
    missing = [name for name in error.validator_value if name not in instance]
    base = list(error.absolute_path)
    return [(dotted_path(base + [name]), "required", {"message": "Field is required but missing"})
            for name in missing]


def error_entries(error):
    """One jsonschema ``ValidationError`` -> [(dotted path, Kazoo keyword, detail)]."""
    if error.validator == "required":
        return _required_entries(error)
    keyword, build = _KEYWORDS.get(error.validator, (str(error.validator), _failed))
    return [(dotted_path(error.absolute_path), keyword, build(error))]


def errors_to_data(errors, prefix=()):
    """Many jsonschema errors -> Kazoo's ``data`` object. ``prefix`` is prepended to
    every path (e.g. ``("data",)`` for an action's nested payload)."""
    data = {}
    for error in errors:
        for path, keyword, detail in error_entries(error):
            key = dotted_path(list(prefix)) + ("." + path if prefix and path else path)
            data.setdefault(key, {})[keyword] = detail
    return data
