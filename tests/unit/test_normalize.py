"""normalize + state on REAL FreeSWITCH events (fixtures), rooms renamed the way
this system names them on FreeSWITCH: ``{account_id}_{conference_id}``."""
import pytest

import kzcore
from ecallmgr import events
from ecallmgr.normalize import normalize, routing_word
from ecallmgr.state import LiveState
from kzcore.esl.frames import FrameParser, parse_event
from tests.support.paths import fs_fixture

ACCOUNT = "9d351ad7ffd6f846313af9eed3bb7b85"
NODE = "ecallmgr@test"
FOCUS = "freeswitch@vm"
SEED_FIELDS = {
    "custom_channel_vars", "channel_presence_id", "caller_id_number", "caller_id_name",
    "mute_detect", "video", "energy_level", "current_energy", "talking", "speak", "hear",
    "floor", "participant_id", "instance_id", "conference_id", "focus", "call_id", "event",
    "node", "msg_id", "event_name", "event_category", "app_version", "app_name", "routing_key",
}


def fixture_events(name, rename=True):
    events_ = [parse_event(frame) for frame in FrameParser().feed(fs_fixture(name))]
    events_ = [event for event in events_ if event]
    if rename:
        for event in events_:
            if "Conference-Name" in event:
                event["Conference-Name"] = f"{ACCOUNT}_{event['Conference-Name']}"
    return events_


def replay(name, rename=True):
    """Feed a recording through LiveState + normalize as the stream does."""
    state, published = LiveState(), []
    for n, event in enumerate(fixture_events(name, rename)):
        applied = state.apply(FOCUS, event)
        if applied is None:
            continue
        result = normalize(event, node=NODE, focus=FOCUS, msg_id=f"m{n}",
                           member=applied.member, conference=applied.conference)
        if result:
            published.append(result)
    return state, published


@pytest.fixture(scope="module")
def room1():
    return replay("room1_scenario.plain.esl")


def find(published, action, name=None):
    return [(key, p) for key, p in published
            if p["event"] == action and (name is None or p.get("caller_id_name") == name)]


def test_add_member_has_exactly_the_seed_fields(room1):
    _, published = room1
    key, payload = find(published, "add-member", "Alice")[0]
    assert set(payload) == SEED_FIELDS | {"account_id"}
    assert key == "conference.event.room1.88e4e424-6e0b-4279-b3f3-da8032ef45db"
    assert payload == {
        "custom_channel_vars": {"account_id": ACCOUNT}, "channel_presence_id": None,
        "caller_id_number": "1001", "caller_id_name": "Alice", "mute_detect": False,
        "video": False, "energy_level": 100, "current_energy": 0, "talking": False,
        "speak": True, "hear": True, "floor": False, "participant_id": 1,
        "instance_id": "4c0bc228-2490-45df-aa1a-38833c316b1a", "conference_id": "room1",
        "focus": FOCUS, "call_id": "88e4e424-6e0b-4279-b3f3-da8032ef45db",
        "event": "add-member", "node": NODE, "msg_id": payload["msg_id"],
        "event_name": "participant_event", "event_category": "conference",
        "app_version": kzcore.APP_VERSION, "app_name": "ecallmgr",
        "routing_key": "participant_event", "account_id": ACCOUNT,
    }


def test_flags_follow_the_member_block(room1):
    _, published = room1
    mute = find(published, "mute-member", "Alice")[0][1]
    unmute = find(published, "unmute-member", "Alice")[0][1]
    assert (mute["speak"], unmute["speak"]) == (False, True)
    carol = find(published, "mute-detect", "Carol")[0][1]
    assert carol["mute_detect"] is True and carol["speak"] is False
    assert find(published, "add-member", "Bob")[0][1]["mute_detect"] is False
    talking = find(published, "start-talking", "Alice")[0][1]
    assert talking["talking"] is True and talking["participant_id"] == 1
    assert find(published, "deaf-member", "Alice")[0][1]["hear"] is False


def test_dialled_member_shows_the_dialled_party_not_outbound_call(room1):
    _, published = room1
    eve = [p for _, p in published if p["event"] == "add-member" and p["participant_id"] == 5]
    assert (eve[0]["caller_id_name"], eve[0]["caller_id_number"]) == ("Eve", "1005")
    bob2 = [p for _, p in published if p["event"] == "add-member" and p["participant_id"] == 6]
    assert (bob2[0]["caller_id_name"], bob2[0]["conference_id"]) == ("Bob", "room2")


def test_every_member_event_of_the_scenario_is_published(room1):
    _, published = room1
    recorded = [e for e in fixture_events("room1_scenario.plain.esl")
                if e.get("Event-Subclass") == events.MAINTENANCE_SUBCLASS]
    assert len(published) == len(recorded) == 99
    unknown = {e["Action"] for e in recorded} - events.KNOWN_EVENTS
    assert unknown == set()


def test_conference_events_go_to_the_conference_key(room1):
    _, published = room1
    key, create = find(published, "conference-create")[0]
    assert key == "conference.event.room1.conference"
    assert create["event_name"] == "conference_event" and create["routing_key"] == "conference_event"
    assert (create["account_id"], create["focus"], create["locked"]) == (ACCOUNT, FOCUS, False)
    assert find(published, "lock")[0][1]["locked"] is True
    assert find(published, "unlock")[0][1]["locked"] is False
    start = find(published, "recording-started")[0][1]
    stop = find(published, "recording-stopped")[0][1]
    # the recording by its id and file name: never the server path (security rule)
    assert (start["recording_id"], start["name"], start["recording"]) == ("room1", "room1.wav", True)
    assert "file" not in start and "/opt/switch" not in str(start) + str(stop)
    assert (stop["recording"], stop["record_file_size"]) == (False, 48464)
    assert find(published, "play-file")[0][1]["file"] == "tone_stream://%(1000,0,350)"
    assert find(published, "speak-text")[0][1]["text"] == "Welcome to room one"


