"""Pure pieces of the conference model: endpoints, member flags, media, subscriptions."""
import struct

from fssim import media
from fssim.events import Event
from fssim.originate import split_variables
from fssim.registry import parse_member_flags
from fssim.subscription import Subscription


def test_endpoint_variables_and_comma_ends_a_value():
    assert split_variables("{conference_member_flags=mute|moderator,"
                           "origination_caller_id_number=2001}loopback/talk_steady/default") \
        == ([("conference_member_flags", "mute|moderator"),
             ("origination_caller_id_number", "2001")], "loopback/talk_steady/default")
    pairs, _ = split_variables("{conference_member_flags=mute,moderator,x=1}user/1000@d")
    assert dict(pairs)["conference_member_flags"] == "mute"
    assert split_variables("{conference_member_flags='^^!mute!moderator'}x")[0] == \
        [("conference_member_flags", "^^!mute!moderator")]
    assert split_variables("sofia/rig/1001@127.0.0.1:5073") == \
        ([], "sofia/rig/1001@127.0.0.1:5073")


def test_member_flag_syntaxes():
    assert parse_member_flags("mute|moderator") == ["mute", "moderator"]
    assert parse_member_flags("^^!mute!moderator") == ["mute", "moderator"]
    assert parse_member_flags("mute") == ["mute"]
    assert parse_member_flags(None) == []


def test_tone_lengths_and_reported_play_time():
    assert media.file_seconds("tone_stream://%(200,0,500,600,700)") == 0.2
    assert media.file_seconds("tone_stream://%(1000,0,500);loops=20") == 20.0
    assert media.file_seconds("tone_stream://%(400,600,440);loops=-1") is None
    assert media.file_seconds("silence_stream://250") == 0.25
    alone = "tone_stream://%(250,0,450)"
    assert media.reported_play_time(0.25, 8000, alone) == (0, 500, 4000)  # recorded alone-sound
    assert media.reported_play_time(1.0, 8000, alone) == (2, 2000, 16000)
    # files other than tones report what they played (round4 play_http_cache, unhold)
    assert media.reported_play_time(2.0, 8000, "http_cache://http://h/t.wav") == (2, 2000, 16000)
    assert media.reported_play_time(0.4, 8000, "local_stream://moh") == (0, 400, 3200)


def test_silence_wav_is_valid(tmp_path):
    path = tmp_path / "sub" / "rec.wav"
    samples, size = media.write_silence_wav(str(path), 1.5, 8000)
    data = path.read_bytes()
    assert (samples, size, len(data)) == (12000, 24044, 24044)
    assert data[:4] == b"RIFF" and data[8:16] == b"WAVEfmt "
    assert struct.unpack("<I", data[4:8])[0] == len(data) - 8
    assert struct.unpack("<HHII", data[20:32]) == (1, 1, 8000, 16000)
    assert data[36:40] == b"data" and set(data[44:]) == {0}


def _event(name, subclass=None, **headers):
    return Event(name, list(headers.items()), subclass=subclass)


def test_subscription_rules():
    sub = Subscription()
    assert not sub.wants(_event("CHANNEL_CREATE"))
    assert sub.enable(["bogusformat", "BACKGROUND_JOB"]) == "plain"
    assert sub.wants(_event("BACKGROUND_JOB")) and not sub.wants(_event("CHANNEL_CREATE"))
    sub.enable(["json", "CUSTOM", "conference::maintenance"])
    assert sub.format == "json"
    assert sub.wants(_event("CUSTOM", "conference::maintenance"))
    assert not sub.wants(_event("CUSTOM", "sofia::register"))
    sub.add_filter("Conference-Name", "room2")
    assert not sub.wants(_event("CUSTOM", "conference::maintenance", **{
        "Conference-Name": "room1"}))
    sub.nix(["BACKGROUND_JOB"])
    sub.delete_filter("Conference-Name")
    assert not sub.wants(_event("BACKGROUND_JOB"))
    sub.clear()
    assert not sub.wants(_event("CUSTOM", "conference::maintenance"))
    sub.enable(["plain", "ALL"])
    assert sub.wants(_event("CUSTOM", "sofia::register"))
