"""What media and recordings send to the switch and say back, over real sockets
(crossbar's HTTP port, the simulator's ESL port).

- ``play`` of a media document or an http(s) URL reaches the switch as
  ``http_cache://http(s)://...`` (issue 10 item 1: a bare ``http://`` file is
  ``-ERR ... not found`` without mod_httapi, round4 play_http_bare), and the URL
  behind the prefix is one the switch can fetch. These hold whether or not the
  simulator refuses bare ``http://`` (the product never sends one) or fetches the URL.
- The ``record`` start/stop replies never show the server's recordings path (issue 17).
"""
import gevent
import requests

from tests.security.media_support import LINK, TIMEOUT, Client, wav_bytes
from tests.support.stack import stack  # noqa: F401  (fixture)


def play_commands(stack, mark, room):
    return [c for c in stack.sim.command_log[mark:] if c.startswith(f"conference {room} play ")]


def test_play_of_a_media_document_sends_an_http_cache_url(stack):
    client = Client(stack)
    media_id, audio = client.create_media(), wav_bytes()
    assert client.upload(media_id, audio, "audio/wav").status_code == 200
    conference_id, room = client.running_room()
    mark = len(stack.sim.command_log)
    reply = client.action(conference_id, "play", {"media_id": media_id})
    assert reply.status_code == 202, reply.text
    (command,) = play_commands(stack, mark, room)
    prefix = f"conference {room} play http_cache://{stack.base_url}/v2/live_media/"
    assert command.startswith(prefix) and command.endswith("/media.wav"), command
    link = LINK.search(command).group(1)
    fetched = requests.get(link, timeout=TIMEOUT)  # what mod_http_cache will GET
    assert fetched.status_code == 200 and fetched.content == audio
    assert fetched.headers["Content-Type"] == "audio/wav"


def test_play_of_an_http_url_sends_it_through_http_cache(stack):
    client = Client(stack)
    media_id = client.create_media()
    assert client.upload(media_id, wav_bytes(), "audio/wav").status_code == 200
    conference_id, room = client.running_room()
    first = client.action(conference_id, "play", {"media_id": media_id})
    link = LINK.search(first.json()["data"]).group(1)  # a reachable http:// URL
    mark = len(stack.sim.command_log)
    reply = client.action(conference_id, "play", {"media_id": link})
    assert reply.status_code == 202, reply.text
    assert play_commands(stack, mark, room) == [f"conference {room} play http_cache://{link}"]
    assert not [c for c in stack.sim.command_log if " play http://" in c or " play https://" in c]


def test_record_replies_show_no_server_path(stack):
    client = Client(stack)
    conference_id, _ = client.running_room()
    started = client.action(conference_id, "record", {"action": "start"})
    assert started.status_code == 202, started.text
    recording_id = started.json()["data"]["recording"]["id"]
    assert started.json()["data"]["message"] == f"+OK Record file {recording_id}.wav"
    gevent.sleep(0.3)
    stopped = client.action(conference_id, "record", {"action": "stop"})
    assert stopped.status_code == 202, stopped.text
    assert f"Stopped recording file {recording_id}.wav" in stopped.json()["data"]["message"]
    recordings_dir = stack.config.recordings_dir
    for reply in (started, stopped, client.request("GET", f"/conferences/{conference_id}/recordings")):
        assert recordings_dir not in reply.text and stack.account_id + "/" not in reply.text
