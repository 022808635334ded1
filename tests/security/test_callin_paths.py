"""Issue 17 item 4: file names never come from the socket.

A client posing as FreeSWITCH said ``Unique-ID: <absolute path>`` and dialled a
conference with ``play_name``: the service recorded ``<path>.wav`` and deleted it
afterwards (another account's recording was deleted this way). Now the name
recording is a uuid the service made, inside the names directory, and nothing
outside it is touched."""
import os

import pytest

from tests.support.callin_rig import callin_rig
from tests.support.fake_switch import FakeSwitch


def write_what_record_asks(arg):
    """What FreeSWITCH's ``record`` does: write the file it was given."""
    path = arg.split()[0]
    with open(path, "wb") as handle:
        handle.write(b"RIFF-recorded-name")
    return {}


@pytest.fixture
def rig(tmp_path):
    with callin_rig(tmp_path) as rig:
        yield rig


def test_a_forged_unique_id_cannot_overwrite_or_delete_a_file_outside_the_names_dir(rig, tmp_path):
    victim_dir = tmp_path / "recordings" / "other-account"
    victim_dir.mkdir(parents=True)
    victim = victim_dir / "board-meeting.wav"
    victim.write_bytes(b"another account's recording")
    rig.conference("names", member={"numbers": ["7100"]}, play_name=True)

    switch = FakeSwitch(rig.port, channel={
        "Unique-ID": str(victim)[:-len(".wav")], "variable_kz_callin_number": "7100"},
        apps={"record": write_what_record_asks})
    switch.wait(lambda: switch.apps_run("conference"))
    recorded = switch.apps_run("record")
    assert len(recorded) == 1
    path = recorded[0].split()[0]
    names_dir = os.path.realpath(rig.options.names_dir)
    assert os.path.dirname(path) == names_dir                 # inside the names directory
    assert str(victim)[:-4] not in path and "other-account" not in path
    assert os.path.exists(path)
    switch.hangup()
    rig_wait_idle(rig)
    assert not os.path.exists(path)                          # ours is cleaned up
    assert victim.read_bytes() == b"another account's recording"   # theirs is untouched


def test_a_relative_traversal_in_unique_id_is_ignored_too(rig, tmp_path):
    keep = tmp_path / "recordings" / "keep.wav"
    keep.parent.mkdir(parents=True, exist_ok=True)
    keep.write_bytes(b"keep me")
    rig.conference("names2", member={"numbers": ["7101"]}, play_name=True)
    switch = FakeSwitch(rig.port, channel={"Unique-ID": "../keep",
                                           "variable_kz_callin_number": "7101"},
                        apps={"record": write_what_record_asks})
    switch.wait(lambda: switch.apps_run("conference"))
    assert "keep" not in switch.apps_run("record")[0]
    switch.hangup()
    rig_wait_idle(rig)
    assert keep.read_bytes() == b"keep me"
    assert os.listdir(rig.options.names_dir) == []


def rig_wait_idle(rig, timeout=5.0):
    import gevent
    with gevent.Timeout(timeout, AssertionError("the call never ended")):
        while rig.server.active_calls:
            gevent.sleep(0.02)
