"""PUT /conferences/{id} actions against the simulator over TCP: lock, unlock,
play (media document, URL, tts), record; the documented failures."""
import os
import time
import urllib.parse
import wave

import pytest

from tests.integration.test_live_support import media_server, rig  # noqa: F401 (fixtures)
from tests.support.round4 import wav_bytes

pytestmark = pytest.mark.both_stores   # embedded and CouchDB-API (tests.support.api)


def action(rig, conference_id, name, data=None, account=None):
    return rig.call("PUT", account or rig.alpha, conference_id,
                    body={"action": name, "data": data or {}})


def running_room(rig, node=0, callers=1):
    conference_id = rig.create_conference(rig.alpha)
    room = rig.room(rig.alpha, conference_id)
    members = [rig.sims[node].join(room, f"100{n}", f"Caller{n}") for n in range(callers)]
    return conference_id, room, members


def watch_events(esl_client_factory, sim):
    client = esl_client_factory(sim)
    assert client.command("event plain CUSTOM conference::maintenance") \
        .headers["Reply-Text"].startswith("+OK")
    return client


def test_lock_and_unlock_change_the_room(rig):
    conference_id, room, _ = running_room(rig, node=1)
    locked = action(rig, conference_id, "lock")
    assert locked.status_code == 202, locked.get_json()
    assert locked.get_json()["data"] == f"+OK {room} locked"
    assert rig.wire_json_list(rig.sims[1], room)[0]["locked"] is True
    assert rig.call("GET", rig.alpha, conference_id).get_json()["data"]["_read_only"]["is_locked"]
    unlocked = action(rig, conference_id, "unlock")
    assert unlocked.status_code == 202 and unlocked.get_json()["data"] == f"+OK {room} unlocked"
    assert rig.wire_json_list(rig.sims[1], room)[0]["locked"] is False


def test_unknown_action_names_the_allowed_ones(rig):
    conference_id, _, _ = running_room(rig)
    reply = action(rig, conference_id, "explode")
    assert reply.status_code == 400
    enum = reply.get_json()["data"]["action"]["enum"]
    assert set(enum["target"]) == {"lock", "unlock", "dial", "play", "record", "stop_play",
                                   "pause_play", "resume_play", "set_sounds", "end", "transcribe"}


def test_not_running_and_unknown_conference(rig):
    stored = rig.create_conference(rig.alpha)
    reply = action(rig, stored, "lock")
    assert reply.status_code == 409 and "not running" in reply.get_json()["message"]
    assert action(rig, "nosuchconference", "lock").status_code == 404


def test_play_url_and_tts_reach_the_room(rig, esl_client_factory, media_server):
    conference_id, room, _ = running_room(rig)
    events = watch_events(esl_client_factory, rig.sims[0])
    url = media_server.url()  # the switch fetches it (mod_http_cache)
    reply = action(rig, conference_id, "play", {"media_id": url})
    played_url = f"http_cache://{url}"  # through mod_http_cache (round4 play_http_cache)
    assert reply.status_code == 202 and reply.get_json()["data"] == f"+OK (play) Playing file {played_url}"
    played = events.wait_event(lambda e: e.get("Action") == "play-file")
    assert played["File"] == played_url and played["Conference-Name"] == room
    said = action(rig, conference_id, "play", {"data": {"media_id": "tts://Welcome to the call"}})
    assert said.status_code == 202, said.get_json()
    spoken = events.wait_event(lambda e: e.get("Action") == "speak-text")
    assert spoken["Text"] == "Welcome to the call"


