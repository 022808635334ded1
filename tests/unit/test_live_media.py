"""Media for play: links signed for FreeSWITCH, URLs, tts:// text; recordings' WAV facts."""
import wave

import pytest

from crossbar.live import media, recordings
from kzcore.errors import InvalidCommandArgument, NotFound, SwitchRefused


def test_links_verify_and_expire():
    now = [1000.0]
    links = media.MediaLinks("secret", lifetime=60, clock=lambda: now[0])
    token = links.issue("a" * 32, "m1")
    assert links.verify(token) == ("a" * 32, "m1")
    url = media.media_url("http://api:8000/", token, "media.mp3")
    assert url == f"http://api:8000/v2/live_media/{token}/media.mp3"
    assert media.classify(url) == ("url", url)  # a valid single mod_conference argument
    now[0] += 61
    with pytest.raises(NotFound):
        links.verify(token)


def test_links_reject_forgery_and_other_keys():
    links = media.MediaLinks("secret")
    token = links.issue("a" * 32, "m1")
    forged = token.replace("m1", "m2", 1)
    for bad in (forged, "", "x.y", token + "x"):
        with pytest.raises(NotFound):
            links.verify(bad)
    with pytest.raises(NotFound):
        media.MediaLinks("other").verify(token)


@pytest.mark.parametrize("media_id, kind", [
    ("0123456789abcdef0123456789abcdef", "media"), ("https://example.com/a.wav", "url"),
    ("http://example.com/a.mp3", "url"), ("http_cache://https://example.com/a.wav", "url"),
    ("tts://Hello there, welcome", "tts")])
def test_classify(media_id, kind):
    assert media.classify(media_id)[0] == kind


@pytest.mark.parametrize("media_id", [
    "https://x/a b.wav", "https://x/a.wav\napi x", "http://x/'a'.wav", "http://x/{a}.wav",
    "tts://hi\nthere", "tts://say 'this'", "tts://{x}", "tts://", "media id", "abc\n", "../etc",
    "file:///etc/passwd", "http_cache://file:///etc/passwd", 7])
def test_classify_rejects_injection(media_id):
    with pytest.raises(InvalidCommandArgument):
        media.classify(media_id)


def test_recording_path_and_wav_facts(tmp_path):
    path = recordings.recording_path(str(tmp_path), "a" * 32, "c1", "r1")
    assert path == str(tmp_path / ("a" * 32) / "c1" / "r1.wav")
    (tmp_path / ("a" * 32) / "c1").mkdir(parents=True)
    with wave.open(path, "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(8000)
        handle.writeframes(b"\0\0" * 12000)
    assert recordings.wav_facts(path) == (1.5, 44 + 24000)


class SwitchEchoingPaths:
    """Answers ``recording`` as mod_conference does: the path echoed back (round2
    api_conference_room1_recording_start / _stop), or refused naming it."""

    def __init__(self, refuse):
        self.refuse = refuse

    def send(self, located, action, subcommand, path):
        if self.refuse:
            raise SwitchRefused(f"-ERR non-existant recording '{path}'",
                                {"command": f"conference room1 recording {subcommand} {path}"})
        return f"Stopped recording file {path}\n+OK Stopped recording 0 files"


def test_recording_replies_and_refusals_name_the_file_not_the_server_path():
    path = "/srv/kazoo/recordings/acct/conf/r1.wav"
    text = recordings._send_hiding_path(SwitchEchoingPaths(refuse=False), None, "stop", path)
    assert text == "Stopped recording file r1.wav\n+OK Stopped recording 0 files"
    with pytest.raises(SwitchRefused) as refused:
        recordings._send_hiding_path(SwitchEchoingPaths(refuse=True), None, "stop", path)
    assert refused.value.message == "-ERR non-existant recording 'r1.wav'"
    assert "/srv" not in repr(refused.value.data)
