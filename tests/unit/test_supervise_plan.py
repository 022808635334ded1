"""supervise.plan (PURE): the relate / mute / deaf commands of each mode, in the
order that never lets the wrong member hear the supervisor."""
import pytest

from crossbar.participants.supervise import plan


def member(member_id, speak=True, hear=True):
    return {"id": member_id, "flags": {"can_speak": speak, "can_hear": hear}}


S, T = member(5, speak=False, hear=False), member(7)


def test_whisper_silences_the_others_first_then_opens_the_target():
    assert plan("whisper", S, T, [8, 9]) == [
        ("relate", {"member": 5, "other": [8, 9], "relationship": "nospeak"}),
        ("relate", {"member": 5, "other": [7], "relationship": "clear"}),
        ("undeaf", {"member": 5}), ("unmute", {"member": 5})]


def test_whisper_with_nobody_else_only_clears_the_target():
    assert plan("whisper", member(5), T, []) == [
        ("relate", {"member": 5, "other": [7], "relationship": "clear"})]


def test_monitor_mutes_once_and_makes_the_supervisor_hear():
    assert plan("monitor", member(5, hear=False), T, [8]) == [
        ("relate", {"member": 5, "other": [7, 8], "relationship": "clear"}),
        ("mute", {"member": 5}), ("undeaf", {"member": 5})]
    assert ("mute", {"member": 5}) not in plan("monitor", member(5, speak=False), T, [8])


@pytest.mark.parametrize("mode, expected", [
    ("barge", [("undeaf", {"member": 5}), ("unmute", {"member": 5})]),
    ("clear", []),
])
def test_barge_opens_everything_clear_only_relations(mode, expected):
    target = None if mode == "clear" else T
    others = [7, 8] if mode == "clear" else [8]
    assert plan(mode, S, target, others) == [
        ("relate", {"member": 5, "other": [7, 8], "relationship": "clear"})] + expected


def test_clear_alone_in_the_room_sends_nothing():
    assert plan("clear", S, None, []) == []
