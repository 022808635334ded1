"""The simulator's ESL server over real TCP: auth, api, bgapi, subscriptions, exit."""
import socket
import time

from kzcore.esl.frames import parse_event
from tests.support.paths import fs_fixture
from tests.support.sim import EslTestClient, sim_api


def _read_until_closed(sock, timeout=5.0):
    sock.settimeout(timeout)
    data = bytearray()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        chunk = sock.recv(65536)
        if not chunk:
            return bytes(data)
        data.extend(chunk)
    raise AssertionError("connection was not closed")


def test_wrong_password_is_refused_byte_for_byte(fssim):
    sock = socket.create_connection((fssim.host, fssim.port), timeout=5)
    sock.sendall(b"auth NotThePassword\n\n")
    assert _read_until_closed(sock) == fs_fixture("auth_wrong_password.rx.esl")


def test_banner_and_accept(fssim):
    sock = socket.create_connection((fssim.host, fssim.port), timeout=5)
    sock.settimeout(5)
    assert sock.recv(100) == fs_fixture("auth_banner.esl")
    sock.sendall(b"auth ClueCon\n\n")
    assert sock.recv(100) == fs_fixture("auth_ok_reply.esl")
    sock.close()


def test_command_errors_match_recording(fssim, esl_client_factory):
    client = esl_client_factory(fssim)
    client.send(b"frobnicate the widget\n\n")
    assert bytes(client.next_reply().headers["Reply-Text"], "ascii") == b"-ERR command not found"
    client.send(b"api\n\n")
    assert client.next_reply().headers["Reply-Text"] == "-ERR command not found"
    assert client.api("nosuchcommand foo") == "-ERR nosuchcommand Command not found!\n"
    assert client.api("version") == "FreeSWITCH Version 1.11.3-dev~64bit ( 64bit)\n"
    assert client.api("module_exists mod_conference") == "true"


def test_exit_sends_bye_and_disconnect_notice(fssim, esl_client_factory):
    client = esl_client_factory(fssim)
    start = len(client.raw)
    client.send(b"exit\n\n")
    rest = _read_until_closed(client.sock)
    tail = bytes(client.raw[start:]) + rest
    assert tail == (b"Content-Type: command/reply\nReply-Text: +OK bye\n\n"
                    b"Content-Type: text/disconnect-notice\nContent-Length: 67\n\n"
                    b"Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n")


def test_bad_event_format_turns_on_plain(fssim, esl_client_factory):
    client = esl_client_factory(fssim)
    reply = client.command("event bogusformat BACKGROUND_JOB")
    assert reply.headers["Reply-Text"] == "+OK event listener enabled plain"
    assert client.command("noevents").headers["Reply-Text"] == \
        "+OK no longer listening for events"


def test_bgapi_honours_client_job_uuid(fssim, esl_client_factory):
    client = esl_client_factory(fssim)
    client.command("event json BACKGROUND_JOB")
    job = "11111111-2222-3333-4444-000000000001"
    reply = client.command("bgapi conference nosuchroom list", {"Job-UUID": job})
    assert reply.headers["Reply-Text"] == f"+OK Job-UUID: {job}"
    assert reply.headers["Job-UUID"] == job
    event = client.wait_event(lambda e: e.get("Event-Name") == "BACKGROUND_JOB")
    assert event["Job-UUID"] == job
    assert event["Job-Command"] == "conference"
    assert event["Job-Command-Arg"] == "nosuchroom list"
    assert event["_body"] == "-ERR Conference nosuchroom not found\n"


def test_join_talk_mute_leave_events(fssim, esl_client_factory):
    client = esl_client_factory(fssim)
    client.command("event plain CUSTOM conference::maintenance")
    member = fssim.join("room1", "1001", "Alice", moderator=True)
    added = client.wait_event(lambda e: e.get("Action") == "add-member")
    assert added["Member-ID"] == str(member.id)
    assert added["Member-Type"] == "moderator"
    assert added["Caller-Caller-ID-Name"] == "Alice"
    fssim.talk(member.uuid)
    talking = client.wait_event(lambda e: e.get("Action") == "start-talking")
    assert talking["Talking"] == "true"
    assert sim_api(fssim, f"conference room1 mute {member.id}") == f"+OK mute {member.id}\n"
    muted = client.wait_event(lambda e: e.get("Action") == "mute-member")
    assert muted["Speak"] == "false"
    fssim.hangup(member.uuid)
    gone = client.wait_event(lambda e: e.get("Action") == "del-member")
    assert gone["Hangup-Cause"] == "NORMAL_CLEARING"
    client.wait_event(lambda e: e.get("Action") == "conference-destroy")
    assert sim_api(fssim, "conference room1 list") == "-ERR Conference room1 not found\n"


def test_filter_limits_events(fssim, esl_client_factory):
    client = esl_client_factory(fssim)
    client.command("event plain CUSTOM conference::maintenance")
    reply = client.command("filter Conference-Name room2")
    assert reply.headers["Reply-Text"] == "+OK filter added. [Conference-Name]=[room2]"
    fssim.join("room1", "1001", "Alice")
    fssim.join("room2", "1002", "Bob")
    event = client.wait_event(lambda e: e.get("Action") == "add-member")
    assert event["Conference-Name"] == "room2"
    assert all(parse_event(f).get("Conference-Name") == "room2" for f in client.events)


def test_command_log_records_api_and_bgapi(fssim, esl_client_factory):
    client = esl_client_factory(fssim)
    client.api("conference list")
    client.command("bgapi status")
    assert fssim.command_log[-2:] == ["conference list", "status"]
    assert '"command": "conference list"' in client.api("sim_log")


def test_bad_format_session_byte_for_byte(fssim):
    sock = socket.create_connection((fssim.host, fssim.port), timeout=5)
    sock.sendall(b"auth ClueCon\n\nevent bogusformat BACKGROUND_JOB\n\nnoevents\n\nexit\n\n")
    assert _read_until_closed(sock) == fs_fixture("cmd_event_bad_format.rx.esl")


def test_stop_closes_connections_and_restart_keeps_state(fssim_factory, esl_client_factory):
    sim = fssim_factory(time_scale=0.05)
    member = sim.join("room1", "1001", "Alice")
    client = esl_client_factory(sim)
    port = sim.port
    sim.stop()
    with __import__("pytest").raises((ConnectionError, OSError)):
        client.read_frame(timeout=2)
    sim.start()
    assert sim.port == port
    again = EslTestClient(sim.host, sim.port)
    assert f";{member.uuid};" in again.api("conference room1 list")
    again.close()


def test_garbage_does_not_kill_the_server(fssim):
    sock = socket.create_connection((fssim.host, fssim.port), timeout=5)
    sock.sendall(b"auth ClueCon\n\nsendmsg\nContent-Length: nope\n\n\xff\xfe\n\n")
    sock.close()
    assert sim_api(fssim, "version").startswith("FreeSWITCH Version")
