"""The action schemas: one definition per action (``<schema>#/definitions/<action>``),
strict, with the bounds the switch has; every action listed has its definition."""
import pytest

from kzcore.errors import ValidationFailed
from kzcore.schemas.loader import load_schemas, read_schema_files
from kzcore.schemas.registry import SchemaRegistry
from kzcore.store.embedded import EmbeddedStore

ACTION_SCHEMAS = ("conferences.action", "conferences.participant.action",
                  "conferences.participants.action")
ONE = "conferences.participant.action#/definitions/"
ROOM = "conferences.action#/definitions/"


@pytest.fixture(scope="module")
def registry():
    store = EmbeddedStore(":memory:")
    load_schemas(store)
    yield SchemaRegistry(store)
    store.close()


def errors(registry, schema_id, request):
    with pytest.raises(ValidationFailed) as caught:
        registry.validate(schema_id, request)
    return caught.value.data


@pytest.mark.parametrize("schema_id", ACTION_SCHEMAS)
def test_every_action_has_a_strict_definition_of_its_own(schema_id):
    schema = read_schema_files()[schema_id]
    actions = schema["properties"]["action"]["enum"]
    assert set(schema["definitions"]) == set(actions)
    for action in actions:
        definition = schema["definitions"][action]
        assert definition["properties"]["action"]["enum"] == [action]
        assert definition["additionalProperties"] is False and definition["description"]


@pytest.mark.parametrize("schema_id", ACTION_SCHEMAS)
def test_command_id_is_1_to_64_characters(registry, schema_id):
    action = read_schema_files()[schema_id]["properties"]["action"]["enum"][0]
    for good in ("a", "x" * 64, "retry-7f3a:01"):
        registry.validate(schema_id, {"action": action, "command_id": good})
    for bad, keyword in (("", "minLength"), ("x" * 65, "maxLength"), (7, "type")):
        assert keyword in errors(registry, schema_id, {"action": action, "command_id": bad})[
            "command_id"]
    assert "additionalProperties" in errors(registry, schema_id, {"action": action, "extra": 1})[""]


@pytest.mark.parametrize("action, level, keyword", [
    ("volume_in", 5, "maximum"), ("volume_out", -5, "minimum"), ("energy", 1801, "maximum"),
    ("energy", -1, "minimum"), ("volume_in", 1.5, "type"), ("volume_in", "2", "type"),
])
def test_levels_out_of_range(registry, action, level, keyword):
    data = errors(registry, ONE + action, {"action": action, "data": {"level": level}})
    assert keyword in data["data.level"]


def test_levels_in_range_and_required(registry):
    for action, level in (("volume_in", -4), ("volume_out", 4), ("energy", 0), ("energy", 1800)):
        registry.validate(ONE + action, {"action": action, "data": {"level": level}})
    assert "required" in errors(registry, ONE + "energy", {"action": "energy", "data": {}})[
        "data.level"]


@pytest.mark.parametrize("digits", ["12a", "E", "", "1 2", "1" * 65])  # "1\n" passes $: fs_commands refuses it
def test_dtmf_digits_are_0_9_star_hash_abcd(registry, digits):
    assert "pattern" in errors(registry, ONE + "dtmf", {"action": "dtmf",
                                                        "data": {"digits": digits}})["data.digits"]
    registry.validate(ONE + "dtmf", {"action": "dtmf", "data": {"digits": "0123456789*#ABCD"}})


def test_new_actions_refuse_unknown_fields(registry):
    for schema_id, action in ((ONE, "hold"), (ONE, "move"), (ONE, "supervise"),
                              (ROOM, "stop_play"), (ROOM, "set_sounds"), (ROOM, "pause_play")):
        data = errors(registry, schema_id + action, {"action": action, "data": {"bogus": 1}})
        assert "additionalProperties" in data["data"], (action, data)


def test_defaults_and_enums(registry):
    assert registry.validate(ROOM + "stop_play", {"action": "stop_play"})["data"] == {"which": "all"}
    assert "enum" in errors(registry, ROOM + "stop_play", {"action": "stop_play",
                                                           "data": {"which": "last"}})["data.which"]
    assert "minProperties" in errors(registry, ROOM + "set_sounds",
                                     {"action": "set_sounds", "data": {}})["data"]
    assert "type" in errors(registry, ROOM + "set_sounds", {
        "action": "set_sounds", "data": {"entry_tone": "yes"}})["data.entry_tone"]
    assert "enum" in errors(registry, ONE + "supervise", {
        "action": "supervise", "data": {"mode": "spy", "target": 3}})["data.mode"]
    assert "required" in errors(registry, ONE + "move", {"action": "move", "data": {}})[
        "data.conference_id"]


def test_existing_actions_keep_their_payload_schemas(registry):
    assert "required" in errors(registry, ONE + "play", {"action": "play", "data": {}})[
        "data.media_id"]
    assert registry.validate("conferences.participants.action#/definitions/relate", {
        "action": "relate", "data": {"participant_id": 1, "other_participant": 2}})[
        "data"]["relationship"] == "clear"
