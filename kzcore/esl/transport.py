"""One inbound ESL connection on greenswitch, made safe for production (used by ``EslClient``).

greenswitch's ``InboundESL`` is the transport (socket, ``_commands_sent`` reply
queue, reader greenlet). ``Transport`` subclasses it and replaces only what
cannot be used as it is (DESIGN.md section 4 rule 4):

- ``connect``: greenswitch waits for the auth banner forever and raises
  ``ValueError`` on a wrong password; here every step has a timeout and a wrong
  password is an ``EslAuthError`` carrying FreeSWITCH's reply.
- ``receive_events``: greenswitch reads lines as UTF-8 and URL-decodes a whole
  event block before splitting it (an encoded ``%0A`` breaks headers, an event's
  own body is merged into the headers), ignores a disconnect notice's body, spins
  forever without yielding when the socket hits EOF inside a body (``_read_socket``),
  and leaves callers blocked when the connection drops. The replacement reads
  bytes through ``kzcore.esl.frames.FrameParser``, matches BACKGROUND_JOB events
  to their Job-UUID, fails every pending call when the connection ends, and hands
  each event straight to the client's handler (greenswitch's event queue and
  dispatcher greenlet would add a greenlet switch per event on ecallmgr's hot path).
- ``send``: greenswitch has no timeout, uses ``socket.send`` (partial writes) and
  no lock. The replacement (``post``) writes with ``sendall`` under a timeout and
  hands back the reply's waiter; ``EslClient`` writes under a FIFO-fair lock
  (``FairLock``), so commands go out whole and in the order their waiters were
  queued, and a greenlet looping commands cannot starve the others.

Replies are matched FIFO as in greenswitch, which is only safe while the stream
is aligned: after a timeout the connection is *poisoned* (a late reply would be
handed to the next caller), so ``EslClient`` closes it, raises
``SwitchUnavailable`` and its supervisor reconnects and resubscribes.
"""
import logging
import socket

import gevent
import gevent.event
from greenswitch.esl import InboundESL, NotConnectedError

from kzcore.errors import InvalidCommandArgument, SwitchUnavailable
from kzcore.esl import frames

log = logging.getLogger(__name__)

REPLY_TYPES = ("command/reply", "api/response")


class EslAuthError(SwitchUnavailable):
    """FreeSWITCH refused the ESL password."""


class EslCommandRejected(InvalidCommandArgument, ValueError):
    """A command that would break ESL framing (CR, LF or NUL): nothing was sent.
    An ``InvalidCommandArgument`` (400 in crossbar) and a ``ValueError`` (as before)."""


def one_line(text):
    if "\n" in text or "\r" in text or "\0" in text:
        raise EslCommandRejected("an ESL command is one line without CR, LF or NUL",
                                 {"command": {"invalid": {"message": "contains CR, LF or NUL"}}})
    return text


class Transport(InboundESL):
    """One TCP connection. Dies for good when closed: the client makes a new one."""

    def __init__(self, host, port, password, timeout, name, on_event=None):
        super().__init__(host, port, password, timeout=timeout)
        self.name = name
        self.on_event = on_event    # called in the reader greenlet: must only enqueue
        self.jobs = {}  # Job-UUID -> AsyncResult(body)
        self.closed = gevent.event.Event()
        self.sock = None

    def connect(self, timeout=None):
        timeout = timeout or self.timeout
        self.sock = socket.create_connection((self.host, self.port), timeout=timeout)
        # Commands are small writes: without TCP_NODELAY one can wait for a delayed ACK.
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.settimeout(None)
        self.connected = True
        self.start_event_handlers()
        if not self._auth_request_event.wait(timeout):
            raise SwitchUnavailable(f"no auth/request from {self.name} within {timeout}s")
        if not self.connected:
            raise SwitchUnavailable(f"{self.name} closed the connection before authentication")
        reply = self.send(f"auth {self.password}", timeout=timeout)
        if not reply.headers.get("Reply-Text", "").startswith("+OK"):
            text = reply.headers.get("Reply-Text", "no reply")
            raise EslAuthError(f"authentication failed for node {self.name}: {text}")

    def start_event_handlers(self):
        """Only the reader: events go straight to ``on_event``, so greenswitch's
        dispatcher greenlet would idle on an empty queue."""
        self._receive_events_greenlet = gevent.spawn(self.receive_events)

    def receive_events(self):
        parser = frames.FrameParser()
        try:
            while self._run:
                data = self.sock.recv(65536)
                if not data:
                    break
                for frame in parser.feed(data):
                    self.handle_frame(frame)
        except (OSError, ValueError) as error:
            if self._run:
                log.warning("ESL read failed", extra={"node": self.name, "error": str(error)})
        finally:
            self._finish()

    def handle_frame(self, frame):
        kind = frame.content_type
        if kind == "auth/request":
            self._auth_request_event.set()
        elif kind in REPLY_TYPES:
            if self._commands_sent:
                self._commands_sent.pop(0).set(frame)
            else:
                log.warning("ESL reply nobody waits for", extra={"node": self.name})
        elif kind in ("text/disconnect-notice", "text/rude-rejection"):
            if frame.headers.get("Content-Disposition") != "linger":
                self.connected = False
                self._auth_request_event.set()
        else:
            event = frames.parse_event(frame)
            if event is not None:
                self._deliver(event)

    def _deliver(self, event):
        if event.get("Event-Name") == "BACKGROUND_JOB":
            waiter = self.jobs.pop(event.get("Job-UUID"), None)
            if waiter is not None:
                waiter.set(event.get("_body", ""))
        if self.on_event is not None:
            self.on_event(event)

    def post(self, data, timeout=None, headers=None):
        """Write one command; returns the AsyncResult its reply will be set on.
        Replies are matched in the order commands were written, so the caller
        must not let another ``post`` interleave (``EslClient`` holds its lock)."""
        if not self.connected:
            raise NotConnectedError(f"not connected to {self.name}")
        payload = frames.encode_command(data, headers)  # may raise: before any waiter is queued
        waiter = gevent.event.AsyncResult()
        self._commands_sent.append(waiter)
        with gevent.Timeout(timeout or self.timeout):
            self.sock.sendall(payload)
        return waiter

    def send(self, data, timeout=None, headers=None):
        """``post`` and wait for the reply (the handshake: auth, subscription)."""
        with gevent.Timeout(timeout or self.timeout):
            return self.post(data, timeout, headers).get()

    def _finish(self):
        self._run = False
        self.connected = False
        gone = NotConnectedError(f"connection to {self.name} closed")
        for waiter in self._commands_sent + list(self.jobs.values()):
            waiter.set_exception(gone)
        self._commands_sent, self.jobs = [], {}
        if self.sock is not None:
            self.sock.close()
        self.closed.set()

    def close(self):
        """Drop the connection now; the reader greenlet fails whatever was pending."""
        self._run = False
        self.connected = False
        if self.sock is not None:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.sock.close()
        if self._receive_events_greenlet is None:
            self._finish()
