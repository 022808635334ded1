"""Issue 10 item 3: a prompt that does not play is not a wrong PIN.

With its prompt files missing, the real switch's play_and_get_digits returns at
once and the caller was refused as "bad PIN" three times within a second, with
nothing at error level. FreeSWITCH's read (switch_ivr_read in
switch_ivr_play_say.c) clears ``read_result`` and sets it only after the prompt
played, so the completion of a failed prompt has no ``variable_read_result``;
``playback`` of a missing file completes with ``Application-Response: FILE NOT
FOUND`` (mod_dptools playback_function). The simulator always plays, so a client
speaking for the switch over TCP sends exactly those completions here.

Now: one error log line naming the file, the caller hung up with
SERVICE_UNAVAILABLE after the first failure, the failure counted, and no PIN
counted against the conference."""
import logging

import pytest

from callin.pins import throttle_keys
from callin.prompts import FILES
from tests.support.callin_rig import callin_rig
from tests.support.fake_switch import FakeSwitch

SOUNDS = "/opt/switch-sounds"


def prompt_missing(arg):
    """play_and_get_digits whose prompt failed: no read_result at all."""
    return {}


def file_not_found(arg):
    return {"Application-Response": "FILE NOT FOUND"}


@pytest.fixture
def rig(tmp_path):
    with callin_rig(tmp_path, options={"sounds_dir": SOUNDS}) as rig:
        rig.conference("pins", member={"numbers": ["7600"], "pins": ["1234"]}, play_welcome=False)
        rig.conference("hello", member={"numbers": ["7601"], "pins": ["1234"]})
        yield rig


def failures(caplog):
    return [r for r in caplog.records if r.getMessage() == "call-in prompt failed to play"]


def test_a_pin_prompt_that_does_not_play_is_not_a_wrong_pin(rig, caplog):
    caplog.set_level(logging.INFO, logger="callin")
    switch = FakeSwitch(rig.port, channel={"variable_kz_callin_number": "7600"},
                        apps={"play_and_get_digits": prompt_missing})
    switch.wait_closed()
    prompts = switch.apps_run("play_and_get_digits")
    assert len(prompts) == 1                                     # not three "bad PIN" rounds
    missing = prompts[0].split()[5]
    assert missing == f"{SOUNDS}/en/us/callie/{FILES['enter_pin']}"
    assert not any(FILES["bad_pin"] in p for p in switch.apps_run("playback"))
    assert not any(FILES["goodbye"] in p for p in switch.apps_run("playback"))
    assert switch.hungup_with == "SERVICE_UNAVAILABLE"
    [record] = failures(caplog)
    assert record.levelno == logging.ERROR
    assert record.file == missing and record.prompt_failures == 1
    assert not [r for r in caplog.records if r.getMessage() == "bad PIN"]
    assert rig.stats["prompt_failures"] == 1 and rig.stats["wrong_pins"] == 0
    conference = rig.server.directory.find("7600")[0]
    key = throttle_keys(conference, switch.channel)[0]
    assert rig.server.throttle.entries(key) == 0                 # nothing counted as a guess


def test_a_welcome_file_not_found_ends_the_call_before_any_pin(rig, caplog):
    caplog.set_level(logging.INFO, logger="callin")
    switch = FakeSwitch(rig.port, channel={"variable_kz_callin_number": "7601"},
                        apps={"playback": file_not_found})
    switch.wait_closed()
    assert switch.apps_run("play_and_get_digits") == []
    assert switch.apps_run("playback") == [f"{SOUNDS}/en/us/callie/{FILES['welcome']}"]
    assert switch.hungup_with == "SERVICE_UNAVAILABLE"
    [record] = failures(caplog)
    assert record.levelno == logging.ERROR and record.response == "FILE NOT FOUND"
    assert record.file.endswith(FILES["welcome"])
    assert rig.stats["prompt_failures"] == 1


def test_each_failure_is_counted(rig, caplog):
    caplog.set_level(logging.ERROR, logger="callin")
    for _ in range(3):
        switch = FakeSwitch(rig.port, channel={"variable_kz_callin_number": "7600"},
                            apps={"play_and_get_digits": prompt_missing})
        switch.wait_closed()
    assert [r.prompt_failures for r in failures(caplog)] == [1, 2, 3]
    assert rig.stats["prompt_failures"] == 3 and rig.stats["wrong_pins"] == 0


def test_a_digit_timeout_after_a_played_prompt_is_still_a_wrong_entry(rig):
    """The real switch's timeout completion (round2 outbound_json_digit_timeout) has
    read_result set: that is a caller who said nothing, not a broken prompt."""
    def silent(arg):
        return {"variable_read_result": "timeout"}
    switch = FakeSwitch(rig.port, channel={"variable_kz_callin_number": "7600"},
                        apps={"play_and_get_digits": silent})
    switch.wait_closed()
    assert len(switch.apps_run("play_and_get_digits")) == 3
    assert switch.hungup_with == "NORMAL_CLEARING"
    assert rig.stats["prompt_failures"] == 0
