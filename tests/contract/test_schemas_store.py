"""Schemas through a real store (embedded and a CouchDB-API server, via the shared
``store`` fixture): loading, live edits without restart, $ref by bare id, and the
Kazoo-shaped errors the issue requires."""
import pytest

from kzcore.errors import ValidationFailed
from kzcore.naming import SCHEMAS_DB
from kzcore.schemas.loader import load_schemas, read_schema_files
from kzcore.schemas.registry import SchemaRegistry


@pytest.fixture
def loaded(store):
    result = load_schemas(store)
    return store, result


def errors_of(registry, schema_id, doc):
    with pytest.raises(ValidationFailed) as caught:
        registry.validate(schema_id, doc)
    assert caught.value.message == "validation error"
    return caught.value.data


def test_load_writes_every_schema_file(loaded):
    store, result = loaded
    files = read_schema_files()
    assert sorted(result["loaded"]) == sorted(files) and result["skipped"] == []
    for schema_id, schema in files.items():
        stored = store.get(SCHEMAS_DB, schema_id)
        assert stored["_id"] == schema_id and stored["_rev"]
        assert stored["properties"] == schema["properties"]


def test_second_load_skips_and_overwrite_updates(loaded):
    store, _ = loaded
    assert load_schemas(store)["loaded"] == []
    before = store.get(SCHEMAS_DB, "conferences")["_rev"]
    assert "conferences" in load_schemas(store, overwrite=True)["loaded"]
    assert store.get(SCHEMAS_DB, "conferences")["_rev"] != before


def test_editing_the_stored_schema_changes_validation_without_restart(loaded):
    store, _ = loaded
    registry = SchemaRegistry(store)
    assert registry.validate("conferences", {"name": "x" * 100})["name"] == "x" * 100

    doc = store.get(SCHEMAS_DB, "conferences")
    doc["properties"]["name"]["maxLength"] = 20
    store.save(SCHEMAS_DB, doc)

    data = errors_of(registry, "conferences", {"name": "x" * 100})
    assert data["name"]["maxLength"]["message"] == "String must not be more than 20 characters"
    assert data["name"]["maxLength"]["target"] == 20


def test_ref_by_bare_id_is_resolved_from_the_store(loaded):
    store, _ = loaded
    registry = SchemaRegistry(store)
    data = errors_of(registry, "conferences", {"profile": {"rate": 11025}})
    assert data["profile.rate"]["enum"]["target"][0] == 8000

    profile = store.get(SCHEMAS_DB, "conferences.profile")
    profile["properties"]["rate"]["enum"].append(11025)
    store.save(SCHEMAS_DB, profile)
    assert registry.validate("conferences", {"profile": {"rate": 11025}})["profile"]["rate"] == 11025


def test_dial_refers_to_conference_fields_by_id(loaded):
    store, _ = loaded
    doc = SchemaRegistry(store).validate("conferences.dial", {"endpoints": ["1000"], "member": {}})
    assert doc["member"] == {"join_deaf": False, "join_muted": True, "numbers": [], "pins": []}


def test_name_of_129_characters(loaded):
    store, _ = loaded
    data = errors_of(SchemaRegistry(store), "conferences", {"name": "n" * 129})
    assert data == {"name": {"maxLength": {
        "message": "String must not be more than 128 characters", "target": 128, "value": "n" * 129}}}


def test_non_numeric_conference_number(loaded):
    store, _ = loaded
    data = errors_of(SchemaRegistry(store), "conferences", {"conference_numbers": ["1000", "abc"]})
    assert data == {"conference_numbers.1": {"pattern": {
        "message": "Failed to match pattern '^[0-9]+$'", "target": "^[0-9]+$", "value": "abc"}}}


def test_owner_id_of_31_characters(loaded):
    store, _ = loaded
    data = errors_of(SchemaRegistry(store), "conferences", {"owner_id": "f" * 31})
    assert data == {"owner_id": {"minLength": {
        "message": "String must be at least 32 characters", "target": 32, "value": "f" * 31}}}
