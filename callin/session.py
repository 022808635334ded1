"""One outbound ESL session: the socket FreeSWITCH's ``socket`` app opened to us.

Why not greenswitch's ``OutboundSession``/``OutboundESLServer``: its ``send``
waits for a reply forever, ``connect`` runs before any timeout can apply,
``call_command(block=True)`` matches completions by application *name* (two
playbacks in a row can take each other's completion) instead of the
``Event-UUID`` FreeSWITCH echoes as ``Application-UUID``, it URL-decodes a whole
event body before splitting lines (a ``%0A`` inside a value forges headers), it
cannot read ``text/event-json``, and its ``stop()`` blocks on ``exit`` without a
timeout. This class keeps the same shape (a reader greenlet, FIFO replies) with
a timeout on every wait and call state tracked from CHANNEL_HANGUP, the linger
notice and end of stream, because FreeSWITCH sends CHANNEL_HANGUP *before* the
completion of the prompt the caller hung up on (DESIGN.md section 5).
"""
import logging
import socket
import uuid

import gevent
from gevent.event import AsyncResult, Event
from gevent.lock import Semaphore
from gevent.queue import Queue

from callin import wire

log = logging.getLogger(__name__)

HANGUP_EVENTS = frozenset({"CHANNEL_HANGUP", "CHANNEL_HANGUP_COMPLETE"})


class CallerGone(Exception):
    """The caller hung up or FreeSWITCH closed the socket."""


class SessionTimeout(Exception):
    """FreeSWITCH did not answer in time."""


class CommandFailed(Exception):
    """FreeSWITCH answered a command with -ERR."""


