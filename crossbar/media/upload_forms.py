"""The three forms Kazoo's crossbar takes for ``POST|PUT /media/{id}/raw``
(cb_media, api_util), each down to ``(bytes, declared type or None)``:

- a raw body: the audio itself, its type in ``Content-Type``;
- ``Content-Type: application/x-base64``: a data URI, ``data:audio/mpeg;base64,<data>``
  (what Monster UI sends), or bare base64 (no declared type: the bytes must say);
- ``multipart/form-data`` with exactly one file part: its bytes, its part's
  Content-Type (else a ``content_type`` form field).

Whatever the form, the same audio rules apply afterwards (crossbar.media.audio:
allow-listed type, no markup, the bytes decide the stored type).
"""
import base64
import binascii
import re

from kzcore.errors import BadRequest, ValidationFailed

BASE64_TYPE = "application/x-base64"
MULTIPART = "multipart/form-data"
_DATA_URI = re.compile(r"data:([^,;]*)((?:;[^,;]*)*),(.*)", re.S)
_SPACE = re.compile(rb"\s+")


def _not_base64(why):
    return ValidationFailed(data={"body": {"invalid": {"message": why}}})


def data_uri(body):
    """``(bytes, declared type or None)`` of an ``application/x-base64`` body."""
    text = bytes(body).strip()
    declared = None
    if text[:5].lower() == b"data:":
        match = _DATA_URI.fullmatch(text.decode("ascii", "replace"))
        if match is None or not match.group(2).lower().endswith(";base64"):
            raise _not_base64("a data URI must read data:<type>;base64,<data>")
        declared = match.group(1).strip() or None
        text = match.group(3).encode("ascii", "replace")
    try:
        content = base64.b64decode(_SPACE.sub(b"", text), validate=True)
    except (binascii.Error, ValueError):
        raise _not_base64("the body is not base64") from None
    return content, declared


def multipart_file(files, form):
    """``(bytes, declared type)`` of the one file part of a multipart form."""
    parts = [upload for _, upload in files.items(multi=True)]
    if len(parts) != 1:
        raise BadRequest("a multipart media upload carries exactly one file part "
                         f"({len(parts)} sent)")
    upload = parts[0]
    return upload.read(), upload.content_type or form.get("content_type", "")


def uploaded(request):
    """``(bytes, declared type or None)`` from a Flask request in any of the three forms."""
    if request.mimetype == MULTIPART:
        return multipart_file(request.files, request.form)
    if request.mimetype == BASE64_TYPE:
        return data_uri(request.get_data(cache=False))
    return request.get_data(cache=False), request.headers.get("Content-Type", "")
