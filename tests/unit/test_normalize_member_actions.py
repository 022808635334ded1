"""The switch's own hold-member / unhold-member / transfer / dtmf-member / volume
events (round 4, recorded), normalised: published under FreeSWITCH's names on the
participant's key, with what each says beyond the member block."""
from ecallmgr.normalize import normalize, room_id_of
from ecallmgr.state import LiveState
from tests.unit.test_normalize import ACCOUNT, FOCUS, NODE, SEED_FIELDS, fixture_events

OTHER_ACCOUNT = "0" * 32


def published(name):
    """Every payload of one round 4 step's events, the rooms renamed as ours."""
    state, out = LiveState(), []
    events = fixture_events(f"round4/{name}.events.json.esl")
    for event in events:
        for header in ("Old-Conference-Name", "New-Conference-Name"):
            if header in event:
                event[header] = f"{ACCOUNT}_{event[header]}"
    for n, event in enumerate(events):
        applied = state.apply(FOCUS, event)
        result = normalize(event, node=NODE, focus=FOCUS, msg_id=f"m{n}",
                           member=applied.member if applied else None,
                           conference=applied.conference if applied else None)
        if result:
            out.append(result)
    return out


def one(payloads, action):
    found = [(key, payload) for key, payload in payloads if payload["event"] == action]
    assert found, [payload["event"] for _, payload in payloads]
    return found[0]


def test_hold_and_unhold_keep_the_switch_s_names_and_say_so():
    key, held = one(published("hold_member_moh"), "hold-member")
    assert key == f"conference.event.r4room.{held['call_id']}"
    assert held["hold"] is True and held["participant_id"] == 901
    assert set(held) == SEED_FIELDS | {"account_id", "hold"}
    _, released = one(published("unhold_member"), "unhold-member")
    assert released["hold"] is False


def test_transfer_names_both_conferences():
    payloads = published("transfer_to_other_room")
    key, moved = one(payloads, "transfer")
    assert key == f"conference.event.r4room.{moved['call_id']}"
    assert (moved["moved_from"], moved["moved_to"]) == ("r4room", "r4other")
    _, left = one(payloads, "del-member")
    assert left["conference_id"] == "r4room"
    key, joined = one(payloads, "add-member")
    assert joined["conference_id"] == "r4other" and joined["call_id"] == moved["call_id"]
    assert key == f"conference.event.r4other.{moved['call_id']}"


def test_dtmf_and_volume_carry_their_values():
    _, sent = one(published("dtmf_member"), "dtmf-member")
    assert sent["digits"] == "123"
    _, volume = one(published("volume_in"), "volume-in-member")
    assert volume["volume_level"] == 2


def test_moved_to_is_only_a_room_of_the_same_account():
    assert room_id_of(f"{ACCOUNT}_other@default+flags{{mute}}", ACCOUNT) == "other"
    assert room_id_of(f"{OTHER_ACCOUNT}_other", ACCOUNT) is None
    assert room_id_of("plainroom", ACCOUNT) is None and room_id_of(None, ACCOUNT) is None
