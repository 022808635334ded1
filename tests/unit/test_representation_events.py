"""ecallmgr's event representations (kzcore.representations.participant_event and
.conference_event) against what normalize publishes for EVERY recorded FreeSWITCH
event in the fixtures: ecallmgr builds its payloads itself on the hot path
(bench/representations.py), so these tests are what keeps it and the schemas one."""
import pytest

from ecallmgr.normalize import channel_recording, normalize
from ecallmgr.state import LiveState
from kzcore.esl.frames import FrameParser, parse_event
from kzcore.representations import conforms
from kzcore.representations.conference_event import CONFERENCE_EVENT
from kzcore.representations.participant_event import PARTICIPANT_EVENT, SEED_FIELDS
from tests.support.paths import FS_FIXTURES
from tests.unit.test_normalize import ACCOUNT, FOCUS, NODE, replay

# seed 002's example event, in its order
SEED_EXAMPLE = (
    "custom_channel_vars", "channel_presence_id", "caller_id_number", "caller_id_name",
    "mute_detect", "video", "energy_level", "current_energy", "talking", "speak", "hear",
    "floor", "participant_id", "instance_id", "conference_id", "focus", "call_id", "event",
    "node", "msg_id", "event_name", "event_category", "app_version", "app_name", "routing_key")


def _ours(event):
    for header in ("Conference-Name", "variable_conference_name"):
        if header in event and not event[header].startswith(ACCOUNT):
            event[header] = f"{ACCOUNT}_{event[header]}"
    return event


def published_by_every_fixture():
    """(fixture, payload) of everything ecallmgr publishes replaying each recording."""
    found = []
    for path in sorted(FS_FIXTURES.rglob("*.esl")):
        data = path.read_bytes()
        if b"maintenance" not in data and b"RECORD_ST" not in data:
            continue
        live = LiveState()
        for n, event in enumerate(e for e in map(parse_event, FrameParser().feed(data)) if e):
            event = _ours(event)
            recorded = channel_recording(event, node=NODE, focus=FOCUS, msg_id=f"m{n}")
            results = [recorded] if recorded else []
            applied = live.apply(FOCUS, event)
            if applied is not None:
                results.append(normalize(event, node=NODE, focus=FOCUS, msg_id=f"m{n}",
                                         member=applied.member, conference=applied.conference))
            found += [(path.name, payload) for _, payload in filter(None, results)]
    return found


@pytest.fixture(scope="module")
def published():
    return published_by_every_fixture()


def schema_of(payload):
    return PARTICIPANT_EVENT if payload["event_name"] == "participant_event" else CONFERENCE_EVENT


def test_every_published_payload_conforms_and_dumps_unchanged(published):
    assert len(published) > 500
    kinds = {p["event_name"] for _, p in published}
    assert kinds == {"participant_event", "conference_event"}
    for fixture, payload in published:
        schema = schema_of(payload)
        assert conforms(schema, payload) == {}, (fixture, payload["event"])
        assert schema.dump(payload) == payload, (fixture, payload["event"])
    # a member event's fields come in seed 002's order (a room event's vary by action)
    member = [p for _, p in published if p["event_name"] == "participant_event"]
    assert all(list(PARTICIPANT_EVENT.dump(p)) == list(p) for p in member)


def test_the_schema_declares_seed_002s_fields_plus_the_account():
    assert SEED_FIELDS == SEED_EXAMPLE
    required = {name for name, field in PARTICIPANT_EVENT.fields.items() if field.required}
    assert required == set(SEED_EXAMPLE) | {"account_id"}


def test_exact_dump_of_a_recorded_add_member():
    _, published = replay("room1_scenario.plain.esl")
    add = [p for _, p in published if p["event"] == "add-member"][0]
    # the dump is the published payload (pinned field by field in test_normalize.py
    # test_add_member_has_exactly_the_seed_fields), and nothing undeclared
    assert PARTICIPANT_EVENT.dump({**add, "stray": 1}) == add
    assert list(PARTICIPANT_EVENT.dump(add)) == list(add)      # in the seed's order


def test_missing_unknown_and_wrong_fields_are_contract_violations(published):
    member = next(p for _, p in published if p["event_name"] == "participant_event")
    room = next(p for _, p in published if p["event_name"] == "conference_event")
    without = {k: v for k, v in member.items() if k != "channel_presence_id"}
    assert conforms(PARTICIPANT_EVENT, without) == {
        "channel_presence_id": ["Missing data for required field."]}
    assert conforms(PARTICIPANT_EVENT, {**member, "file": "/tmp/x.wav"}) == {
        "file": ["Unknown field."]}
    assert set(conforms(PARTICIPANT_EVENT, {**member, "event_name": "conference_event",
                                            "talking": None, "participant_id": "1"})) == \
        {"event_name", "talking", "participant_id"}
    # optional per-action details may be absent; a room event's many optional fields too
    assert conforms(CONFERENCE_EVENT, {k: room[k] for k in (
        "conference_id", "account_id", "focus", "event", "node", "msg_id", "event_name",
        "event_category", "app_version", "app_name", "routing_key")}) == {}
    assert conforms(CONFERENCE_EVENT, {**room, "routing_key": "participant_event"}) == {
        "routing_key": ["Must be equal to conference_event."]}


def test_recordings_are_named_never_placed(published):
    recordings = [p for _, p in published if p["event"].startswith("recording-")]
    assert recordings and all("recording_id" in p and "file" not in p for p in recordings)
