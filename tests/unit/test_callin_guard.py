"""callin.guard (peers allowed on the call-in socket, the dialplan's secret) and
callin.names (name recordings only ever inside their directory)."""
import os

import pytest

from callin import guard, names


def test_default_policy_is_loopback_only():
    policy = guard.PeerPolicy("127.0.0.1/8,::1")
    assert policy.allows("127.0.0.1") and policy.allows("127.5.5.5") and policy.allows("::1")
    assert policy.allows("::ffff:127.0.0.1")                   # dual-stack socket
    assert not policy.allows("192.0.2.1") and not policy.allows("::2")
    assert not policy.allows("") and not policy.allows("not-an-address")


def test_cidrs_addresses_and_names():
    looked_up = []

    def resolver(name):
        looked_up.append(name)
        return {"172.18.0.5"} if name == "freeswitch" else set()

    clock = [0.0]
    policy = guard.PeerPolicy(" 10.1.0.0/16 , 192.0.2.7,freeswitch,nowhere", resolver=resolver,
                              clock=lambda: clock[0])
    assert policy.allows("10.1.200.3") and policy.allows("192.0.2.7")
    assert not policy.allows("10.2.0.1") and not policy.allows("192.0.2.8")
    assert policy.allows("172.18.0.5") and not policy.allows("172.18.0.6")
    assert looked_up == ["freeswitch", "nowhere"]
    policy.allows("172.18.0.5")
    assert len(looked_up) == 2                                 # cached for the ttl
    clock[0] += 31
    policy.allows("172.18.0.5")
    assert len(looked_up) == 4


def test_an_empty_policy_allows_nobody():
    assert not guard.PeerPolicy("").allows("127.0.0.1")


@pytest.mark.parametrize("given,ok", [("s3cret", True), ("s3cre", False), ("s3cret ", False),
                                      ("", False), (None, False)])
def test_secret_matches(given, ok):
    channel = {} if given is None else {"variable_callin_secret": given}
    assert guard.secret_matches(channel, "s3cret") is ok
    assert guard.secret_matches(channel, "") is True          # not configured: not checked


def test_name_recordings_are_fresh_uuids_inside_their_directory(tmp_path):
    directory = tmp_path / "names"
    first, second = names.new_recording(str(directory)), names.new_recording(str(directory))
    assert first != second
    assert os.path.dirname(first) == os.path.realpath(directory) and first.endswith(".wav")
    open(first, "wb").close()
    assert names.remove(str(directory), first) is True and not os.path.exists(first)
    assert names.remove(str(directory), first) is False      # already gone: fine


@pytest.mark.parametrize("path", ["/etc/passwd", "../outside.wav", "sub/inner.wav", "x.txt"])
def test_nothing_outside_the_directory_is_removed(tmp_path, path):
    directory = tmp_path / "names"
    directory.mkdir()
    (directory / "sub").mkdir()
    target = (directory / path) if not path.startswith("/") else path
    with pytest.raises(names.UnsafePath):
        names.remove(str(directory), str(target))


def test_a_symlink_pointing_out_is_not_followed(tmp_path):
    directory = tmp_path / "names"
    directory.mkdir()
    victim = tmp_path / "victim.wav"
    victim.write_bytes(b"keep")
    link = directory / "0123.wav"
    link.symlink_to(victim)
    with pytest.raises(names.UnsafePath):
        names.remove(str(directory), str(link))
    assert victim.read_bytes() == b"keep"


def test_the_switch_sends_channel_variables_as_variable_headers_on_connect():
    """Why the secret is a channel variable: the recorded connect reply carries what the
    dialplan set before ``socket`` (DP_MATCH from the condition, current_application)."""
    import io
    from callin import wire
    from tests.support.paths import fs_fixture
    reply = wire.read_frame(io.BytesIO(fs_fixture("round2/outbound_connect_reply.esl")))
    channel = wire.connect_data(reply)
    assert channel["variable_current_application"] == "socket"
    assert channel["variable_DP_MATCH"].startswith("ARRAY::callin_100")
    assert not guard.secret_matches(channel, "s3cret")
    assert guard.secret_matches({**channel, "variable_callin_secret": "s3cret"}, "s3cret")
