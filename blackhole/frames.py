"""RFC 6455 framing (pure apart from the ``read`` callable it is given).

Server frames are never masked, so one encoded event frame can be written
unchanged to every subscriber: the fan-out encodes once per distinct message.
"""
import struct

TEXT, BINARY, CONTINUATION, CLOSE, PING, PONG = 0x1, 0x2, 0x0, 0x8, 0x9, 0xA
CONTROL_OPCODES = (CLOSE, PING, PONG)
DATA_OPCODES = (CONTINUATION, TEXT, BINARY)     # 0x3-0x7 and 0xB-0xF are reserved


class FrameError(Exception):
    """The peer broke the framing rules; ``code`` is the close code to send."""

    def __init__(self, message, code=1002):
        super().__init__(message)
        self.code = code


def encode(opcode, payload=b""):
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", 0x80 | opcode, length)
    elif length < 1 << 16:
        header = struct.pack("!BBH", 0x80 | opcode, 126, length)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 127, length)
    return header + payload


def text(message):
    return encode(TEXT, message.encode("utf-8"))


def ping(payload=b""):
    return encode(PING, payload)


def pong(payload=b""):
    return encode(PONG, payload[:125])


def close(code=1000, reason=""):
    return encode(CLOSE, struct.pack("!H", code) + reason.encode("utf-8")[:120])


def read_frame(read, max_size):
    """Read one frame with ``read(n) -> bytes``: ``(fin, opcode, payload)``.

    Raises EOFError when the peer went away, FrameError on a protocol breach
    (reserved bits or opcode, fragmented control frame, unmasked client frame,
    oversized payload): RFC 6455 section 5.2 says fail the connection."""
    head = _read_exactly(read, 2)
    first, second = head[0], head[1]
    if first & 0x70:
        raise FrameError("reserved bits set")
    fin, opcode = bool(first & 0x80), first & 0x0F
    if opcode not in DATA_OPCODES and opcode not in CONTROL_OPCODES:
        raise FrameError(f"reserved opcode {opcode:#x}")
    if opcode in CONTROL_OPCODES and not fin:
        raise FrameError("fragmented control frame")
    masked, length = bool(second & 0x80), second & 0x7F
    if length == 126:
        length = struct.unpack("!H", _read_exactly(read, 2))[0]
    elif length == 127:
        length = struct.unpack("!Q", _read_exactly(read, 8))[0]
    if not masked:
        raise FrameError("client frames must be masked")
    if length > max_size or (opcode in CONTROL_OPCODES and length > 125):
        raise FrameError(f"frame of {length} bytes is too large", code=1009)
    mask = _read_exactly(read, 4)
    payload = _unmask(_read_exactly(read, length), mask) if length else b""
    return fin, opcode, payload


def _unmask(data, mask):
    # XOR through big integers: fast enough for control-sized client frames.
    repeated = (mask * (len(data) // 4 + 1))[: len(data)]
    value = int.from_bytes(data, "big") ^ int.from_bytes(repeated, "big")
    return value.to_bytes(len(data), "big")


def _read_exactly(read, count):
    chunks, missing = [], count
    while missing:
        chunk = read(missing)
        if not chunk:
            raise EOFError("peer closed the connection")
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)
