"""ESL wire format for the outbound socket (pure: bytes in, frames out).

A frame is a block of ``Name: value`` lines ended by a blank line, then
``Content-Length`` body bytes when that header is present. The connect reply
is header-only with URL-encoded values; ``text/event-plain`` bodies are
themselves header blocks with URL-encoded values (and may carry a body of
their own); ``text/event-json`` bodies are JSON objects.
"""
import dataclasses
import json
from urllib.parse import unquote


class ProtocolError(Exception):
    """The peer sent something that is not an ESL frame."""


@dataclasses.dataclass
class Frame:
    headers: dict
    body: bytes = b""

    @property
    def content_type(self):
        return self.headers.get("Content-Type", "")


def parse_header_block(text, decode=False):
    """``Name: value`` lines -> dict; ``decode`` URL-decodes the values."""
    headers = {}
    for line in text.split("\n"):
        if not line:
            continue
        name, sep, value = line.partition(": ")
        if not sep:
            name, _, value = line.partition(":")
        headers[name.strip()] = unquote(value) if decode else value
    return headers


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
    headers = parse_header_block("\n".join(lines))
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
    """A ``text/event-plain`` or ``text/event-json`` frame -> flat dict of headers
    (plus ``_body`` when the event carries one), or None for other frames."""
    kind = frame.content_type
    text = frame.body.decode("utf-8", "replace")
    if kind == "text/event-json":
        try:
            data = json.loads(text)
        except ValueError:
            return None
        return {k: v for k, v in data.items()} if isinstance(data, dict) else None
    if kind != "text/event-plain":
        return None
    head, _, rest = text.partition("\n\n")
    event = parse_header_block(head, decode=True)
    if rest and "Content-Length" in event:
        event["_body"] = rest
    return event


def connect_data(frame):
    """The channel data of the reply to ``connect`` (URL-decoded headers)."""
    return {name: unquote(value) for name, value in frame.headers.items()}


def encode_command(line, headers=()):
    """One command: its line, optional ``Name: value`` headers, blank line."""
    parts = [line] + [f"{name}: {value}" for name, value in headers]
    if any("\n" in part or "\r" in part or "\x00" in part for part in parts):
        raise ValueError("a command line or header may not contain line breaks")
    return ("\n".join(parts) + "\n\n").encode("utf-8")
