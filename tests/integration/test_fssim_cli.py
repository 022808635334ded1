"""`fssim` run by itself: answers fs_cli-style `api conference ...` commands over ESL."""
import signal
import socket
import subprocess
import sys
import time

from tests.support.paths import REPO
from tests.support.sim import EslTestClient


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_listening(port, proc, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read().decode()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("fssim did not start listening")


def test_cli_serves_conference_api_and_stops_on_sigterm(tmp_path):
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "fssim.cli", "--port", str(port), "--password", "s3cret",
         "--time-scale", "0.1", "--recordings-dir", str(tmp_path)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _wait_listening(port, proc)
        client = EslTestClient("127.0.0.1", port, "s3cret")
        assert client.api("conference list") == "+OK No active conferences.\n"
        assert client.api("sim_join room1 1001 Alice").startswith("+OK 1 ")
        listing = client.api("conference list")
        assert listing.startswith("+OK Conference room1 (1 member rate: 8000 flags: ")
        assert ";loopback/conf_room1-b;" in listing and ";Alice;1001;" in listing
        client.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert b'"msg": "esl command"' in err and b'"command": "conference list"' in err
