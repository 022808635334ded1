"""Validators built on ``^...$`` patterns: Python's ``$`` also matches before a final
newline, so each must use fullmatch. A trailing newline is the classic way to smuggle
a line into a line-based protocol (ESL) or a name."""
import pytest

from blackhole.protocol import binding_problem
from kzcore import naming
from kzcore.errors import BadRequest
from kzcore.fs_commands import apps
from kzcore.store.docs import check_db_name

ACCOUNT = "9d351ad7ffd6f846313af9eed3bb7b85"


def test_ids_with_a_trailing_newline_are_not_ids():
    assert naming.is_account_id(ACCOUNT) and not naming.is_account_id(ACCOUNT + "\n")
    with pytest.raises(ValueError, match="not a conference id"):
        naming.fs_conference_name(ACCOUNT, "room1\n")
    assert naming.parse_fs_conference_name(f"{ACCOUNT}_room1\n") is None
    assert naming.parse_fs_conference_name(f"{ACCOUNT}_room1") == (ACCOUNT, "room1")


@pytest.mark.parametrize("build", [
    lambda: apps.conference("room1\n"),
    lambda: apps.conference("room1", profile="default\n"),
    lambda: apps.hangup("NORMAL_CLEARING\n"),
    lambda: apps.set_variable("name\n", "x"),
    lambda: apps.playback("/tmp/a.wav\n"),
])
def test_dialplan_app_arguments_with_a_trailing_newline_are_refused(build):
    with pytest.raises(apps.UnsafeArgument):
        build()


def test_names_and_bindings_with_a_trailing_newline_are_refused():
    check_db_name("conferences")
    with pytest.raises(BadRequest, match="illegal database name"):
        check_db_name("conferences\n")
    assert binding_problem("conference.event.abc\n.*") is not None
    assert binding_problem("conference.event.abc.*") is None