def test_play_media_document_through_a_signed_link(rig, esl_client_factory):
    conference_id, room, _ = running_room(rig)
    created = rig.api.call("PUT", f"/v2/accounts/{rig.alpha.account_id}/media",
                           {"name": "Welcome"}, token=rig.alpha.token)
    media_id = created.get_json()["data"]["id"]
    audio = wav_bytes(0.5)
    upload = rig.api.client.post(f"/v2/accounts/{rig.alpha.account_id}/media/{media_id}/raw",
                                 data=audio, headers={"X-Auth-Token": rig.alpha.token,
                                                      "Content-Type": "audio/wav"})
    assert upload.status_code == 200, upload.get_json()
    events = watch_events(esl_client_factory, rig.sims[0])
    reply = action(rig, conference_id, "play", {"media_id": media_id})
    assert reply.status_code == 202, reply.get_json()  # the switch fetched the link
    played = events.wait_event(lambda e: e.get("Action") == "play-file")["File"]
    assert played.startswith(f"http_cache://{rig.config.public_url}/v2/live_media/")
    file_url = played[len("http_cache://"):]
    fetched = rig.api.client.get(urllib.parse.urlsplit(file_url).path)  # no auth header
    assert fetched.status_code == 200 and fetched.data == audio
    tampered = urllib.parse.urlsplit(file_url).path.replace(media_id, "0" * 32)
    assert rig.api.client.get(tampered).status_code == 404


def test_play_unknown_media_is_404_and_nothing_plays(rig):
    conference_id, _, _ = running_room(rig)
    mark = len(rig.sims[0].command_log)
    reply = action(rig, conference_id, "play", {"media_id": "f" * 32})
    assert reply.status_code == 404
    assert not [c for c in rig.sims[0].command_log[mark:] if " play " in c]


def test_play_without_media_id_is_a_validation_error(rig):
    conference_id, _, _ = running_room(rig)
    reply = action(rig, conference_id, "play", {})
    assert reply.status_code == 400
    assert "required" in reply.get_json()["data"]["data.media_id"]


def test_record_start_stop_document_and_download(rig):
    conference_id, room, _ = running_room(rig, node=1)
    started = action(rig, conference_id, "record", {"action": "start"})
    assert started.status_code == 202, started.get_json()
    recording = started.get_json()["data"]["recording"]
    listed = rig.wire_json_list(rig.sims[1], room)[0]
    (node,) = [m for m in listed["members"] if m.get("type") == "recording_node"]
    expected = os.path.join(rig.config.recordings_dir, rig.alpha.account_id, conference_id,
                            f"{recording['id']}.wav")
    assert node["record_path"] == os.path.abspath(expected)
    again = action(rig, conference_id, "record", {"action": "start"})
    assert again.status_code == 409 and "already recording" in again.get_json()["message"]
    assert rig.call("GET", rig.alpha, conference_id).get_json()["data"]["_read_only"]["is_recording"]
    time.sleep(0.6)
    stopped = action(rig, conference_id, "record", {"action": "stop"})
    assert stopped.status_code == 202, stopped.get_json()
    assert "Stopped recording file" in stopped.get_json()["data"]["message"]
    (done,) = stopped.get_json()["data"]["recordings"]
    with wave.open(os.path.abspath(expected), "rb") as handle:
        seconds = handle.getnframes() / handle.getframerate()
    assert done["duration"] == pytest.approx(seconds, abs=0.01) and done["duration"] >= 0.5
    assert done["size"] == os.path.getsize(os.path.abspath(expected))
    assert not [m for m in rig.wire_json_list(rig.sims[1], room)[0]["members"]
                if m.get("type") == "recording_node"]
    assert action(rig, conference_id, "record", {"action": "stop"}).status_code == 409
    listing = rig.call("GET", rig.alpha, conference_id, "/recordings").get_json()["data"]
    assert [item["id"] for item in listing] == [recording["id"]]
    one = rig.call("GET", rig.alpha, conference_id, f"/recordings/{recording['id']}")
    assert one.status_code == 200 and one.get_json()["data"]["duration"] == done["duration"]
    raw = rig.call("GET", rig.alpha, conference_id, f"/recordings/{recording['id']}/raw")
    assert raw.status_code == 200 and raw.data[:4] == b"RIFF" and len(raw.data) == done["size"]
    assert rig.call("GET", rig.beta, conference_id, f"/recordings/{recording['id']}").status_code == 404


def test_record_needs_a_known_action_and_a_recording_to_pause(rig):
    conference_id, _, _ = running_room(rig)
    reply = action(rig, conference_id, "record", {"action": "rewind"})
    assert reply.status_code == 400 and "data.action" in reply.get_json()["data"]
    paused = action(rig, conference_id, "record", {"action": "pause"})
    assert paused.status_code == 409, paused.get_json()     # nothing is being recorded
