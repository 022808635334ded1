"""Issue 17 item 4: only FreeSWITCH may drive the call-in socket.

A peer outside ``KZ_CALLIN_ALLOWED_PEERS`` is closed before the service says a
word; with ``KZ_CALLIN_SECRET`` set, a connect reply without the dialplan's
``callin_secret`` channel variable (or with a wrong one) gets nothing after
``connect``; and past ``KZ_CALLIN_MAX_CONNECTIONS`` a connection is closed at
once instead of holding a call slot."""
import socket

import gevent
import pytest

from callin.guard import PeerPolicy
from tests.support.callin_rig import callin_rig
from tests.support.fake_switch import FakeSwitch, digits, read_all

SECRET = "s3cret-from-the-dialplan"


def first_bytes(port, timeout=3.0):
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        return read_all(sock, timeout)
    finally:
        sock.close()


@pytest.mark.parametrize("allowed", ["192.0.2.10", "10.0.0.0/8,fd00::/8", "freeswitch.invalid"])
def test_a_peer_outside_the_allow_list_is_closed_before_anything_is_sent(tmp_path, allowed):
    with callin_rig(tmp_path, peers=PeerPolicy(allowed)) as rig:
        assert first_bytes(rig.port) == b""            # not even "connect"
        assert rig.stats["refused_peer"] == 1 and rig.stats["calls"] == 0


@pytest.mark.parametrize("allowed", ["127.0.0.1", "127.0.0.0/8", "192.0.2.10,localhost"])
def test_an_allowed_peer_is_served(tmp_path, allowed):
    with callin_rig(tmp_path, peers=PeerPolicy(allowed), options={"header_timeout": 0.3}) as rig:
        sock = socket.create_connection(("127.0.0.1", rig.port), timeout=3)
        assert sock.recv(100) == b"connect\n\n"
        sock.close()
        assert rig.stats["refused_peer"] == 0


@pytest.mark.parametrize("given", [None, "", "wrong-secret", SECRET + "x", SECRET[:-1]])
def test_a_missing_or_wrong_secret_gets_nothing_after_connect(tmp_path, given):
    with callin_rig(tmp_path, options={"secret": SECRET}) as rig:
        rig.conference("open", member={"numbers": ["7200"]})
        switch = FakeSwitch(rig.port, channel={"variable_kz_callin_number": "7200",
                                               "variable_callin_secret": given})
        switch.wait_closed()
        assert switch.sent_text() == "connect\n\n"     # no answer, no prompt, no hangup
        assert rig.stats["refused_secret"] == 1


def test_the_right_secret_is_served_and_then_cleared_from_the_channel(tmp_path):
    with callin_rig(tmp_path, options={"secret": SECRET}) as rig:
        room = rig.conference("open", member={"numbers": ["7201"], "pins": ["4321"]})
        switch = FakeSwitch(rig.port, channel={"variable_kz_callin_number": "7201",
                                               "variable_callin_secret": SECRET},
                            apps={"play_and_get_digits": digits("4321")})
        switch.wait(lambda: switch.apps_run("conference"))
        assert switch.apps_run("conference")[0].startswith(room)
        assert switch.executed[0] == ("set", "callin_secret=")   # unset first, before answer
        assert SECRET not in switch.sent_text()
        switch.hangup()


def test_connections_over_the_cap_are_closed_at_once(tmp_path):
    with callin_rig(tmp_path, max_calls=2, options={"header_timeout": 3.0}) as rig:
        held = [socket.create_connection(("127.0.0.1", rig.port), timeout=3) for _ in range(2)]
        for sock in held:
            assert sock.recv(100) == b"connect\n\n"      # both hold a call slot, silently
        started = gevent.get_hub().loop.now()
        assert first_bytes(rig.port) == b""              # the third is closed, not queued
        assert gevent.get_hub().loop.now() - started < 1.0
        assert rig.stats["refused_busy"] == 1 and rig.server.active_calls == 2
        for sock in held:
            sock.close()
