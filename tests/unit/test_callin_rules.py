"""Pure call-in rules: documents, roles, PINs, flags, tones, refusals, app strings."""
import pytest

from callin import plan, prompts
from kzcore import fs_replies
from kzcore.esl.frames import FrameParser
from kzcore.fs_commands import apps
from tests.support.paths import fs_fixture
from callin.documents import (EITHER, MEMBER, MODERATOR, empty_pin_allowed, load_conference,
                              normalize_number, pin_needed, role_for_number, role_for_pin)

ACCOUNT = "b" * 32


def conference(**fields):
    doc = {"_id": "conf1", "pvt_type": "conference", **fields}
    return load_conference(ACCOUNT, doc)


def test_numbers_are_compared_as_digits():
    conf = conference(member={"numbers": ["+1 (415) 555-0100"]})
    assert normalize_number("14155550100") in conf.member.numbers
    assert role_for_number(conf, "+1-415-555-0100") == MEMBER


def test_the_dialled_number_decides_the_role_correctly():
    conf = conference(conference_numbers=["100"], member={"numbers": ["200"]},
                      moderator={"numbers": ["300"]})
    assert role_for_number(conf, "300") == MODERATOR
    assert role_for_number(conf, "200") == MEMBER
    assert role_for_number(conf, "100") == EITHER
    assert role_for_number(conf, "999") is None
    both = conference(member={"numbers": ["400"]}, moderator={"numbers": ["400"]})
    assert role_for_number(both, "400") == EITHER        # ambiguous: the PIN decides


def test_pins_per_role_and_on_a_shared_number():
    conf = conference(member={"pins": ["1111"]}, moderator={"pins": ["2222"]})
    assert pin_needed(conf, MEMBER) and pin_needed(conf, MODERATOR) and pin_needed(conf, EITHER)
    assert role_for_pin(conf, EITHER, "2222") == MODERATOR
    assert role_for_pin(conf, EITHER, "1111") == MEMBER
    assert role_for_pin(conf, EITHER, "") is None
    assert role_for_pin(conf, MEMBER, "2222") is None     # a member number takes member PINs only
    assert role_for_pin(conf, MODERATOR, "1111") is None
    open_members = conference(moderator={"pins": ["2222"]})
    assert not pin_needed(open_members, MEMBER)
    assert empty_pin_allowed(open_members, EITHER)
    assert role_for_pin(open_members, EITHER, "") == MEMBER
    assert role_for_pin(open_members, EITHER, "2222") == MODERATOR
    assert not pin_needed(conference(), EITHER)


@pytest.mark.parametrize("doc", [
    None, [], "x", {"pvt_type": "user", "_id": "c"}, {"pvt_type": "conference", "_id": "bad id!"},
    {"pvt_type": "conference", "_id": "c", "pvt_deleted": True},
])
def test_unusable_documents_are_not_conferences(doc):
    assert load_conference(ACCOUNT, doc) is None


def test_bad_field_types_fall_back_to_schema_defaults():
    conf = conference(member="oops", moderator={"pins": [1234, None, "12a", True], "join_muted": "yes"},
                      conference_numbers="555", play_welcome="no", max_participants=-3,
                      play_entry_tone="", profile=[1], language=7)
    assert conf.member.join_muted is True                 # schema default for members
    assert conf.moderator.pins == ("1234",)
    assert conf.moderator.join_muted is False
    assert conf.conference_numbers == () and conf.play_welcome is True
    assert conf.max_participants is None and conf.play_entry_tone is True
    assert conf.profile == {} and conf.language is None


def test_member_flags_per_role_and_moderator_rules():
    conf = conference(wait_for_moderator=True, member={"join_muted": True, "join_deaf": True},
                      moderator={"join_muted": False})
    assert plan.member_flags(conf, MEMBER) == ("mute", "deaf", "wait-mod")
    assert plan.member_flags(conf, MODERATOR) == ("moderator",)
    required = conference(require_moderator=True, member={"join_muted": False})
    assert plan.member_flags(required, MEMBER) == ("wait-mod",)
    assert plan.member_flags(required, MODERATOR) == ("moderator", "endconf")


