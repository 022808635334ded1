"""SchemaRegistry: default filling, $ref by bare id, caching and refresh, on the
embedded store in memory (schemas written directly, not from the files)."""
import pytest

from kzcore.errors import NotFound, ValidationFailed
from kzcore.naming import SCHEMAS_DB
from kzcore.schemas.registry import SchemaRegistry
from kzcore.store.embedded import EmbeddedStore

D4 = "http://json-schema.org/draft-04/schema#"

ROOM = {
    "$schema": D4, "type": "object",
    "properties": {
        "name": {"type": "string", "maxLength": 10},
        "play_name": {"type": "boolean", "default": False},
        "member": {"type": "object", "default": {}, "properties": {
            "join_muted": {"type": "boolean", "default": True},
            "numbers": {"type": "array", "default": [], "items": {"type": "string"}},
            "limits": {"type": "object", "default": {"max": 5},
                       "properties": {"max": {"type": "integer"},
                                      "min": {"type": "integer", "default": 1}}},
        }},
        "profile": {"$ref": "room.profile"},
        "guests": {"type": "array", "items": {"type": "object", "properties": {
            "muted": {"type": "boolean", "default": True}}}},
    },
}
PROFILE = {"$schema": D4, "type": "object", "properties": {
    "rate": {"type": "integer", "enum": [8000, 16000]},
    "energy": {"type": "integer", "default": 300}}}


class CountingStore(EmbeddedStore):
    def __init__(self):
        super().__init__(":memory:")
        self.reads = 0

    def get(self, db, doc_id):
        self.reads += 1
        return super().get(db, doc_id)


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def store():
    store = CountingStore()
    store.save(SCHEMAS_DB, dict(ROOM, _id="room"))
    store.save(SCHEMAS_DB, dict(PROFILE, _id="room.profile"))
    yield store
    store.close()


def edit(store, schema_id, change):
    doc = store.get(SCHEMAS_DB, schema_id)
    change(doc)
    store.save(SCHEMAS_DB, doc)


def test_defaults_fill_nested_objects_created_by_their_own_default(store):
    result = SchemaRegistry(store).validate("room", {"name": "r"})
    assert result == {"name": "r", "play_name": False,
                      "member": {"join_muted": True, "numbers": [],
                                 "limits": {"max": 5, "min": 1}}}


def test_given_values_win_over_defaults_and_input_is_not_mutated(store):
    doc = {"member": {"join_muted": False}, "play_name": True}
    result = SchemaRegistry(store).validate("room", doc)
    assert result["member"]["join_muted"] is False and result["play_name"] is True
    assert doc == {"member": {"join_muted": False}, "play_name": True}


def test_defaults_are_not_shared_between_results(store):
    registry = SchemaRegistry(store)
    first = registry.validate("room", {})
    first["member"]["numbers"].append("1")
    assert registry.validate("room", {})["member"]["numbers"] == []


def test_defaults_fill_array_items_and_referenced_schemas(store):
    result = SchemaRegistry(store).validate(
        "room", {"guests": [{}, {"muted": False}], "profile": {"rate": 8000}})
    assert result["guests"] == [{"muted": True}, {"muted": False}]
    assert result["profile"] == {"rate": 8000, "energy": 300}


def test_ref_by_bare_id_is_validated_from_the_store(store):
    with pytest.raises(ValidationFailed) as caught:
        SchemaRegistry(store).validate("room", {"profile": {"rate": 5}})
    assert caught.value.message == "validation error"
    assert caught.value.data["profile.rate"]["enum"]["target"] == [8000, 16000]


def test_ref_with_fragment_into_another_schema(store):
    store.save(SCHEMAS_DB, {"_id": "dial", "$schema": D4, "type": "object", "properties": {
        "member": {"$ref": "room#/properties/member"}}})
    result = SchemaRegistry(store).validate("dial", {"member": {}})
    assert result["member"]["join_muted"] is True


def test_missing_referenced_schema_is_a_schema_error(store):
    store.save(SCHEMAS_DB, {"_id": "broken", "properties": {"x": {"$ref": "nowhere"}}})
    with pytest.raises(ValidationFailed) as caught:
        SchemaRegistry(store).validate("broken", {"x": 1})
    assert caught.value.data["schema"]["schema"]["message"] == "schema not found"


