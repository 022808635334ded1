"""The schema files in schemas/: well formed, self-consistent, and Kazoo's rules
(checked through the registry on an in-memory embedded store)."""
import json

import pytest
from jsonschema import Draft4Validator

from kzcore.errors import ValidationFailed
from kzcore.schemas.loader import default_schema_dir, load_schemas, read_schema_files
from kzcore.schemas.registry import SchemaRegistry
from kzcore.store.embedded import EmbeddedStore

FILES = read_schema_files()
REQUIRED_IDS = {"conferences", "conferences.profile", "conferences.dial", "metaflows.relate",
                "accounts", "users", "devices", "media", "conferences.action", "conferences.play",
                "conferences.record", "conferences.participants.action",
                "conferences.participant.action"}


@pytest.fixture(scope="module")
def registry():
    store = EmbeddedStore(":memory:")
    load_schemas(store)
    yield SchemaRegistry(store)
    store.close()


def errors_of(registry, schema_id, doc):
    with pytest.raises(ValidationFailed) as caught:
        registry.validate(schema_id, doc)
    return caught.value.data


def walk(node, path=()):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from walk(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, path + (index,))


def test_every_required_schema_exists():
    assert REQUIRED_IDS <= set(FILES)
    assert (default_schema_dir() / "conferences.json").is_file()


@pytest.mark.parametrize("schema_id", sorted(FILES))
def test_file_is_a_valid_draft4_schema_named_by_its_id(schema_id):
    schema = FILES[schema_id]
    Draft4Validator.check_schema(schema)
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert schema["_id"] == schema_id


@pytest.mark.parametrize("schema_id", sorted(FILES))
def test_refs_point_at_existing_schema_ids(schema_id):
    for _path, node in walk(FILES[schema_id]):
        ref = node.get("$ref")
        if isinstance(ref, str):
            assert ref.split("#")[0] in FILES, ref


@pytest.mark.parametrize("schema_id", sorted(FILES))
def test_private_and_read_only_fields_are_not_settable(schema_id):
    for _path, node in walk(FILES[schema_id]):
        for name in (node.get("properties") or {}):
            assert not name.startswith(("pvt_", "_")), name


def test_conference_defaults_match_kazoo(registry):
    doc = registry.validate("conferences", {"name": "Conf"})
    assert doc["member"] == {"join_deaf": False, "join_muted": True, "numbers": [], "pins": []}
    assert doc["moderator"] == {"join_deaf": False, "join_muted": False, "numbers": [], "pins": []}
    assert doc["conference_numbers"] == [] and doc["play_name"] is False


def test_name_of_129_characters_is_rejected(registry):
    assert errors_of(registry, "conferences", {"name": "x" * 129})["name"]["maxLength"] == {
        "message": "String must not be more than 128 characters", "target": 128, "value": "x" * 129}
    assert registry.validate("conferences", {"name": "x" * 128})["name"] == "x" * 128


@pytest.mark.parametrize("field", ["conference_numbers", "member.numbers", "moderator.numbers",
                                   "member.pins", "moderator.pins"])
def test_numbers_and_pins_must_be_digits(registry, field):
    def nested(value):
        head, _, tail = field.partition(".")
        return {head: {tail: value}} if tail else {head: value}
    data = errors_of(registry, "conferences", nested(["1234", "12a4"]))
    assert data[f"{field}.1"]["pattern"]["message"] == "Failed to match pattern '^[0-9]+$'"
    registry.validate("conferences", nested(["1234", "5678"]))


def test_owner_id_must_be_32_characters(registry):
    data = errors_of(registry, "conferences", {"owner_id": "a" * 31})
    assert data == {"owner_id": {"minLength": {
        "message": "String must be at least 32 characters", "target": 32, "value": "a" * 31}}}


def test_entry_tone_is_boolean_or_non_empty_string(registry):
    registry.validate("conferences", {"play_entry_tone": True, "play_exit_tone": "tone_stream://%(200,0,500)"})
    assert "minLength" in errors_of(registry, "conferences", {"play_entry_tone": ""})["play_entry_tone"]
    assert "type" in errors_of(registry, "conferences", {"play_exit_tone": 3})["play_exit_tone"]


def test_profile_is_checked_by_conferences_profile(registry):
    data = errors_of(registry, "conferences", {"profile": {"energy-level": 5000}})
    assert data["profile.energy-level"]["maximum"]["target"] == 1800


