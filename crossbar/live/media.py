"""What ``play`` plays: a media document of the account (served to FreeSWITCH
through a signed, expiring URL that needs no auth header), an http(s) URL, or
``tts://text`` (spoken with mod_conference's ``say`` / ``saymember``).

URLs leave here as plain ``http(s)://``: ``fs_commands`` (``play``) hands them to
the switch as ``http_cache://http(s)://...`` (mod_http_cache), the one place that
knows which module fetches them.

``MediaLinks`` signs with its own key (never the auth-token signer's tokens: a
media link must not be usable as an API token).
"""
import base64
import hashlib
import hmac
import re
import time

from crossbar.media.service import MediaService, audio_attachment
from kzcore import fs_commands
from kzcore.errors import NotFound

TTS_PREFIX = "tts://"
URL_SCHEMES = ("http://", "https://", "http_cache://http://", "http_cache://https://")
MEDIA_ID = re.compile(r"[A-Za-z0-9_\-]{1,64}")
TTS_FORBIDDEN = re.compile(r"['\"`{}\[\]\\|^]")
LINK_PATH = "/v2/live_media"


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class MediaLinks:
    """``token = account_id.media_id.expires.signature``: URL-safe, no quotes or spaces."""

    def __init__(self, secret, lifetime=600, clock=time.time):
        self._key = hashlib.sha256(b"kz-live-media:" + (secret.encode() if isinstance(secret, str)
                                                         else secret)).digest()
        self.lifetime, self.clock = int(lifetime), clock

    def _sign(self, text):
        return _b64(hmac.new(self._key, text.encode("ascii"), hashlib.sha256).digest())

    def issue(self, account_id, media_id):
        body = f"{account_id}.{media_id}.{int(self.clock()) + self.lifetime}"
        return f"{body}.{self._sign(body)}"

    def verify(self, token):
        """``(account_id, media_id)``; NotFound for anything forged or expired."""
        parts = (token or "").split(".")
        if len(parts) != 4 or not parts[2].isdigit():
            raise NotFound("media link is not valid")
        body = ".".join(parts[:3])
        if not hmac.compare_digest(parts[3], self._sign(body)) or int(parts[2]) < self.clock():
            raise NotFound("media link is not valid or has expired")
        return parts[0], parts[1]


def media_url(base_url, token, attachment_name):
    return f"{base_url.rstrip('/')}{LINK_PATH}/{token}/{attachment_name}"


def tts_text(media_id):
    text = fs_commands.valid_text(media_id[len(TTS_PREFIX):], "media_id")
    if TTS_FORBIDDEN.search(text):
        raise fs_commands.invalid("media_id", "tts:// text must not contain quotes, braces, "
                                  "brackets, backslashes, '|' or '^'", media_id)
    return text


def classify(media_id):
    """``("tts", text)``, ``("url", url)`` or ``("media", id)``; 400 for anything else."""
    if not isinstance(media_id, str):
        raise fs_commands.invalid("media_id", "must be a string", media_id)
    if media_id.startswith(TTS_PREFIX):
        return "tts", tts_text(media_id)
    if media_id.startswith(URL_SCHEMES):
        return "url", fs_commands.valid_media_path(media_id, "media_id")
    if MEDIA_ID.fullmatch(media_id):
        return "media", media_id
    raise fs_commands.invalid("media_id", "must be a media id, an http(s):// URL or tts://text",
                              media_id)


class MediaSource:
    """Turns a ``media_id`` into the mod_conference action that plays it."""

    def __init__(self, store, links, base_url):
        self.store, self.links, self.base_url = store, links, base_url

    def attachment_of(self, account_id, media_id):
        name = audio_attachment(MediaService(self.store, None).load(account_id, media_id))
        if name is None:
            raise NotFound("media has no audio uploaded", {"cause": media_id})
        return name

    def play_action(self, account_id, media_id, member=None):
        """``(action, args)`` for fs_commands.build: play / say / saymember."""
        kind, value = classify(media_id)
        if kind == "tts":
            return ("say", {"text": value}) if member is None \
                else ("saymember", {"member": member, "text": value})
        args = {"path": self._file(account_id, kind, value)}
        if member is not None:
            args["member"] = member
        return "play", args

    def file_path(self, account_id, media_id):
        """The file the switch opens for a media_id that must be a file (hold music):
        a media document's signed link or a URL; ``tts://`` text is a 400."""
        kind, value = classify(media_id)
        if kind == "tts":
            raise fs_commands.invalid("media_id", "must be a media id or an http(s):// URL",
                                      media_id)
        return self._file(account_id, kind, value)

    def _file(self, account_id, kind, value):
        if kind == "media":
            name = self.attachment_of(account_id, value)
            value = fs_commands.valid_media_path(
                media_url(self.base_url, self.links.issue(account_id, value), name), "media_id")
        return value
