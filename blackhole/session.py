"""One websocket connection: its reader greenlet, its outbox and its socket writes.

- The reader (the WSGI handler's greenlet) parses frames and hands complete
  text messages to ``on_text``, which returns the reply. Bad messages get error
  replies; the socket stays usable.
- Writes never block anyone: the gateway's ``Pump`` calls ``flush`` which does
  one non-blocking ``send`` of what is pending. A client that stops reading keeps
  a remainder pending; meanwhile its outbox drops the oldest events and later
  tells it how many. A remainder stuck for ``write_timeout`` closes the socket.
- ``keepalive`` (also called by the pump) pings every ``ping_interval`` and
  closes the socket when nothing, not even a pong, arrived for ``idle_timeout``.
"""
import dataclasses
import itertools
import logging
import socket
import time

from blackhole import frames
from blackhole.outbox import Outbox
from blackhole.protocol import encode_error

log = logging.getLogger(__name__)
_ids = itertools.count(1)


@dataclasses.dataclass(frozen=True)
class SessionOptions:
    max_events: int = 1000          # per-session event queue bound
    ping_interval: float = 20.0
    idle_timeout: float = 60.0
    write_timeout: float = 30.0
    max_message: int = 64 * 1024
    # Kernel send buffer per socket (SO_SNDBUF); None keeps the OS autotuning.
    # Small values make a stalled client overflow its (counted) outbox sooner
    # instead of parking megabytes in the kernel.
    send_buffer: int | None = None
    write_interval: float = 0.005   # under load, one round of socket writes per interval (pump)


class Session:
    def __init__(self, sock, read, on_text, on_close, notify, options=SessionOptions(),
                 peer=None):
        self.id = next(_ids)
        self.peer = peer
        self.subscriptions = {}     # binding -> account_id (maintained by the command handler)
        self.outbox = Outbox(options.max_events)
        self._notify = notify
        self.closed = False
        self.close_reason = None
        self._sock = sock
        self._read = read
        self._on_text = on_text
        self._on_close = on_close
        self._options = options
        self._last_seen = self._last_ping = time.monotonic()
        self._pending = memoryview(b"")
        self._stalled_since = None

    # --- called by the fan-out and the command handler ---------------------
    def deliver(self, frame):
        if not self.closed:
            self.outbox.push_event(frame)
            self._notify(self)

    def send_text(self, message):
        if not self.closed:
            self._push_control(frames.text(message))

    def _push_control(self, frame):
        self.outbox.push_control(frame)
        self._notify(self)

    # --- called by the pump --------------------------------------------------
    def flush(self, now):
        """One non-blocking write of what is pending; True if work remains."""
        if self.closed:
            return False
        if self._pending:
            return self._flush_remainder(now)
        # the usual case, once per socket per round (hundreds per round): a fresh
        # batch written whole, without a memoryview or a slice
        batch = self.outbox.take()
        if not batch:
            return False
        try:
            sent = self._sock.send(batch, 0, timeout=0.0)
        except BlockingIOError:
            sent = 0
        except OSError:
            self.close(1006, "write failed")
            return False
        if sent == len(batch):
            self._stalled_since = None
            return self.outbox.has_more()
        self._pending = memoryview(batch)[sent:]
        if sent or self._stalled_since is None:
            self._stalled_since = now
        return True

    def _flush_remainder(self, now):
        """Write (more of) what an earlier write left; the client may have stopped reading."""
        self.outbox.trim()      # the bound holds for a socket that is not writable too
        try:
            sent = self._sock.send(self._pending, 0, timeout=0.0)
        except BlockingIOError:
            sent = 0
        except OSError:
            self.close(1006, "write failed")
            return False
        self._pending = self._pending[sent:]
        if not self._pending:
            self._stalled_since = None
            return self.outbox.has_more()
        if sent or self._stalled_since is None:
            self._stalled_since = now
        elif now - self._stalled_since > self._options.write_timeout:
            self.close(1008, "write timeout: client not reading")
            return False
        return True

    def keepalive(self, now):
        if self.closed:
            return
        if now - self._last_seen > self._options.idle_timeout:
            self.close(1001, "idle timeout")
        elif now - self._last_ping >= self._options.ping_interval:
            self._last_ping = now
            self._push_control(frames.ping(b"kz"))

    # --- lifecycle -----------------------------------------------------------
    def run(self):
        """Read until the peer leaves or the session is closed (blocks)."""
        log.info("websocket session opened", extra={"session": self.id, "peer": self.peer})
        try:
            self._read_loop()
        except frames.FrameError as exc:
            self.close(exc.code, str(exc))
        except (EOFError, OSError):
            self.close(1006, "peer went away")
        finally:
            self.close(1000, "done")

    def close(self, code=1000, reason=""):
        """Never blocks: a goodbye frame only if it fits now, then the socket goes."""
        if self.closed:
            return
        self.closed = True
        self.close_reason = reason
        if not self._pending and code != 1006:
            try:
                self._sock.send(frames.close(code, reason), 0, timeout=0.0)
            except OSError:
                pass
        for step in (lambda: self._sock.shutdown(socket.SHUT_RDWR), self._sock.close):
            try:
                step()
            except OSError:
                pass
        try:
            self._on_close(self)
        finally:
            log.info("websocket session closed",
                     extra={"session": self.id, "peer": self.peer, "code": code, "reason": reason,
                            "dropped": self.outbox.total_dropped})

    # --- reading -------------------------------------------------------------
    def _read_loop(self):
        message, opcode = [], None
        while not self.closed:
            fin, frame_opcode, payload = frames.read_frame(self._read, self._options.max_message)
            self._last_seen = time.monotonic()
            if frame_opcode in frames.CONTROL_OPCODES:
                if self._on_control(frame_opcode, payload):
                    return
                continue
            if frame_opcode != frames.CONTINUATION:
                message, opcode = [], frame_opcode
            elif opcode is None:
                raise frames.FrameError("continuation frame without a message")
            message.append(payload)
            if sum(map(len, message)) > self._options.max_message:
                raise frames.FrameError("message too large", code=1009)
            if fin:
                self._on_message(opcode, b"".join(message))
                message, opcode = [], None

    def _on_control(self, opcode, payload):
        """Answer pings; True when the peer asked to close."""
        if opcode == frames.PING:
            self._push_control(frames.pong(payload))
        elif opcode == frames.CLOSE:
            self.close(1000, "closed by peer")
            return True
        return False

    def _on_message(self, opcode, payload):
        if opcode != frames.TEXT:
            self.send_text(encode_error(None, "binary messages are not supported; send JSON text"))
            return
        try:
            text = payload.decode("utf-8")
        except UnicodeDecodeError:
            self.send_text(encode_error(None, "invalid JSON: not UTF-8 text"))
            return
        reply = self._on_text(self, text)
        if reply:
            self.send_text(reply)
