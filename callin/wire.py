"""ESL wire format for the outbound socket: reading frames from a stream.

Frame splitting, header and event parsing and command encoding are the shared
ones of ``kzcore.esl.frames``; this module only adds blocking reads from the
socket's file object and the connect reply's channel data.
"""
import json
from urllib.parse import unquote

from kzcore.esl import frames
from kzcore.esl.frames import Frame, encode_command  # noqa: F401 - this module's API


class ProtocolError(Exception):
    """The peer sent something that is not an ESL frame."""


def read_frame(reader):
    """Read one frame from a binary file-like ``reader`` (``readline``/``read``).

    Returns None on a clean end of stream before any header line."""
    lines = []
    while True:
        line = reader.readline()
        if not line:
            if lines:
                raise ProtocolError("connection closed inside a frame")
            return None
        if line in (b"\n", b"\r\n"):
            if lines:
                break
            continue  # stray blank line between frames
        lines.append(line.decode("utf-8", "replace").rstrip("\r\n"))
    headers = frames.parse_headers("\n".join(lines))
    length = headers.get("Content-Length")
    body = b""
    if length:
        try:
            wanted = int(length)
        except ValueError as exc:
            raise ProtocolError(f"bad Content-Length {length!r}") from exc
        body = _read_exactly(reader, wanted)
    return Frame(headers, body)


def _read_exactly(reader, count):
    chunks, missing = [], count
    while missing > 0:
        chunk = reader.read(missing)
        if not chunk:
            raise ProtocolError("connection closed inside a frame body")
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


def parse_event(frame):
    """An event frame -> flat dict of headers (``_body`` when it carries one), or
    None for other frames and for JSON events that do not parse."""
    try:
        return frames.parse_event(frame)
    except (ValueError, json.JSONDecodeError):
        return None


def connect_data(frame):
    """The channel data of the reply to ``connect`` (URL-decoded headers)."""
    return {name: unquote(value) for name, value in frame.headers.items()}
