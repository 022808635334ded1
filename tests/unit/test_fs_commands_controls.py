"""fs_commands builders for hold, dtmf, playback, sounds, transfer with a profile and
join flags, and relate to several members: what they build, and every injection refused."""
import pytest

from kzcore import fs_commands
from kzcore.errors import InvalidCommandArgument
from tests.unit.test_fs_commands import BAD_STRINGS, assert_invalid


def test_transfer_names_the_target_profile_and_its_join_flags():
    built = fs_commands.build("a_1", "transfer", target_conference="a_2", members=[7],
                              profile="default", flags=["moderator", "mute", "mute"])
    assert built == "conference a_1 transfer a_2@default+flags{moderator|mute} 7"
    assert fs_commands.build("a_1", "transfer", target_conference="a_2", members=7,
                             profile="wide.band-1") == "conference a_1 transfer a_2@wide.band-1 7"


@pytest.mark.parametrize("bad", BAD_STRINGS + ["a|b", "moderator}", "x" * 65, "", "a@b"])
def test_transfer_profile_injection(bad):
    assert_invalid("profile", "transfer", target_conference="room2", members=[1], profile=bad)


@pytest.mark.parametrize("bad", BAD_STRINGS + ["mute|deaf", "mute}", "Mute", "video", ""])
def test_transfer_flag_injection(bad):
    assert_invalid("flags", "transfer", target_conference="room2", members=[1], profile="default",
                   flags=[bad])


def test_transfer_flags_need_a_profile_and_a_list():
    assert_invalid("flags", "transfer", target_conference="room2", members=[1], flags=["mute"])
    assert_invalid("flags", "transfer", target_conference="room2", members=[1], profile="p",
                   flags="mute")
    assert_invalid("target_conference", "transfer", target_conference="room2@bad profile",
                   members=[1])


@pytest.mark.parametrize("digits", ["0123456789", "*#", "ABCD", "9"])
def test_dtmf_digits(digits):
    assert fs_commands.build("r", "dtmf", member=3, digits=digits) == f"conference r dtmf 3 {digits}"


@pytest.mark.parametrize("bad", BAD_STRINGS + ["12 3", "1e", "abcd", "E", "", "1" * 65, 12, None])
def test_dtmf_injection(bad):
    assert_invalid("digits", "dtmf", member=3, digits=bad)


@pytest.mark.parametrize("bad", BAD_STRINGS + ["relative.wav", "/a.wav 2", "ftp://x/y"])
def test_hold_music_injection(bad):
    assert_invalid("path", "hold", member=3, path=bad)


def test_hold_music_from_the_web_goes_through_mod_http_cache():
    assert fs_commands.build("r", "hold", member=3, path="https://h/m.wav") == \
        "conference r hold 3 http_cache://https://h/m.wav"


@pytest.mark.parametrize("bad", BAD_STRINGS + ["all", "last", 0])
def test_member_of_pause_and_status_is_an_id(bad):
    assert_invalid("member", "pause_play", member=bad)
    assert_invalid("member", "play_status", member=bad)


@pytest.mark.parametrize("bad", BAD_STRINGS + ["none", "file", "ON", 1, None])
def test_sounds_take_on_or_off(bad):
    assert_invalid("state", "enter_sound", state=bad)
    assert_invalid("state", "exit_sound", state=bad)


def test_relate_to_several_members_is_one_command():
    assert fs_commands.build("r", "relate", member=5, other=[6, "7", 8], relationship="nospeak") == \
        "conference r relate 5 6,7,8 nospeak"


@pytest.mark.parametrize("others", [[], [1, "2,3"], [1, "all"], list(range(1, 102)), [1, "2 3"]])
def test_relate_others_are_ids(others):
    with pytest.raises(InvalidCommandArgument) as raised:
        fs_commands.build("r", "relate", member=5, other=others, relationship="clear")
    assert "other" in raised.value.data


@pytest.mark.parametrize("action, args, word", [
    ("volume_in", {"member": 1, "level": -4}, "-4"), ("volume_out", {"member": 1, "level": 4}, "4"),
    ("energy", {"member": 1, "level": 0}, "0"), ("energy", {"member": 1, "level": 1800}, "1800"),
])
def test_level_bounds_are_mod_conference_s(action, args, word):
    assert fs_commands.build("r", action, **args).endswith(f" {word}")