class OutboundSession:
    def __init__(self, sock, *, timeout=5.0, hangup_grace=2.0, limits=wire.DEFAULT_LIMITS,
                 peer=None):
        self.timeout = timeout
        self.peer = peer        # the connecting address, for logs
        self.limits = limits
        self.dropped = None     # why the peer was dropped (a frame over the limits)
        self.hangup_grace = hangup_grace
        self.channel = {}
        self.hangup_cause = None
        self._sock = sock
        self._reader = sock.makefile("rb")
        self._replies = Queue()
        self._events = Queue()
        self._completions = {}
        self._gone = Event()
        self._closed = False
        self._send_lock = Semaphore()
        self._reader_greenlet = gevent.spawn(self._read_loop)

    # --- state ---------------------------------------------------------------
    @property
    def hungup(self):
        return self._gone.is_set()

    @property
    def uuid(self):
        return self.channel.get("Unique-ID") or self.channel.get("Channel-Unique-ID", "")

    def raise_if_gone(self):
        if self._gone.is_set():
            raise CallerGone(self.hangup_cause or "hangup")

    def _shutdown(self):
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # --- reading -------------------------------------------------------------
    def _read_loop(self):
        try:
            while True:
                frame = wire.read_frame(self._reader, self.limits)
                if frame is None:
                    break
                self._dispatch(frame)
        except wire.ProtocolError as exc:
            self.dropped = str(exc)
            log.warning("outbound peer dropped", extra={"error": str(exc), "call_id": self.uuid})
            self._shutdown()
        except OSError as exc:
            log.info("outbound socket closed", extra={"error": str(exc), "call_id": self.uuid})
        finally:
            self._closed = True
            self._mark_gone("SOCKET_CLOSED")
            self._replies.put(None)

    def _dispatch(self, frame):
        kind = frame.content_type
        if kind in ("command/reply", "api/response"):
            self._replies.put(frame)
        elif kind == "text/disconnect-notice":
            self._mark_gone(self.hangup_cause or "DISCONNECT")
        else:
            event = wire.parse_event(frame)
            if event is not None:
                self._on_event(event)

    def _on_event(self, event):
        name = event.get("Event-Name")
        if name in HANGUP_EVENTS or event.get("Answer-State") == "hangup":
            self._mark_gone(event.get("Hangup-Cause") or "NORMAL_CLEARING")
        if name == "CHANNEL_EXECUTE_COMPLETE":
            waiter = self._completions.get(event.get("Application-UUID"))
            if waiter is not None:
                waiter.set(event)
                return
        self._events.put(event)

    def _mark_gone(self, cause):
        if not self._gone.is_set():
            self.hangup_cause = cause
            self._gone.set()

    def next_event(self, timeout):
        """The next event not consumed by a command (or None after ``timeout``)."""
        try:
            return self._events.get(timeout=timeout)
        except gevent.queue.Empty:
            return None

    # --- commands ------------------------------------------------------------
    def command(self, line, headers=(), timeout=None):
        """Send one command and return its reply frame (FIFO, one at a time)."""
        data = wire.encode_command(line, headers)
        limit = self.timeout if timeout is None else timeout
        with self._send_lock:
            if self._closed:
                raise CallerGone("socket closed")
            try:
                with gevent.Timeout(limit, SessionTimeout(f"no reply to {line.split()[0]}")):
                    self._sock.sendall(data)
                    reply = self._replies.get()
            except OSError as exc:
                raise CallerGone(f"socket error: {exc}") from exc
            except SessionTimeout:
                # A late reply would be taken by the next command: give up the call.
                self._closed = True
                self._mark_gone("SESSION_TIMEOUT")
                raise
        if reply is None:
            raise CallerGone("socket closed")
        return reply

    def connect(self, timeout=None):
        reply = self.command("connect", timeout=timeout)
        self.channel = wire.connect_data(reply)
        return self.channel

    def simple(self, line, timeout=None):
        """A command whose Reply-Text must start with +OK."""
        text = self.command(line, timeout=timeout).headers.get("Reply-Text", "")
        if not text.startswith("+OK"):
            raise CommandFailed(f"{line!r}: {text}")
        return text

    def api(self, text, timeout=None):
        """``api ...`` over the socket (allowed by ``full``): the body text."""
        return self.command(f"api {text}", timeout=timeout).body.decode("utf-8", "replace")

    def getvar(self, name):
        return self.command(f"getvar {name}").headers.get("Reply-Text", "")

    def execute_nowait(self, app_and_arg):
        """Start a dialplan app; returns the Event-UUID its completion will carry."""
        app, arg = app_and_arg
        event_uuid = str(uuid.uuid4())
        self._completions[event_uuid] = AsyncResult()
        headers = [("call-command", "execute"), ("execute-app-name", app)]
        if arg:
            headers.append(("execute-app-arg", arg))
        headers.append(("Event-UUID", event_uuid))
        text = self.command("sendmsg", headers).headers.get("Reply-Text", "")
        if not text.startswith("+OK"):
            self._completions.pop(event_uuid, None)
            raise CommandFailed(f"{app}: {text}")
        return event_uuid

    def completed(self, event_uuid):
        waiter = self._completions.get(event_uuid)
        return waiter is not None and waiter.ready()

    def wait_complete(self, event_uuid, timeout):
        """The CHANNEL_EXECUTE_COMPLETE of ``event_uuid``; CallerGone if the call
        ended (even when the completion still reports success)."""
        waiter = self._completions.get(event_uuid)
        if waiter is None:
            raise ValueError(f"unknown execution {event_uuid}")
        gevent.wait([waiter, self._gone], timeout=timeout, count=1)
        if self._gone.is_set():
            waiter.wait(timeout=self.hangup_grace)  # let FreeSWITCH finish the app
            self._completions.pop(event_uuid, None)
            raise CallerGone(self.hangup_cause or "hangup")
        self._completions.pop(event_uuid, None)
        if not waiter.ready():
            raise SessionTimeout(f"application did not complete in {timeout}s")
        return waiter.get()

    def execute(self, app_and_arg, timeout):
        self.raise_if_gone()
        return self.wait_complete(self.execute_nowait(app_and_arg), timeout)

    def idle(self, seconds):
        """Wait ``seconds`` (the caller hears silence); CallerGone if the call ends."""
        self._gone.wait(timeout=max(0.0, seconds))
        self.raise_if_gone()

    def hangup(self, cause="NORMAL_CLEARING"):
        if self.hungup or self._closed:
            return
        try:
            self.command("sendmsg", [("call-command", "hangup"), ("hangup-cause", cause)])
        except (CallerGone, SessionTimeout):
            pass

    def close(self):
        """Shut the socket down (the reader's file object would keep it open)."""
        self._closed = True
        self._shutdown()
        self._reader_greenlet.kill(block=True, timeout=1)
        for closable in (self._reader, self._sock):
            try:
                closable.close()
            except OSError:
                pass
