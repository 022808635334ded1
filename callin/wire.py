"""ESL wire format for the outbound socket: reading frames from a stream, bounded.

Frame splitting, header and event parsing and command encoding are the shared
ones of ``kzcore.esl.frames``; this module only adds blocking reads from the
socket's file object and the connect reply's channel data.

Nothing the peer sends may grow memory without bound or hold a read open
forever: a header line, the number and total size of headers and a body
(``Content-Length``) all have limits, and once a frame has started it must be
complete within ``FrameLimits.frame_seconds``. Over any limit the frame is
refused with ``ProtocolError`` and the session drops the peer.
"""
import dataclasses
import json
from urllib.parse import unquote

import gevent

from kzcore.esl import frames
from kzcore.esl.frames import Frame, encode_command  # noqa: F401 - this module's API

READ_CHUNK = 65536


class ProtocolError(Exception):
    """The peer sent something that is not an ESL frame (or one over the limits)."""


@dataclasses.dataclass(frozen=True)
class FrameLimits:
    # A real connect reply is ~100-300 headers of a few hundred bytes (SIP variables
    # included); events and api bodies are kilobytes, a big room's json_list ~1 MB.
    max_line: int = 64 * 1024
    max_headers: int = 2000
    max_header_bytes: int = 1024 * 1024
    max_body: int = 16 * 1024 * 1024
    frame_seconds: float = None     # None: no deadline (recorded fixtures, tests)


DEFAULT_LIMITS = FrameLimits()


def read_frame(reader, limits=DEFAULT_LIMITS):
    """Read one frame from a binary file-like ``reader`` (``readline``/``read``).

    Returns None on a clean end of stream before any header line. Waiting for a
    frame's first byte is unbounded here (a call may be quiet for hours; every
    command has its own reply timeout); from that byte on, the frame has
    ``limits.frame_seconds`` to arrive whole."""
    if not _frame_starts(reader, limits):
        return None
    with gevent.Timeout(limits.frame_seconds,
                        ProtocolError(f"frame not complete within {limits.frame_seconds}s")):
        first = _first_line(reader, limits)
        if first is None:
            return None
        lines = _header_lines(reader, limits, first)
        headers = frames.parse_headers("\n".join(lines))
        return Frame(headers, _body(reader, headers, limits))


def _line(reader, limits):
    line = reader.readline(limits.max_line + 1)
    if len(line) > limits.max_line:
        raise ProtocolError(f"header line longer than {limits.max_line} bytes")
    return line


def _frame_starts(reader, limits):
    """Wait for a frame's first byte, skipping blank lines; False at end of stream."""
    peek = getattr(reader, "peek", None)
    if peek is None:            # an in-memory reader: nothing to wait for
        return True
    while True:
        data = peek(1)[:1]
        if not data:
            return False
        if data not in (b"\n", b"\r"):
            return True
        _line(reader, limits)


def _first_line(reader, limits):
    while True:
        line = _line(reader, limits)
        if not line:
            return None
        if line not in (b"\n", b"\r\n"):   # stray blank lines between frames
            return line


def _header_lines(reader, limits, line):
    lines, size = [], 0
    while True:
        if not line:
            raise ProtocolError("connection closed inside a frame")
        if line in (b"\n", b"\r\n"):
            return lines
        size += len(line)
        if len(lines) >= limits.max_headers or size > limits.max_header_bytes:
            raise ProtocolError("too many header bytes or lines in one frame")
        lines.append(line.decode("utf-8", "replace").rstrip("\r\n"))
        line = _line(reader, limits)


def _body(reader, headers, limits):
    try:
        wanted = frames.content_length(headers)
    except ValueError as exc:
        raise ProtocolError(str(exc)) from exc
    if wanted > limits.max_body:
        raise ProtocolError(f"Content-Length {wanted} over the limit of {limits.max_body}")
    return _read_exactly(reader, wanted)


def _read_exactly(reader, count):
    chunks, missing = [], count
    while missing > 0:
        chunk = reader.read(min(missing, READ_CHUNK))
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
