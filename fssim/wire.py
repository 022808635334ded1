"""ESL wire encoding, server side, pure: reply frames, event serialisation, URL-encoding.

Formats follow the recorded FreeSWITCH traffic in ``fixtures/freeswitch``: bare ``\\n``
line ends, ``Content-Length`` counting body bytes, plain events with URL-encoded values
and an inner ``Content-Length`` when the event has a body, JSON events as one compact
object that keeps duplicate header names and puts the body under ``_body``.
"""
import functools
import json
import re

DISCONNECT_TEXT = "Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n"

# switch_url_encode(): characters FreeSWITCH escapes in plain event values.
_URL_UNSAFE = "\r\n \"#%&+:;<=>?@[\\]^`{|}" + "".join(map(chr, range(32))) + chr(127)
_URL_TABLE = str.maketrans({char: "%%%02X" % ord(char) for char in _URL_UNSAFE})


def url_encode(value):
    if value.isascii():
        return value.translate(_URL_TABLE)
    return "".join(char.translate(_URL_TABLE) if char.isascii() else
                   "".join("%%%02X" % byte for byte in char.encode("utf-8"))
                   for char in value)


def frame(headers, body=b""):
    """Header pairs (+ body bytes) -> one frame; Content-Length is the caller's job."""
    head = "".join(f"{name}: {value}\n" for name, value in headers)
    return head.encode("utf-8") + b"\n" + body


def auth_request():
    return frame([("Content-Type", "auth/request")])


def command_reply(text, extra=()):
    return frame([("Content-Type", "command/reply"), ("Reply-Text", text), *extra])


def api_response(body):
    data = body.encode("utf-8") if isinstance(body, str) else body
    return frame([("Content-Type", "api/response"), ("Content-Length", str(len(data)))], data)


def disconnect_notice(extra=()):
    data = DISCONNECT_TEXT.encode("utf-8")
    return frame([("Content-Type", "text/disconnect-notice"), *extra,
                  ("Content-Length", str(len(data)))], data)


def _plain_value(value):
    if isinstance(value, (list, tuple)):
        value = "ARRAY::" + "|:".join(value)
    return url_encode(str(value))


@functools.lru_cache(maxsize=131072)
def _plain_line(pair):
    """Most header lines repeat from event to event (the channel block): cache them."""
    name, value = pair
    return f"{name}: {_plain_value(value)}\n"


@functools.lru_cache(maxsize=131072)
def _json_item(pair):
    name, value = pair
    if isinstance(value, (list, tuple)):
        value = list(value)
    elif not isinstance(value, str):
        value = str(value)
    return _dumps(name) + ":" + _dumps(value)


def _hashable(headers):
    return [(n, tuple(v)) if isinstance(v, list) else (n, v) for n, v in headers]


def event_plain_text(headers, body=None):
    """Headers (+ body) of one event -> the text of a text/event-plain frame body."""
    try:
        lines = list(map(_plain_line, headers))
    except TypeError:  # a list value (unhashable): use tuples
        lines = list(map(_plain_line, _hashable(headers)))
    if body is not None:
        data = body.encode("utf-8")
        lines.append(f"Content-Length: {len(data)}\n\n")
        return "".join(lines) + body
    return "".join(lines) + "\n"


def event_json_text(headers, body=None):
    """Headers (+ body) -> cJSON's compact object text; duplicate names are kept."""
    pairs = _hashable(headers)
    items = list(map(_json_item, pairs))
    if body is not None:
        items.append(_json_item(("Content-Length", str(len(body.encode("utf-8"))))))
        items.append(_dumps("_body") + ":" + _dumps(body))
    return "{" + ",".join(items) + "}"


# what json.dumps(ensure_ascii=False) escapes in a string (cJSON escapes the same)
_JSON_ESCAPED = re.compile(r'["\\\x00-\x1f]')


def _dumps(value):
    if isinstance(value, str) and not _JSON_ESCAPED.search(value):
        return '"' + value + '"'       # the common case, without json.dumps' set-up per call
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# id(tail) -> (tail, {fmt: text}); the tail itself is kept so that its id is not reused
_TAIL_TEXTS = {}
_TAIL_TEXTS_MAX = 4096


def _tail_text(tail, fmt):
    entry = _TAIL_TEXTS.get(id(tail))
    if entry is None or entry[0] is not tail:
        if len(_TAIL_TEXTS) >= _TAIL_TEXTS_MAX:
            _TAIL_TEXTS.clear()
        entry = _TAIL_TEXTS[id(tail)] = (tail, {})
    texts = entry[1]
    if fmt not in texts:
        if fmt == "json":
            texts[fmt] = ",".join(map(_json_item, _hashable(tail)))
        else:
            texts[fmt] = "".join(map(_plain_line, _hashable(tail)))
    return texts[fmt]


def event_frame_with_tail(head, tail, fmt="plain"):
    """Same bytes as ``event_frame(head + list(tail))`` (no body); the tail's text is
    cached by identity, for events that repeat one member block (talk bursts)."""
    if fmt == "json":
        text = "{" + ",".join(map(_json_item, _hashable(head))) + "," + _tail_text(tail, fmt) + "}"
        content_type = "text/event-json"
    else:
        text = "".join(map(_plain_line, _hashable(head))) + _tail_text(tail, fmt) + "\n"
        content_type = "text/event-plain"
    data = text.encode("utf-8")
    return frame([("Content-Length", str(len(data))), ("Content-Type", content_type)], data)


def event_frame(headers, body=None, fmt="plain"):
    if fmt == "json":
        data = event_json_text(headers, body).encode("utf-8")
        content_type = "text/event-json"
    else:
        data = event_plain_text(headers, body).encode("utf-8")
        content_type = "text/event-plain"
    return frame([("Content-Length", str(len(data))), ("Content-Type", content_type)], data)


class CommandReader:
    """Splits the bytes a client sends into command blocks:
    (command line, [(header, value)...], body)."""

    def __init__(self):
        self._buffer = bytearray()

    def feed(self, data):
        """Bytes in -> complete blocks out; CRLF line ends are accepted too."""
        self._buffer.extend(data.replace(b"\r\n", b"\n"))
        blocks = []
        while True:
            block = self._next()
            if block is None:
                return blocks
            blocks.append(block)

    def _next(self):
        while self._buffer[:1] in (b"\n", b"\r"):
            del self._buffer[:1]
        end = self._buffer.find(b"\n\n")
        if end < 0:
            return None
        lines = bytes(self._buffer[:end]).decode("utf-8", "replace").split("\n")
        headers = []
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
        length = dict(headers).get("Content-Length", "0")
        length = int(length) if length.isdigit() else 0
        if len(self._buffer) < end + 2 + length:
            return None
        body = bytes(self._buffer[end + 2:end + 2 + length])
        del self._buffer[:end + 2 + length]
        return lines[0].rstrip("\r"), headers, body
