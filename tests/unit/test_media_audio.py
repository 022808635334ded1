"""What media uploads may hold and how audio is served (crossbar.media.audio, pure)."""
import pytest

from crossbar.media import audio
from kzcore.errors import ValidationFailed

RIFF_WAVE = b"RIFF\x24\x00\x00\x00WAVEfmt "
ID3 = b"ID3\x04\x00\x00\x00\x00\x00\x00"
FRAME_SYNC = b"\xff\xfb\x90\x64" + b"\0" * 8


@pytest.mark.parametrize("header, expected", [
    ("audio/wav", "audio/wav"), ("Audio/X-WAV", "audio/wav"), ("audio/wave; codecs=1", "audio/wav"),
    ("audio/vnd.wave;codecs=\"1\"", "audio/wav"), ("audio/mpeg", "audio/mpeg"),
    ("audio/mp3", "audio/mpeg"), ("audio/mpeg3 ; foo=bar", "audio/mpeg"), ("audio/x-mp3", "audio/mpeg")])
def test_accepted_types_are_normalised(header, expected):
    assert audio.accepted_type(header) == expected


@pytest.mark.parametrize("header", [
    "audio/x,text/html", "text/html", "audio/wav,text/html", "audio/wav;x=text/html",
    "audio/wav; x=text/html", "audio/wav;;", "audio/wav;x", "audio/wav x", "audio/wav\r\nX: y",
    "audio/ogg", "audio/*", "audio/", "/wav", "image/svg+xml", "application/octet-stream",
    "video/mp4", "audio/wav;x=\"unterminated", "", None, 7])
def test_everything_else_is_refused_as_a_validation_error(header):
    with pytest.raises(ValidationFailed) as refused:
        audio.accepted_type(header)
    failure = refused.value.data["content_type"]["enum"]
    assert "audio/wav" in failure["target"] and "audio/mpeg" in failure["target"]


@pytest.mark.parametrize("content, expected", [
    (RIFF_WAVE, audio.WAV), (ID3, audio.MPEG), (FRAME_SYNC, audio.MPEG),
    (b"RIFF\0\0\0\0AVI LIST", None), (b"<html>", None), (b"", None), (b"\xff", None)])
def test_sniff_recognises_wav_and_mp3(content, expected):
    assert audio.sniff(content) == expected


def test_the_bytes_decide_the_stored_type_and_markup_is_refused():
    assert audio.stored_type("audio/mpeg", RIFF_WAVE + b"\0" * 32) == audio.WAV
    assert audio.stored_type("audio/wav", ID3) == audio.MPEG
    assert audio.stored_type("audio/x-wav", b"RIFFdata") == audio.WAV  # unknown bytes: declared type
    for markup in (b"<script>alert(1)</script>", b"  \n<svg onload=alert(1)>", b"<?xml version='1.0'?>"):
        with pytest.raises(ValidationFailed):
            audio.stored_type("audio/wav", markup)


@pytest.mark.parametrize("stored, served", [
    ("audio/wav", "audio/wav"), ("audio/x-wav", "audio/wav"), ("audio/mpeg", "audio/mpeg"),
    ("audio/x,text/html", audio.OCTET_STREAM), ("text/html", audio.OCTET_STREAM),
    ("audio/ogg", audio.OCTET_STREAM), ("", audio.OCTET_STREAM), (None, audio.OCTET_STREAM)])
def test_served_type_is_allow_listed_or_octet_stream(stored, served):
    assert audio.served_type(stored) == served


def test_download_headers():
    headers = audio.download_headers("text/html", 'x"; y=<z>.html')
    assert headers == {
        "Content-Type": "application/octet-stream",
        "Content-Disposition": 'attachment; filename="x___y__z_.html.bin"',
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox"}
    assert audio.download_headers("audio/x-wav", "m1")["Content-Disposition"] == 'attachment; filename="m1.wav"'
