"""Recordings and transcripts in the admin UI, end to end against the in-process stack
(simulator -> ecallmgr -> bus -> gateway, crossbar, the transcription worker):

- a room recording made through the page shows up, plays in the page and is deleted: the
  <audio> element is fed by a playback link (the auth token never in a URL), asks
  for byte ranges (206) and has audio (readyState >= 2, duration > 0); seeking works;
- a transcription of two simulated participants speaking real speech (flite):
  each participant's own track is listed under their name and plays, the room's
  Recording badge stays off (a participant's track is not the room's recording),
  and the transcript, shown in the page, names its speakers and says what each
  said, with times.
"""
import re

import gevent
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import create_conference, sign_in
from tests.support.speech import flite_wav

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]
ALICE_SAYS = "the quick brown fox jumps over the lazy dog"
BOB_SAYS = "please send the report to the team before friday"
SEGMENT_TIME = re.compile(r"^\d+:\d\d\.\d–\d+:\d\d\.\d$")
AUDIO_READY = """el => el.readyState >= 2 && el.duration > 0 && isFinite(el.duration)"""


def playback_responses(page):
    seen = []
    page.on("response", lambda response: seen.append(response)
            if "/v2/recording_playback/" in response.url else None)
    return seen


def wait_server(condition, timeout=10.0, message="condition not met"):
    with gevent.Timeout(timeout, AssertionError(message)):
        while not condition():
            gevent.sleep(0.05)


def test_a_room_recording_shows_up_and_plays_in_the_page(page, stack):
    sign_in(page, stack, through_form=False)
    conference_id = create_conference(page, "Played room")
    member = stack.sim.join(stack.fs_name(conference_id), "4101", "Grace")
    page.get_by_test_id("room-record").click()
    expect(page.get_by_test_id("room-recording")).to_have_text("Recording")
    expect(page.get_by_test_id("recording-item")).to_have_count(1)     # listed while it runs
    expect(page.get_by_test_id("recording-play")).to_be_disabled()
    expect(page.get_by_test_id("recording-delete")).to_be_disabled()     # stop it first
    item = page.get_by_test_id("recording-item")
    stack.sim.talk(member.uuid, 1.5)
    page.wait_for_timeout(700)
    mark = len(stack.sim.command_log)
    item.get_by_test_id("recording-pause").click()                  # from the list
    expect(item).to_have_attribute("data-status", "paused")
    expect(item.get_by_test_id("recording-pause")).to_have_count(0)
    page.wait_for_timeout(300)
    item.get_by_test_id("recording-resume").click()
    expect(item).to_have_attribute("data-status", "recording")
    room = stack.fs_name(conference_id)
    sent = [c.split(" ")[2:4] for c in stack.sim.command_log[mark:]
            if c.startswith(f"conference {room} recording ")]
    assert sent == [["recording", "pause"], ["recording", "resume"]], sent
    page.wait_for_timeout(800)
    item.get_by_test_id("recording-stop").click()
    expect(page.get_by_test_id("room-recording")).to_have_text("Not recording")
    expect(item).to_have_attribute("data-status", "stopped")
    expect(item.get_by_test_id("recording-stop")).to_have_count(0)
    expect(item.get_by_test_id("recording-whose")).to_have_text("Whole room")
    responses = playback_responses(page)

    item.get_by_test_id("recording-play").click()
    panel = page.get_by_test_id("recording-player-panel")
    expect(panel).to_be_visible()
    expect(panel).to_have_attribute("data-recording-id", item.get_attribute("data-recording-id"))
    expect(page.get_by_test_id("recording-player-title")).to_contain_text("Whole room")
    audio = page.get_by_test_id("recording-player")
    page.wait_for_function(f"() => ({AUDIO_READY})(document.querySelector('[data-testid=recording-player]'))")
    duration = audio.evaluate("el => el.duration")
    assert 1.0 <= duration < 4.0, duration
    source = audio.evaluate("el => el.currentSrc")
    assert "/v2/recording_playback/" in source and stack.token() not in source
    assert "X-Auth-Token" not in source and "auth_token" not in source
    audio.evaluate("el => { el.pause(); el.currentTime = el.duration * 0.8; }")
    page.wait_for_function("() => !document.querySelector('[data-testid=recording-player]').seeking")
    assert audio.evaluate("el => el.currentTime") > duration * 0.5
    ranged = [r for r in responses if r.status == 206]
    assert ranged, [(r.url, r.status) for r in responses]
    assert ranged[0].headers["content-range"].startswith("bytes ")
    assert ranged[0].headers["content-type"] == "audio/wav"
    assert ranged[0].request.headers.get("range", "").startswith("bytes=")

    recording_id = item.get_attribute("data-recording-id")
    item.get_by_test_id("recording-delete").click()                  # confirmed (the page fixture)
    expect(page.get_by_test_id("recording-item")).to_have_count(0)
    expect(panel).to_be_hidden()
    status, _ = stack.api("GET", f"/accounts/{stack.account_id}/conferences/{conference_id}"
                                 f"/recordings/{recording_id}")
    assert status == 404

    # a participant's own track: stopped from the list (no pause for a track)
    status, body = stack.api("PUT", f"/accounts/{stack.account_id}/conferences/{conference_id}"
                                    f"/participants/{member.id}",
                             {"action": "record", "data": {"action": "start"}})
    assert status == 202, body
    track = page.locator('[data-testid="recording-item"][data-kind="participant"]')
    expect(track).to_have_attribute("data-status", "recording")
    expect(track.get_by_test_id("recording-whose")).to_have_text("Grace (4101)")
    expect(track.get_by_test_id("recording-pause")).to_have_count(0)
    expect(page.get_by_test_id("room-recording")).to_have_text("Not recording")
    page.wait_for_timeout(500)
    track.get_by_test_id("recording-stop").click()
    expect(track).to_have_attribute("data-status", "stopped")
    assert not getattr(stack.sim.core.channel(member.uuid), "recordings", {})


