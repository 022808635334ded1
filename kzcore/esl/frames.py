"""ESL wire format, pure: frame splitting, header and event parsing, command encoding.

A frame is a block of ``Name: value`` lines ended by an empty line (bare ``\\n``
line ends), followed by exactly ``Content-Length`` body bytes when that header is
present. Event bodies (``text/event-plain``) are themselves a header block with
URL-encoded values, optionally followed by the event's own body, whose length is
given by the event's inner ``Content-Length``.
"""
import dataclasses
import functools
import json
from urllib.parse import unquote

import orjson

HEADER_END = b"\n\n"
# Event header values repeat from event to event (names, ids, states, codecs): decoding
# each distinct value once makes parsing an event ~40% cheaper (ecallmgr's hot path).
_unquote = functools.lru_cache(maxsize=16384)(unquote)
ARRAY_PREFIX = "ARRAY::"
ARRAY_SEPARATOR = "|:"


@dataclasses.dataclass(slots=True)
class Frame:
    headers: dict
    body: bytes = b""

    @property
    def content_type(self):
        return self.headers.get("Content-Type", "")

    def text(self):
        return self.body.decode("utf-8", errors="replace")


class FrameParser:
    """Incremental splitter: ``feed(bytes)`` returns the frames completed so far.

    Scans by offset and trims once per ``feed`` (not once per frame): a 64 KiB read
    holding dozens of events is not copied dozens of times. While a large body is
    still arriving (a big ``json_list``), chunks are only collected, and joined once
    when the body is complete, so the cost stays linear in the body's size."""

    def __init__(self):
        self._chunks = []       # received bytes not yet consumed, in order
        self._size = 0
        self._pending = None    # headers of a frame still waiting for its body
        self._needed = 0        # bytes of that body, counted from the first chunk

    @property
    def buffered(self):
        """Bytes received but not yet part of a complete frame."""
        return self._size

    @property
    def idle(self):
        return not self._size and self._pending is None

    def feed(self, data):
        if data:
            self._chunks.append(bytes(data))
            self._size += len(data)
        if self._pending is not None and self._size < self._needed:
            return []
        buffer = self._chunks[0] if len(self._chunks) == 1 else b"".join(self._chunks)
        frames, offset, size, pending = [], 0, len(buffer), self._pending
        while True:
            if pending is None:
                while offset < size and buffer[offset] == 10:   # stray blank lines between frames
                    offset += 1
                end = buffer.find(HEADER_END, offset)
                if end < 0:
                    break
                pending = parse_headers(buffer[offset:end])
                offset = end + 2
            length = content_length(pending)
            if size - offset < length:
                break
            frames.append(Frame(pending, buffer[offset:offset + length]))
            offset += length
            pending = None
        rest = buffer[offset:] if offset else buffer
        self._chunks = [rest] if rest else []
        self._size = len(rest)
        self._pending = pending
        self._needed = content_length(pending) if pending is not None else 0
        return frames


def content_length(headers):
    value = headers.get("Content-Length", "0").strip() or "0"
    try:
        length = int(value)
    except ValueError:
        raise ValueError(f"bad Content-Length {value!r}") from None
    if length < 0:
        raise ValueError(f"bad Content-Length {value!r}")
    return length


def _text(data):
    if isinstance(data, (bytes, bytearray)):
        return bytes(data).decode("utf-8", errors="replace")
    return data


def parse_headers(block, decode=False):
    """``Name: value`` lines -> dict (values URL-decoded when ``decode``). Hot path for events."""
    text = _text(block)
    text = text.strip("\n")
    lines = text.split("\n") if text else []
    try:
        headers = dict([line.split(": ", 1) for line in lines])
    except ValueError:  # a line without ": " (a bare name, "Name:value")
        headers = {}
        for line in filter(None, lines):
            name, sep, value = line.partition(": ")
            if not sep:
                name, _, value = line.partition(":")
            headers[name.strip()] = value
    if decode and "%" in text:
        for name, value in headers.items():
            if "%" in value:
                headers[name] = _unquote(value)
    return headers


def parse_event_plain(body):
    """Body of a ``text/event-plain`` frame -> dict of URL-decoded headers (``ARRAY::a|:b``
    values as lists), plus ``_body`` (str) when the event carries a body of its own: the
    same dict ``event json`` gives for the same event."""
    data = body if isinstance(body, (bytes, bytearray)) else body.encode("utf-8")
    end = data.find(HEADER_END)
    block, rest = (data, b"") if end < 0 else (data[:end], data[end + len(HEADER_END):])
    event = parse_headers(block, decode=True)
    if b"ARRAY%3A%3A" in block or b"ARRAY::" in block:
        for name, value in event.items():
            if value.startswith(ARRAY_PREFIX):  # FreeSWITCH's array variables; JSON gives lists
                event[name] = value[len(ARRAY_PREFIX):].split(ARRAY_SEPARATOR)
    if "Content-Length" in event:
        event["_body"] = _text(rest[:content_length(event)])
    return event


def parse_event_json(body):
    """Body of a ``text/event-json`` frame -> dict (same shape as plain). orjson
    parses an event ~5x faster than URL-decoding the same event in plain form,
    which is why ecallmgr subscribes in json."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:      # not UTF-8 clean: decode leniently, as plain does
        return json.loads(_text(body))


def parse_event(frame):
    """An event frame -> dict, or None when the frame is not an event."""
    if frame.content_type == "text/event-plain":
        return parse_event_plain(frame.body)
    if frame.content_type == "text/event-json":
        return parse_event_json(frame.body)
    return None


def encode_command(line, headers=None):
    """One ESL command (``api ...``, ``sendmsg``) with optional headers (a mapping
    or ``(name, value)`` pairs, order kept) -> bytes."""
    parts = [line]
    pairs = headers.items() if hasattr(headers, "items") else (headers or ())
    for name, value in pairs:
        parts.append(f"{name}: {value}")
    for part in parts:
        if "\n" in part or "\r" in part or "\0" in part:
            raise ValueError(f"ESL command line contains a line break or NUL: {part!r}")
    return ("\n".join(parts) + "\n\n").encode("utf-8")


def api_command(command):
    return encode_command(f"api {command}")


def bgapi_command(command, job_uuid):
    return encode_command(f"bgapi {command}", {"Job-UUID": job_uuid})


def auth_command(password):
    return encode_command(f"auth {password}")


def event_command(events, fmt="plain"):
    return encode_command(f"event {fmt} {' '.join(events)}")
