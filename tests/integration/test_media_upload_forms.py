"""Kazoo's three media upload forms (cb_media / api_util) through the API: a raw
audio body, ``application/x-base64`` with a data URI (what Monster UI sends) or bare
base64, and ``multipart/form-data`` with one file part. Each is held to the same
audio rules, the stored type comes from the bytes, and every accepted upload comes
back byte for byte; anything that is not audio is a 400 and stores nothing."""
import base64
import io

import pytest

from tests.security.media_support import wav_bytes

pytestmark = pytest.mark.both_stores   # embedded and CouchDB-API (tests.support.api)

MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + bytes(range(256)) * 4


def media(api):
    base = f"/v2/accounts/{api.root.account_id}/media"
    created = api.call("PUT", base, {"name": "greeting"}, token=api.root.token)
    assert created.status_code == 201, created.get_json()
    return f"{base}/{created.get_json()['data']['id']}"


def upload(api, url, method="POST", **kwargs):
    return api.client.open(f"{url}/raw", method=method,
                           headers={"X-Auth-Token": api.root.token}, **kwargs)


def stored(api, url):
    """(downloaded bytes, served type, the document's content_type)."""
    raw = api.client.get(f"{url}/raw", headers={"X-Auth-Token": api.root.token})
    doc = api.call("GET", url, token=api.root.token).get_json()["data"]
    return raw.get_data(), raw.mimetype, doc.get("content_type")


def test_the_three_forms_come_back_byte_identical(api):
    wav = wav_bytes(0.3)
    url = media(api)
    assert upload(api, url, "PUT", data=wav, content_type="audio/x-wav").status_code == 200
    assert stored(api, url) == (wav, "audio/wav", "audio/wav")

    monster = f"data:audio/mpeg;base64,{base64.b64encode(MP3).decode()}"
    reply = upload(api, url, data=monster, content_type="application/x-base64")
    assert reply.status_code == 200, reply.get_json()
    assert reply.get_json()["data"]["content_length"] == len(MP3)
    assert stored(api, url) == (MP3, "audio/mpeg", "audio/mpeg")

    form = {"file": (io.BytesIO(wav), "hello.wav", "audio/wav")}
    reply = upload(api, url, data=form, content_type="multipart/form-data")
    assert reply.status_code == 200, reply.get_json()
    assert stored(api, url) == (wav, "audio/wav", "audio/wav")


def test_the_stored_type_comes_from_the_audio_in_every_form(api):
    wav, url = wav_bytes(0.2), media(api)
    declared_mp3 = f"data:audio/mpeg;base64,{base64.b64encode(wav).decode()}"
    assert upload(api, url, data=declared_mp3, content_type="application/x-base64").status_code \
        == 200
    assert stored(api, url) == (wav, "audio/wav", "audio/wav")
    bare = base64.encodebytes(MP3)            # no declared type, line-wrapped: the bytes say
    assert upload(api, url, data=bare, content_type="application/x-base64").status_code == 200
    assert stored(api, url) == (MP3, "audio/mpeg", "audio/mpeg")
    form = {"file": (io.BytesIO(MP3), "x.wav", "audio/wav")}
    assert upload(api, url, data=form, content_type="multipart/form-data").status_code == 200
    assert stored(api, url)[1:] == ("audio/mpeg", "audio/mpeg")


@pytest.mark.parametrize("body", [
    f"data:text/html;base64,{base64.b64encode(b'<b>hi</b>').decode()}",      # not an audio type
    f"data:audio/wav;base64,{base64.b64encode(b'<script>x()</script>').decode()}",  # markup
    base64.b64encode(b"%PDF-1.4 not audio at all").decode(),   # no type, and not WAV or MP3
    base64.b64encode(b"  <svg onload=x()>").decode(),          # markup without a type
    "data:audio/wav;base64,***not base64***",
    f"data:audio/wav,{base64.b64encode(wav_bytes(0.1)).decode()}",   # no ;base64
    "data:audio/wav;base64",
], ids=["html-type", "markup", "pdf", "svg", "garbage", "not-marked-base64", "no-comma"])
def test_a_base64_body_that_is_not_audio_is_refused_and_nothing_stored(api, body):
    url = media(api)
    reply = upload(api, url, data=body, content_type="application/x-base64")
    assert reply.status_code == 400, reply.get_json()
    assert reply.get_json()["status"] == "error"
    assert api.client.get(f"{url}/raw", headers={"X-Auth-Token": api.root.token}).status_code \
        == 404


def test_a_multipart_upload_carries_exactly_one_file(api):
    url, wav = media(api), wav_bytes(0.1)
    two = {"a": (io.BytesIO(wav), "a.wav", "audio/wav"), "b": (io.BytesIO(wav), "b.wav",
                                                                  "audio/wav")}
    for form in (two, {"content_type": "audio/wav"}):
        reply = upload(api, url, data=form, content_type="multipart/form-data")
        assert reply.status_code == 400, reply.get_json()
    hidden = {"file": (io.BytesIO(b"<html><script>x()</script>"), "x.wav", "audio/wav")}
    assert upload(api, url, data=hidden, content_type="multipart/form-data").status_code == 400
    assert api.client.get(f"{url}/raw", headers={"X-Auth-Token": api.root.token}).status_code \
        == 404