def transcript_doc(stack, conference_id, transcript_id):
    _, body = stack.api("GET", f"/accounts/{stack.account_id}/conferences/{conference_id}"
                        f"/transcripts/{transcript_id}")
    return body["data"]


def test_participants_tracks_and_their_transcript_with_speakers_and_times(page, stack, tmp_path,
                                                                          artifacts_dir):
    sign_in(page, stack, through_form=False)
    conference_id = create_conference(page, "Transcribed room")
    room = stack.fs_name(conference_id)
    alice = stack.sim.join(room, "1001", "Alice")
    bob = stack.sim.join(room, "1002", "Bob")
    base = f"/accounts/{stack.account_id}/conferences/{conference_id}"
    status, body = stack.api("PUT", base, {"action": "transcribe",
                                           "data": {"action": "start", "language": "en-us"}})
    assert status == 202, body
    transcript_id = body["data"]["transcript"]["id"]
    # the tracks are listed from their events (the page did not ask for the start)
    tracks = page.locator('[data-testid="recording-item"][data-kind="participant"]')
    expect(tracks).to_have_count(2)
    expect(tracks.filter(has_text="Alice (1001)")).to_have_count(1)
    expect(tracks.filter(has_text="Bob (1002)")).to_have_count(1)
    expect(page.get_by_test_id("room-recording")).to_have_attribute("data-state", "off")
    expect(page.get_by_test_id("room-recording")).to_have_text("Not recording")
    _, room_doc = stack.api("GET", base)                      # nor does the API, nor the switch
    assert room_doc["data"]["_read_only"]["is_recording"] is False
    assert not any(member.get("type") == "recording_node"
                   for member in stack.wire_room(conference_id)["members"])
    transcript = page.locator(f'[data-testid="transcript-item"][data-transcript-id="{transcript_id}"]')
    expect(transcript).to_have_attribute("data-status", "recording")
    expect(transcript.get_by_test_id("transcript-show")).to_be_disabled()
    expect(transcript.get_by_test_id("transcript-delete")).to_be_disabled()
    toggle = page.get_by_test_id("transcribe-toggle")
    expect(toggle).to_have_text("Stop transcribing")
    expect(toggle).to_have_attribute("aria-pressed", "true")

    said = stack.sim.speak(alice.uuid, flite_wav(ALICE_SAYS, tmp_path / "alice.wav"))
    gevent.sleep(said.seconds + 0.5)
    said = stack.sim.speak(bob.uuid, flite_wav(BOB_SAYS, tmp_path / "bob.wav"))
    gevent.sleep(said.seconds + 0.3)
    toggle.click()                                            # stop transcribing (the page)
    expect(toggle).to_have_text("Transcribe")
    wait_server(lambda: transcript_doc(stack, conference_id, transcript_id)["status"]
                in ("ready", "failed"), timeout=90, message="transcript not finished")
    assert transcript_doc(stack, conference_id, transcript_id)["status"] == "ready"
    # the page learns it from the transcript-ready event
    expect(transcript).to_have_attribute("data-status", "ready", timeout=10000)
    expect(transcript.get_by_test_id("transcript-state")).to_contain_text("ready")
    expect(page.get_by_test_id("room-recording")).to_have_attribute("data-state", "off")

    transcript.get_by_test_id("transcript-show").click()
    view = page.get_by_test_id("transcript-view")
    expect(view).to_be_visible()
    expect(view).to_have_attribute("data-transcript-id", transcript_id)
    expect(page.get_by_test_id("transcript-speakers")).to_contain_text("Alice (1001)")
    expect(page.get_by_test_id("transcript-speakers")).to_contain_text("Bob (1002)")
    expect(page.get_by_test_id("transcript-segments")).to_be_visible()
    expect(page.get_by_test_id("transcript-empty")).to_have_count(0)
    rows = page.get_by_test_id("transcript-segment")
    said_by = {alice.uuid: [], bob.uuid: []}
    for index in range(rows.count()):
        row = rows.nth(index)
        speaker = row.get_by_test_id("segment-speaker").inner_text()
        call_id = row.get_attribute("data-call-id")
        assert speaker == {alice.uuid: "Alice (1001)", bob.uuid: "Bob (1002)"}[call_id]
        assert SEGMENT_TIME.match(row.get_by_test_id("segment-time").inner_text())
        said_by[call_id] += row.get_by_test_id("segment-text").inner_text().split()
    assert {"quick", "fox"} <= set(said_by[alice.uuid]), said_by
    assert {"report", "friday"} <= set(said_by[bob.uuid]), said_by
    assert not {"quick", "fox"} & set(said_by[bob.uuid])
    page.screenshot(path=str(artifacts_dir / "recordings-and-transcript.png"), full_page=True)

    with page.expect_download() as download:
        transcript.get_by_test_id("transcript-download").click()
    with open(download.value.path(), encoding="utf-8") as handle:
        assert handle.read().startswith("WEBVTT")

    # a link that no longer opens (expired while the page stayed open) is renewed once
    refused = []

    def expired_once(route):
        if not refused:
            refused.append(route.request.url)
            return route.fulfill(status=404, content_type="application/json",
                                 body='{"status": "error", "message": "playback link expired"}')
        return route.continue_()
    page.route("**/v2/recording_playback/**", expired_once)
    alices = tracks.filter(has_text="Alice (1001)")
    expect(alices).to_have_attribute("data-status", "stopped")
    alices.get_by_test_id("recording-play").click()
    expect(page.get_by_test_id("recording-player-title")).to_contain_text("Alice (1001)")
    page.wait_for_function(f"() => ({AUDIO_READY})(document.querySelector('[data-testid=recording-player]'))")
    assert len(refused) == 1
    expect(page.get_by_test_id("recording-player-panel")).to_have_attribute("data-renewed", "1")
    assert page.get_by_test_id("recording-player").evaluate("el => el.currentSrc") != refused[0]

    transcript.get_by_test_id("transcript-delete").click()
    expect(page.get_by_test_id("transcript-item")).to_have_count(0)
    expect(view).to_be_hidden()
    assert stack.api("GET", f"{base}/transcripts/{transcript_id}")[0] == 404
