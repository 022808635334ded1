"""Which audio a media document may hold, and how it is served (PURE).

Uploads are limited to what the shipped switch plays: WAV (mod_sndfile) and MP3
(mod_shout), the format module FreeSWITCH picks from the file's extension, which
mod_http_cache takes from the URL (``.../media.wav``, ``.../media.mp3``).

The upload's Content-Type is parsed strictly (RFC 9110 ``type/subtype`` tokens,
``;name=value`` parameters with token or quoted values) and must match the allow-list
exactly, so ``audio/x,text/html`` or ``audio/wav;x=text/html`` are refused. The stored
type is the normalised one, and the bytes decide it when they are recognisable
(``RIFF....WAVE`` or an ID3 tag / MPEG frame sync); markup is refused outright.

Serving never trusts what is stored: a type outside the allow-list (a document stored
before these checks) is served as ``application/octet-stream``, always with
``nosniff``, an attachment disposition and a CSP that lets nothing run.
"""
import re

from kzcore.errors import ValidationFailed

WAV, MPEG = "audio/wav", "audio/mpeg"
OCTET_STREAM = "application/octet-stream"
ACCEPTED = {  # what clients send -> the one type stored and served
    "audio/wav": WAV, "audio/x-wav": WAV, "audio/wave": WAV, "audio/vnd.wave": WAV,
    "audio/mpeg": MPEG, "audio/mp3": MPEG, "audio/mpeg3": MPEG, "audio/x-mpeg": MPEG,
    "audio/x-mp3": MPEG,
}
EXTENSIONS = {WAV: ".wav", MPEG: ".mp3"}
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}

_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_MEDIA_TYPE = re.compile(rf"({_TOKEN})/({_TOKEN})")
_PARAMETER = re.compile(rf"\s*{_TOKEN}=(?:{_TOKEN}|\"(?:[^\"\\\x00-\x1f\x7f]|\\[^\x00-\x1f\x7f])*\")\s*")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


def media_type(header):
    """``type/subtype`` in lower case, or None when ``header`` is not one well-formed
    media type with well-formed parameters."""
    if not isinstance(header, str):
        return None
    main, *params = header.split(";")
    if not _MEDIA_TYPE.fullmatch(main.strip()) or not all(_PARAMETER.fullmatch(p) for p in params):
        return None
    return main.strip().lower()


def _refused(content_type, why):
    allowed = sorted(ACCEPTED)
    return ValidationFailed(data={"content_type": {"enum": {
        "message": why, "target": allowed, "value": str(content_type)[:200]}}})


def accepted_type(content_type):
    """The normalised type of an upload's Content-Type; ValidationFailed (400) otherwise."""
    parsed = media_type(content_type)
    if parsed not in ACCEPTED:
        raise _refused(content_type, "Content-Type must be one of the audio types the switch "
                                     "plays (WAV or MP3)")
    return ACCEPTED[parsed]


def sniff(content):
    """WAV or MPEG when the first bytes say so, else None."""
    head = bytes(content[:12])
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return WAV
    if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return MPEG
    return None


def stored_type(content_type, content):
    """The type to store for ``content`` uploaded as ``content_type``: the audio's own
    type when recognisable, else the declared (allow-listed) one; markup is refused."""
    declared = accepted_type(content_type)
    if bytes(content[:64]).lstrip()[:1] == b"<":
        raise _refused(content_type, "the upload is markup, not audio")
    return sniff(content) or declared


def upload_type(declared, content):
    """``stored_type`` for an upload in any of Kazoo's forms (crossbar.media.upload_forms):
    ``declared`` None (bare base64 names no type) leaves it to the bytes alone."""
    if declared is not None:
        return stored_type(declared, content)
    if bytes(content[:64]).lstrip()[:1] == b"<":
        raise _refused("", "the upload is markup, not audio")
    found = sniff(content)
    if found is None:
        raise _refused("", "the upload names no type and its bytes are neither WAV nor MP3")
    return found


def served_type(stored):
    """What a stored attachment is served as: an allow-listed audio type or octet-stream."""
    return ACCEPTED.get(media_type(stored), OCTET_STREAM)


def file_name(stem, stored):
    """A download name that cannot break the header: safe characters, the served type's
    extension (``.bin`` for anything not allow-listed)."""
    return _UNSAFE_NAME.sub("_", stem)[:100] + EXTENSIONS.get(served_type(stored), ".bin")


def download_headers(stored, stem, disposition="attachment"):
    """Every header an audio download carries (the API's ``raw`` and ``live_media``)."""
    return {"Content-Type": served_type(stored),
            "Content-Disposition": f'{disposition}; filename="{file_name(stem, stored)}"',
            **SECURITY_HEADERS}