def test_bgdial_result_names_the_member_call(room1):
    _, published = room1
    key, result = find(published, "bgdial-result")[0]
    assert key.endswith(".conference")
    assert (result["result"], result["call_id"]) == ("SUCCESS",
                                                     "f635e9c2-7683-41df-87fd-91157f9eeb09")


def test_floor_change_with_and_without_a_member(room1):
    _, published = room1
    to_member = [(k, p) for k, p in published if p["event"] == "floor-change" and "call_id" in p
                 and p.get("participant_id") == 3][0]
    assert to_member[1]["floor"] is True and not to_member[0].endswith(".conference")
    released = [p for k, p in published if p["event"] == "floor-change" and k.endswith(".conference")]
    assert released and released[0]["new_participant_id"] is None


def test_state_ends_empty_after_the_scenario(room1):
    state, _ = room1
    assert state.conferences(FOCUS) == [] and state.member_count() == 0


def test_foreign_rooms_are_not_published():
    _, published = replay("room1_scenario.plain.esl", rename=False)
    assert published == []


def test_verbose_event_variables_become_custom_channel_vars():
    event = fixture_events("round2/add_member.verbose_profile.plain.esl")[0]
    event["variable_ecallmgr_Owner-ID"] = "owner-1"
    _, payload = normalize(event, node=NODE, focus=FOCUS, msg_id="x")
    # kz_account_id=abc123 is on the channel, but the room decides the account
    assert payload["custom_channel_vars"] == {"account_id": ACCOUNT, "owner_id": "owner-1"}
    assert payload["caller_id_name"] == "Grace" and payload["participant_id"] == 16


def test_channel_events_feed_variables_on_non_verbose_profiles():
    state = LiveState()
    frank_mute = None
    for event in fixture_events("round2/verbose.events_all.plain.esl"):
        if event.get("Event-Name") == "CHANNEL_CREATE" and "variable_kz_account_id" in event:
            event["variable_kz_owner_id"] = "owner-7"
        applied = state.apply(FOCUS, event)
        if event.get("Action") == "mute-member" and event.get("Member-ID") == "15":
            frank_mute = (event, applied)
    event, applied = frank_mute
    assert not any(h.startswith("variable_") for h in event)        # default profile
    assert applied.member.variables["owner_id"] == "owner-7"
    _, payload = normalize(event, node=NODE, focus=FOCUS, msg_id="x", member=applied.member,
                           conference=applied.conference)
    assert payload["custom_channel_vars"] == {"account_id": ACCOUNT, "owner_id": "owner-7"}
    assert payload["speak"] is False


@pytest.mark.parametrize("name", ["bgdial_result.v1_pipe.plain.esl",
                                  "add_member.bgdial_v1_pipe.plain.esl"])
def test_round2_bgdial_frames(name):
    event = fixture_events(f"round2/{name}")[0]
    key, payload = normalize(event, node=NODE, focus=FOCUS, msg_id="x")
    if event["Action"] == "add-member":
        assert (payload["caller_id_name"], payload["caller_id_number"]) == ("Dialed1", "2001")
        assert payload["speak"] is False and key.endswith(event["Unique-ID"])
    else:
        assert payload["event"] == "bgdial-result" and payload["job_uuid"] == event["Job-UUID"]


def test_unknown_actions_and_other_events_give_nothing():
    event = fixture_events("round2/add_member.verbose_profile.plain.esl")[0]
    assert normalize({**event, "Action": "no-such-action"}, node=NODE, focus=FOCUS,
                     msg_id="x") is None


def test_routing_words_escape_dots_and_wildcards():
    assert routing_word("a.b*c#d%") == "a%2Eb%2Ac%23d%25"
    event = fixture_events("round2/add_member.verbose_profile.plain.esl")[0]
    event["Conference-Name"] = f"{ACCOUNT}_conf.v2"
    key, payload = normalize(event, node=NODE, focus=FOCUS, msg_id="x")
    assert key == f"conference.event.conf%2Ev2.{event['Unique-ID']}"
    assert payload["conference_id"] == "conf.v2"


@pytest.mark.parametrize("name, expected", [
    # bgdial user/1000 with "1000 Alice": the callee id it was given
    ("round3/add_member.user_1000_creates_room10.plain.esl", ("Alice", "1000", "1000@rig.test")),
    # bgdial sofia/.../1001 with no caller id: FreeSWITCH's "conference"/"0000000000"
    # placeholders are not a person; the dialled destination is
    ("round3/add_member.sip_uri_1001.plain.esl", ("1001", "1001", None)),
])
def test_round3_dialled_devices(name, expected):
    event = fixture_events(name)[0]
    assert event["Caller-Caller-ID-Name"] == "Outbound Call"
    _, payload = normalize(event, node=NODE, focus=FOCUS, msg_id="x")
    assert (payload["caller_id_name"], payload["caller_id_number"],
            payload["channel_presence_id"]) == expected


def test_round3_failed_bgdial_result_has_no_call():
    event = fixture_events("round3/bgdial_result.user_1999_not_registered.plain.esl")[0]
    key, payload = normalize(event, node=NODE, focus=FOCUS, msg_id="x")
    assert key == "conference.event.room10.conference"
    assert (payload["result"], payload.get("call_id")) == ("USER_NOT_REGISTERED", None)