def test_unknown_schema_is_not_found(store):
    registry = SchemaRegistry(store)
    with pytest.raises(NotFound):
        registry.validate("nope", {})
    with pytest.raises(NotFound):
        registry.get("nope")


def test_get_returns_the_stored_schema_without_rev(store):
    schema = SchemaRegistry(store).get("room")
    assert schema["_id"] == "room" and "_rev" not in schema
    assert schema["properties"]["name"]["maxLength"] == 10


def test_edit_applies_on_next_validate_with_zero_interval(store):
    registry = SchemaRegistry(store)
    registry.validate("room", {"name": "abcdefgh"})
    edit(store, "room", lambda d: d["properties"]["name"].update(maxLength=5))
    with pytest.raises(ValidationFailed) as caught:
        registry.validate("room", {"name": "abcdefgh"})
    assert caught.value.data["name"]["maxLength"]["target"] == 5


def test_edit_of_a_referenced_schema_applies_too(store):
    registry = SchemaRegistry(store)
    registry.validate("room", {"profile": {"rate": 8000}})
    edit(store, "room.profile", lambda d: d["properties"]["rate"].update(enum=[16000]))
    with pytest.raises(ValidationFailed):
        registry.validate("room", {"profile": {"rate": 8000}})


def test_refresh_interval_limits_store_reads(store):
    clock = FakeClock()
    registry = SchemaRegistry(store, refresh_interval=30.0, clock=clock)
    registry.validate("room", {"name": "abcdefgh"})
    edit(store, "room", lambda d: d["properties"]["name"].update(maxLength=5))
    reads = store.reads
    registry.validate("room", {"name": "abcdefgh"})  # cached: no read, old schema
    assert store.reads == reads
    clock.now += 31
    with pytest.raises(ValidationFailed):
        registry.validate("room", {"name": "abcdefgh"})


def test_unchanged_schema_is_not_recompiled(store):
    registry = SchemaRegistry(store)
    registry.validate("room", {})
    compiled = registry._compiled["room"]
    registry.validate("room", {})
    assert registry._compiled["room"] is compiled


def test_validate_against_a_part_of_a_schema_by_json_pointer(store):
    """One action's request is a definition inside its action schema."""
    store.save(SCHEMAS_DB, {"_id": "act", "$schema": D4, "type": "object", "definitions": {
        "hold": {"type": "object", "additionalProperties": False, "properties": {
            "action": {"enum": ["hold"]},
            "data": {"type": "object", "default": {}, "properties": {
                "profile": {"$ref": "room.profile"}}}}}}})
    registry = SchemaRegistry(store)
    assert registry.validate("act#/definitions/hold", {"action": "hold"}) == {
        "action": "hold", "data": {}}
    filled = registry.validate("act#/definitions/hold", {"action": "hold", "data": {"profile": {}}})
    assert filled["data"]["profile"] == {"energy": 300}   # defaults through a $ref, too
    with pytest.raises(ValidationFailed) as failed:
        registry.validate("act#/definitions/hold", {"action": "hold", "extra": 1}, ("body",))
    assert "additionalProperties" in failed.value.data["body"]
    with pytest.raises(NotFound):
        registry.validate("missing#/definitions/hold", {})


def test_a_document_seen_before_is_answered_from_the_memo_as_a_fresh_copy(store, monkeypatch):
    registry = SchemaRegistry(store)
    first = registry.validate("room", {"name": "r"})
    walks = []
    compiled = registry._compiled["room"]
    validator = compiled.validator

    class Counting:
        def iter_errors(self, instance):
            walks.append(1)
            return validator.iter_errors(instance)
    monkeypatch.setattr(compiled, "validator", Counting())
    first["member"]["numbers"].append("changed by the caller")
    again = registry.validate("room", {"name": "r"})
    assert walks == [] and again["member"]["numbers"] == []      # memo, not the caller's copy
    assert again == {"name": "r", "play_name": False,
                     "member": {"join_muted": True, "numbers": [],
                                "limits": {"max": 5, "min": 1}}}
    registry.validate("room", {"name": "s"})                      # another document: walked
    assert walks == [1]
    for _ in range(2):                                             # failures are not remembered
        with pytest.raises(ValidationFailed):
            registry.validate("room", {"name": "far too long a name"})
    assert walks == [1, 1, 1]
