"""One websocket connection: a reader, a single writer and a keep-alive, all greenlets.

- The reader parses frames and hands complete text messages to ``on_text``
  (which returns the reply to send). Bad messages get error replies; the
  socket stays usable.
- Only the writer writes to the socket, in batches taken from the ``Outbox``,
  each write bounded by ``write_timeout``. A client that stops reading stalls
  only its own writer: the fan-out keeps appending, the outbox drops the oldest
  events and later tells the client how many it lost.
- The keep-alive pings every ``ping_interval`` and closes the socket when
  nothing (not even a pong) arrived for ``idle_timeout`` seconds.
"""
import dataclasses
import itertools
import logging
import socket
import time

import gevent

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
    write_interval: float = 0.02    # at most one socket write per interval (batches)


class Session:
    def __init__(self, sock, read, on_text, on_close, options=SessionOptions(), peer=None):
        self.id = next(_ids)
        self.peer = peer
        self.subscriptions = {}     # binding -> account_id (maintained by the command handler)
        self.outbox = Outbox(options.max_events)
        self.closed = False
        self.close_reason = None
        self._sock = sock
        self._read = read
        self._on_text = on_text
        self._on_close = on_close
        self._options = options
        self._last_seen = time.monotonic()
        self._greenlets = []

    # --- called by the fan-out and the command handler ---------------------
    def deliver(self, frame):
        if not self.closed:
            self.outbox.push_event(frame)

    def send_text(self, message):
        if not self.closed:
            self.outbox.push_control(frames.text(message))

    # --- lifecycle -----------------------------------------------------------
    def run(self):
        """Serve until the peer leaves or the session is closed (blocks)."""
        log.info("websocket session opened", extra={"session": self.id, "peer": self.peer})
        self._greenlets = [gevent.spawn(self._write_loop), gevent.spawn(self._keepalive_loop)]
        try:
            self._read_loop()
        except frames.FrameError as exc:
            self.close(exc.code, str(exc))
        except (EOFError, OSError):
            self.close(1006, "peer went away")
        finally:
            self.close(1000, "done")

    def close(self, code=1000, reason=""):
        if self.closed:
            return
        self.closed = True
        self.close_reason = reason
        current = gevent.getcurrent()
        for greenlet in self._greenlets:
            if greenlet is not current:
                greenlet.kill(block=False)
        self._say_goodbye(code, reason)
        try:
            self._on_close(self)
        finally:
            log.info("websocket session closed",
                     extra={"session": self.id, "peer": self.peer, "code": code, "reason": reason,
                            "dropped": self.outbox.total_dropped})

    def _say_goodbye(self, code, reason):
        with gevent.Timeout(1.0, False):
            try:
                self._sock.sendall(frames.close(code if code != 1006 else 1000, reason))
            except OSError:
                pass
        for step in (lambda: self._sock.shutdown(socket.SHUT_RDWR), self._sock.close):
            try:
                step()
            except OSError:
                pass

    # --- the three loops -----------------------------------------------------
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
            self.outbox.push_control(frames.pong(payload))
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

    def _write_loop(self):
        """Write batches, at most one write per ``write_interval``: an idle socket
        gets each event at once, a busy one fewer, larger writes (syscalls, not
        bytes, are what a fan-out to hundreds of sockets pays for)."""
        timer = gevent.Timeout(self._options.write_timeout)   # re-armed, not rebuilt
        interval, last_write = self._options.write_interval, 0.0
        try:
            while not self.closed:
                self.outbox.ready.wait()
                pause = last_write + interval - time.monotonic()
                if pause > 0:
                    gevent.sleep(pause)
                data = self.outbox.take()
                if not data:
                    continue
                timer.start()
                try:
                    self._sock.sendall(data)
                finally:
                    timer.cancel()
                last_write = time.monotonic()
        except gevent.Timeout:
            gevent.spawn(self.close, 1008, "write timeout: client not reading")
        except OSError:
            gevent.spawn(self.close, 1006, "write failed")

    def _keepalive_loop(self):
        options = self._options
        while not self.closed:
            gevent.sleep(min(options.ping_interval, options.idle_timeout / 2))
            if time.monotonic() - self._last_seen > options.idle_timeout:
                gevent.spawn(self.close, 1001, "idle timeout")
                return
            self.outbox.push_control(frames.ping(b"kz"))