@pytest.mark.parametrize("setting,expected", [
    (True, None), (None, None), (False, plan.SILENT),
    ("tone_stream://%(200,0,600)", "tone_stream://%(200,0,600)"),
    ("%(200,0,600)", "tone_stream://%(200,0,600)"),
    ("v=-7;%(300,0,523,659)", "tone_stream://v=-7;%(300,0,523,659)"),
    ("tone_stream://v=-7;>=2;+=.1;%(300,0,523,659)", "tone_stream://v=-7;>=2;+=.1;%(300,0,523,659)"),
    ("custom/beep.wav", "/snd/custom/beep.wav"),
    ("/var/media/x.wav", "/var/media/x.wav"),
    ("beep ${hack}", None), ("tone\nexecute-app-name: hangup", None), ("a b", None),
])
def test_tone_settings_never_crash(setting, expected):
    assert plan.tone_media(setting, "/snd") == expected


def test_refusals():
    conf = conference(max_participants=3)
    assert plan.refusal(conf, plan.RoomStatus(True, True, 1, 0)) == "locked"
    assert plan.refusal(conf, plan.RoomStatus(True, False, 3, 1)) == "full"
    assert plan.refusal(conf, plan.RoomStatus(True, False, 2, 1)) is None
    assert plan.refusal(conference(profile={"max-members": 2}), plan.RoomStatus(True, False, 2, 0)) == "full"
    assert plan.refusal(conference(max_participants=0), plan.RoomStatus(True, False, 50, 0)) is None


def test_room_status_from_json_list_ignores_recordings():
    status = plan.room_status([{"locked": True, "members": [
        {"type": "caller", "id": 3, "flags": {"is_moderator": True}},
        {"type": "caller", "id": 4, "flags": {"is_moderator": False}},
        {"type": "recording_node", "record_path": "/r.wav"}]}])
    assert status == plan.RoomStatus(True, True, 2, 1)
    assert plan.room_status([]) == plan.RoomStatus()


def test_room_status_counts_as_the_switch_does_without_ghosts():
    """round4 json_list_with_ghost: six callers listed, one a ghost (member_count 5);
    the switch's max-members check counts five, and so does the call-in's."""
    frames = FrameParser().feed(fs_fixture("round4/json_list_with_ghost.esl"))
    listed = fs_replies.parse_json_list(frames[-1].body)
    assert len(listed[0]["members"]) == 6
    assert plan.room_status(listed).members == 5
    assert plan.refusal(conference(max_participants=6), plan.room_status(listed)) is None


def test_app_strings_are_built_safely():
    assert apps.conference("a_b", "default", ("mute", "moderator", "mute")) == \
        ("conference", "a_b@default+flags{mute|moderator}")
    assert apps.conference("room", "default", ()) == ("conference", "room@default")
    assert apps.play_and_get_digits(min_digits=1, max_digits=16, tries=3, timeout_ms=5000,
                                    terminators="#", prompt="tone_stream://%(300,0,800)",
                                    invalid_prompt="silence_stream://250", variable="collected_digits",
                                    digits_regex="\\d+", digit_timeout_ms=3000) == (
        "play_and_get_digits",
        "1 16 3 5000 # tone_stream://%(300,0,800) silence_stream://250 collected_digits \\d+ 3000")
    assert apps.set_variable("conference_enter_sound", "tone_stream://%(1,2,3)") == \
        ("set", "conference_enter_sound=tone_stream://%(1,2,3)")
    assert apps.record("/tmp/n.wav", 3) == ("record", "/tmp/n.wav 3 200 2")


@pytest.mark.parametrize("build", [
    lambda: apps.conference("room\nexecute-app-name: hangup"),
    lambda: apps.conference("room", "default", ("mute", "}|kick")),
    lambda: apps.conference("room", "def ault"),
    lambda: apps.playback("/a.wav b.wav"),
    lambda: apps.playback("${system(rm)}"),
    lambda: apps.set_variable("x", "${uuid_kill(all)}"),
    lambda: apps.set_variable("bad name", "v"),
    lambda: apps.set_variable("x", "a\nb"),
    lambda: apps.hangup("NORMAL CLEARING"),
    lambda: apps.sleep(-1),
    lambda: apps.record("/tmp/a.wav", True),
])
def test_unsafe_app_arguments_are_rejected(build):
    with pytest.raises(apps.UnsafeArgument):
        build()


def test_prompts_follow_the_language():
    pin = prompts.FILES["enter_pin"]
    assert prompts.prompt("enter_pin", "fr-CA", "/s") == f"/s/fr/ca/june/{pin}"
    assert prompts.prompt("enter_pin", "zz", "/s") == f"/s/en/us/callie/{pin}"
    assert prompts.language_code("fr-ca") == "fr" and prompts.language_code(None) == "en"
