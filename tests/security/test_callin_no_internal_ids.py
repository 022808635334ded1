"""Issue 17 item 4: nothing internal reaches the socket before the PIN is right.

A client posing as FreeSWITCH learnt ``<account_id>_<conference_id>`` for any
number. Everything the service sends before a right PIN (channel variables it
sets, applications and their arguments, api commands) is read here byte for
byte: no account id, conference id or room name, for a wrong PIN, for a caller
who never enters one, and for a number entered at the prompt. After the right
PIN the room name does appear (the check would see it)."""
import pytest

from kzcore import naming
from tests.support.callin_rig import ACCOUNT, callin_rig
from tests.support.fake_switch import FakeSwitch

CONFERENCE = "c0ffee" + "0" * 26


class Entries:
    def __init__(self, *entries):
        self.entries = list(entries)
        self.before_right = None     # what the service had sent when the right PIN went in

    def handler(self, switch, right):
        def pagd(arg):
            entry = self.entries.pop(0) if self.entries else ""
            if entry == right and self.before_right is None:
                self.before_right = switch.sent_text()
            variable = arg.split()[7]
            result = "success" if entry else "timeout"
            return {"variable_read_result": result, f"variable_{variable}": entry}
        return pagd


@pytest.fixture
def rig(tmp_path):
    with callin_rig(tmp_path) as rig:
        rig.conference(CONFERENCE, conference_numbers=["7500"], member={"pins": ["1357"]},
                       moderator={"pins": ["2468"]}, play_entry_tone="tone_stream://%(100,0,900)",
                       language="fr-ca", play_name=True)
        yield rig


def internals():
    return (ACCOUNT, CONFERENCE, naming.fs_conference_name(ACCOUNT, CONFERENCE))


def run_call(rig, number, *entries, right="1357"):
    plan = Entries(*entries)
    switch = FakeSwitch(rig.port, channel={"variable_kz_callin_number": number})
    switch.apps["play_and_get_digits"] = plan.handler(switch, right)
    return switch, plan


@pytest.mark.parametrize("entries", [("0000", "1111", "9999"), ("", "", ""), ("2469",)])
def test_wrong_or_no_pin_reveals_nothing(rig, entries):
    switch, _ = run_call(rig, "7500", *entries)
    switch.wait_closed(timeout=10)
    text = switch.sent_text()
    assert "play_and_get_digits" in text                 # the PIN was asked for
    for secret in internals():
        assert secret not in text, secret
    assert switch.apps_run("conference") == []


def test_a_number_entered_at_the_prompt_reveals_nothing_before_the_pin(rig):
    switch, plan = run_call(rig, "1", "7500", "0000", "1357")   # unknown number: asked for one
    switch.wait(lambda: switch.apps_run("conference"))
    for secret in internals():
        assert secret not in plan.before_right, secret
    assert internals()[2] in switch.sent_text()          # joined: now the room is named
    switch.hangup()


def test_the_right_pin_is_when_the_room_is_first_named(rig):
    switch, plan = run_call(rig, "7500", "9999", "1357")
    switch.wait(lambda: switch.apps_run("conference"))
    for secret in internals():
        assert secret not in plan.before_right, secret
    assert switch.apps_run("conference")[0].startswith(internals()[2])
    switch.hangup()


def test_without_the_secret_even_a_room_without_pin_is_not_named(tmp_path):
    """A room without PIN is joined at once, so its name goes to the switch: only the
    switch (allowed address, dialplan secret) may hear it."""
    with callin_rig(tmp_path, options={"secret": "dialplan-secret"}) as rig:
        open_room = rig.conference("open" + "0" * 28, conference_numbers=["7501"])
        forger = FakeSwitch(rig.port, channel={"variable_kz_callin_number": "7501"})
        forger.wait_closed()
        assert open_room not in forger.sent_text() and ACCOUNT not in forger.sent_text()
        switch = FakeSwitch(rig.port, channel={"variable_kz_callin_number": "7501",
                                               "variable_callin_secret": "dialplan-secret"})
        switch.wait(lambda: switch.apps_run("conference"))
        assert switch.apps_run("conference")[0].startswith(open_room)
        switch.hangup()
