"""Stored XSS through media (issue 17, item 3), against crossbar's real HTTP socket.

Before: an upload as ``audio/x,text/html`` was stored and ``/v2/live_media/<token>/<name>``
(no auth) served it with that type, no ``nosniff``, no CSP and an inline disposition:
Chromium ran the uploaded script on the API's origin. Now the upload is refused, and
whatever is stored is served with an allow-listed audio type (else octet-stream),
``nosniff``, ``attachment`` and ``Content-Security-Policy: default-src 'none'; sandbox``.
"""
import base64
import json
import subprocess
import sys

import pytest
import requests

from crossbar.live.media import media_url
from kzcore.naming import account_db
from tests.security.media_support import LINK, TIMEOUT, Client, wav_bytes
from tests.support.stack import stack  # noqa: F401  (fixture)

SCRIPT = b"<script>document.title='pwned'</script>"
DANGEROUS_TYPES = ["audio/x,text/html", "text/html", "audio/wav;x=text/html", "audio/wav, text/html",
                   "audio/wav;x=<script>", "text/html;audio/wav", "image/svg+xml", "audio/ogg"]


def assert_safe_download(reply, content_type, content):
    assert reply.status_code == 200 and reply.content == content
    assert reply.headers["Content-Type"] == content_type
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    policy = [part.strip() for part in reply.headers["Content-Security-Policy"].split(";")]
    assert "default-src 'none'" in policy and "sandbox" in policy
    assert reply.headers["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize("content_type", DANGEROUS_TYPES)
def test_dangerous_content_types_are_refused_and_nothing_is_stored(stack, content_type):
    client = Client(stack)
    media_id = client.create_media()
    reply = client.upload(media_id, SCRIPT, content_type)
    assert reply.status_code == 400, reply.text
    assert reply.json()["data"]["content_type"]["enum"]["value"] == content_type
    assert client.request("GET", f"/media/{media_id}/raw").status_code == 404
    assert "content_type" not in client.request("GET", f"/media/{media_id}").json()["data"]


def test_multipart_uploads_and_markup_sent_as_audio_are_refused(stack):
    client = Client(stack)
    media_id = client.create_media()
    multipart = client.request("POST", f"/media/{media_id}/raw",
                               files={"file": ("x.html", SCRIPT, "audio/x,text/html")})
    assert multipart.status_code == 400, multipart.text
    disguised = client.upload(media_id, SCRIPT, "audio/wav")
    assert disguised.status_code == 400, disguised.text
    assert client.request("GET", f"/media/{media_id}/raw").status_code == 404


def test_the_stored_type_is_normalised_and_comes_from_the_audio(stack):
    client = Client(stack)
    media_id, audio = client.create_media(), wav_bytes()
    assert client.upload(media_id, audio, "audio/x-wav; codecs=1").status_code == 200
    assert client.request("GET", f"/media/{media_id}").json()["data"]["content_type"] == "audio/wav"
    assert client.upload(media_id, audio, "audio/mpeg").status_code == 200  # the bytes are WAV
    assert client.request("GET", f"/media/{media_id}").json()["data"]["content_type"] == "audio/wav"
    assert_safe_download(client.request("GET", f"/media/{media_id}/raw"), "audio/wav", audio)


def test_both_download_paths_carry_the_safety_headers(stack):
    client = Client(stack)
    media_id, audio = client.create_media(), wav_bytes()
    assert client.upload(media_id, audio, "audio/wav").status_code == 200
    conference_id, _ = client.running_room()
    played = client.action(conference_id, "play", {"media_id": media_id})
    assert played.status_code == 202, played.text
    link = LINK.search(played.json()["data"]).group(1)  # the play reply hands the link out
    assert_safe_download(requests.get(link, timeout=TIMEOUT), "audio/wav", audio)  # no auth
    assert_safe_download(client.request("GET", f"/media/{media_id}/raw"), "audio/wav", audio)


def legacy_media(stack, client):
    """A document as uploads stored it before the allow-list: type and attachment name
    straight from the client's ``audio/x,text/html``."""
    media_id = client.create_media()
    db = account_db(stack.account_id)
    doc = stack.store.get(db, media_id)
    doc.update(content_type="audio/x,text/html", content_length=len(SCRIPT), media_source="upload",
               pvt_media_attachment="media.html",
               _attachments={"media.html": {"content_type": "audio/x,text/html",
                                            "data": base64.b64encode(SCRIPT).decode("ascii")}})
    stack.store.save(db, doc)
    live = stack.parts["product"].live
    return media_id, media_url(stack.base_url, live.media.links.issue(stack.account_id, media_id),
                               "media.html")


def test_a_stored_dangerous_type_is_served_as_octet_stream(stack):
    client = Client(stack)
    media_id, link = legacy_media(stack, client)
    for reply in (requests.get(link, timeout=TIMEOUT), client.request("GET", f"/media/{media_id}/raw")):
        assert_safe_download(reply, "application/octet-stream", SCRIPT)
        assert reply.headers["Content-Disposition"].endswith('.bin"')


CHROMIUM_VISIT = """
import json, sys
from playwright.sync_api import Error, sync_playwright
with sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                         args=["--headless", "--no-sandbox", "--disable-gpu"])
    page = browser.new_context(accept_downloads=True).new_page()
    downloads = []
    page.on("download", lambda download: downloads.append(download.suggested_filename))
    try:
        page.goto(sys.argv[1], timeout=5000)
    except Error:
        pass  # navigation aborted: the response became a download
    page.wait_for_timeout(300)
    print(json.dumps({"downloads": downloads, "title": page.title(), "content": page.content()}))
    browser.close()
"""


def test_chromium_does_not_run_a_stored_script(stack):
    """The issue's reproduction: open the live_media link in headless Chromium (in a process
    of its own: the browser tests may hold this process's Playwright). The script must not
    run: the response is downloaded, never rendered on the API's origin."""
    _, link = legacy_media(stack, Client(stack))
    visit = subprocess.run([sys.executable, "-c", CHROMIUM_VISIT, link], capture_output=True,
                           text=True, timeout=60)
    assert visit.returncode == 0, visit.stderr[-2000:]
    seen = json.loads(visit.stdout)
    assert seen["title"] != "pwned" and "pwned" not in seen["content"], seen
    assert [name[-4:] for name in seen["downloads"]] == [".bin"], seen