def test_dial_needs_at_least_one_endpoint(registry):
    assert "required" in errors_of(registry, "conferences.dial", {})["endpoints"]
    assert "minItems" in errors_of(registry, "conferences.dial", {"endpoints": []})["endpoints"]


def test_dial_accepts_strings_and_device_objects_with_flags(registry):
    doc = registry.validate("conferences.dial", {
        "endpoints": ["1000", "sip:bob@example.com", {"name": "desk", "sip": {"username": "u1"}}],
        "participant_flags": ["mute", "deaf"], "caller_id_name": "Conf", "timeout": 20,
        "custom_application_vars": {"foo": "bar"}, "outbound_call_id": "xyz-abc"})
    assert doc["endpoints"][2]["sip"]["invite_format"] == "contact"


def test_dial_rejects_unknown_flag_and_bad_dynamic_conference_fields(registry):
    data = errors_of(registry, "conferences.dial", {
        "endpoints": ["1000"], "participant_flags": ["loud"], "name": "n" * 129,
        "member": {"pins": ["abc"]}})
    assert data["participant_flags.0"]["enum"]["target"][0] == "deaf"
    assert "maxLength" in data["name"] and "pattern" in data["member.pins.0"]


def test_dial_fills_nested_defaults_of_dynamic_conference_objects(registry):
    doc = registry.validate("conferences.dial", {"endpoints": ["1000"], "member": {}})
    assert doc["member"]["join_muted"] is True
    assert "moderator" not in doc  # no top-level conference defaults on a dial request


def test_relate_payload(registry):
    assert registry.validate("metaflows.relate", {"participant_id": 23, "other_participant": "24"})[
        "relationship"] == "clear"
    data = errors_of(registry, "metaflows.relate", {"participant_id": 1, "relationship": "hug"})
    assert "required" in data["other_participant"]
    assert data["relationship"]["enum"]["target"] == ["deaf", "clear", "mute"]


@pytest.mark.parametrize("schema_id,allowed", [
    ("conferences.action", ["lock", "unlock", "dial", "play", "record", "stop_play", "pause_play",
                            "resume_play", "set_sounds", "end", "transcribe"]),
    ("conferences.participants.action", ["mute", "unmute", "deaf", "undeaf", "kick", "play", "relate",
                                         "hold", "unhold", "dtmf"]),
    ("conferences.participant.action", ["mute", "unmute", "deaf", "undeaf", "kick", "play", "hold",
                                        "unhold", "move", "dtmf", "volume_in", "volume_out", "energy",
                                        "stop_play", "supervise", "end_conference_on_exit",
                                        "record"]),
])
def test_action_enums_name_the_allowed_actions(registry, schema_id, allowed):
    data = errors_of(registry, schema_id, {"action": "explode"})
    assert data["action"]["enum"]["target"] == allowed
    for action in allowed:
        registry.validate(schema_id, {"action": action, "data": {}})


def test_play_and_record_payloads(registry):
    with pytest.raises(ValidationFailed) as caught:
        registry.validate("conferences.play", {}, path_prefix=("data",))
    assert caught.value.data == {"data.media_id": {"required": {
        "message": "Field is required but missing"}}}
    assert "enum" in errors_of(registry, "conferences.record", {"action": "rewind"})["action"]
    assert registry.validate("conferences.record", {"action": "pause"})["action"] == "pause"


def test_users_devices_media_accounts(registry):
    user = registry.validate("users", {"first_name": "A", "last_name": "B", "username": "ab",
                                       "password": "secret"})
    assert (user["priv_level"], user["enabled"]) == ("user", True)
    assert "enum" in errors_of(registry, "users", {"first_name": "A", "last_name": "B",
                                                   "priv_level": "root"})["priv_level"]
    device = registry.validate("devices", {"name": "desk", "sip": {"username": "1000"}})
    assert device["sip"]["method"] == "password" and device["device_type"] == "sip_device"
    assert "minLength" in errors_of(registry, "devices", {"name": "d", "owner_id": "x" * 31})["owner_id"]
    media = registry.validate("media", {"name": "hold", "media_source": "tts", "tts": {"text": "hi"}})
    assert (media["language"], media["tts"]["voice"]) == ("en-us", "female/en-US")
    assert "required" in errors_of(registry, "accounts", {})["name"]
    assert registry.validate("accounts", {"name": "Acme"})["enabled"] is True


def test_files_are_pretty_json(tmp_path):
    # one schema per file, readable: the file is what operators edit and diff
    text = (default_schema_dir() / "conferences.json").read_text()
    assert json.loads(text)["_id"] == "conferences" and text.count("\n") > 20
