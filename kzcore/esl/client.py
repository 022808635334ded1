"""Inbound ESL client for one FreeSWITCH node, on greenswitch, made safe for production.

greenswitch's ``InboundESL`` is the transport (socket, ``_commands_sent`` reply
queue, event queue and its ``process_events`` dispatcher greenlet,
``register_handle``). ``_Transport`` subclasses it and replaces only what cannot
be used as it is (DESIGN.md section 4 rule 4):

- ``connect``: greenswitch waits for the auth banner forever and raises
  ``ValueError`` on a wrong password; here every step has a timeout and a wrong
  password is an ``EslAuthError`` carrying FreeSWITCH's reply.
- ``receive_events``: greenswitch reads lines as UTF-8 and URL-decodes a whole
  event block before splitting it (an encoded ``%0A`` breaks headers, an event's
  own body is merged into the headers), ignores a disconnect notice's body, spins
  forever without yielding when the socket hits EOF inside a body (``_read_socket``),
  and leaves callers blocked when the connection drops. The replacement reads
  bytes through ``kzcore.esl.frames.FrameParser``, matches BACKGROUND_JOB events
  to their Job-UUID, and fails every pending call when the connection ends.
- ``send``: greenswitch has no timeout, uses ``socket.send`` (partial writes) and
  no lock. The replacement writes with ``sendall`` under a timeout; ``EslClient``
  holds a FIFO-fair lock (``FairLock``) so that one command/reply exchange runs at
  a time and a greenlet looping commands cannot starve the others.

Replies are matched FIFO as in greenswitch, which is only safe while the stream
is aligned: after a timeout the connection is *poisoned* (a late reply would be
handed to the next caller), so ``EslClient`` closes it, raises
``SwitchUnavailable`` and its supervisor reconnects and resubscribes.
"""
import logging
import socket
import time
import uuid

import gevent
import gevent.event
from greenswitch.esl import InboundESL, NotConnectedError

from kzcore.errors import InvalidCommandArgument, SwitchUnavailable
from kzcore.esl import frames
from kzcore.esl.fairlock import FairLock

log = logging.getLogger(__name__)

DEFAULT_EVENTS = ("BACKGROUND_JOB", "CUSTOM conference::maintenance")
REPLY_TYPES = ("command/reply", "api/response")


class EslAuthError(SwitchUnavailable):
    """FreeSWITCH refused the ESL password."""


class EslCommandRejected(InvalidCommandArgument, ValueError):
    """A command that would break ESL framing (CR, LF or NUL): nothing was sent.
    An ``InvalidCommandArgument`` (400 in crossbar) and a ``ValueError`` (as before)."""


def _one_line(text):
    if "\n" in text or "\r" in text or "\0" in text:
        raise EslCommandRejected("an ESL command is one line without CR, LF or NUL",
                                 {"command": {"invalid": {"message": "contains CR, LF or NUL"}}})
    return text


class _Event:
    """What greenswitch's ``process_events`` dispatches on: an object with ``headers``."""

    def __init__(self, headers):
        self.headers = headers


class _Transport(InboundESL):
    """One TCP connection. Dies for good when closed: the client makes a new one."""

    def __init__(self, host, port, password, timeout, name):
        super().__init__(host, port, password, timeout=timeout)
        self.name = name
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
        self._esl_event_queue.put(_Event(event))

    def send(self, data, timeout=None, headers=None):
        if not self.connected:
            raise NotConnectedError(f"not connected to {self.name}")
        payload = frames.encode_command(data, headers)  # may raise: before any waiter is queued
        waiter = gevent.event.AsyncResult()
        self._commands_sent.append(waiter)
        with gevent.Timeout(timeout or self.timeout):
            self.sock.sendall(payload)
            return waiter.get()

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


class EslClient:
    """One node: ``start()`` keeps it connected and subscribed; ``api``/``bgapi``/``command``
    never hang.

    ``filters``: ``[(header, value), ...]`` sent as ``filter <header> <value>`` right
    after the ``event`` subscription on every (re)connection, before the client counts
    as connected. ``on_event(client, event)`` runs for every event in greenswitch's dispatcher
    greenlet and must only enqueue. ``on_connect(client)`` runs after every
    (re)connection and subscription, ``on_disconnect(client)`` after every loss.
    """

    def __init__(self, host, port, password, *, name=None, timeout=5.0, events=DEFAULT_EVENTS,
                 filters=(), on_event=None, on_connect=None, on_disconnect=None, backoff=(0.1, 2.0)):
        self.host, self.port, self.password = host, port, password
        self.name = name or f"freeswitch@{host}"
        self.timeout = timeout
        self.events = tuple(events) if "BACKGROUND_JOB" in events else ("BACKGROUND_JOB",) + tuple(events)
        self.filters = tuple((str(header), str(value)) for header, value in filters)
        self.on_event, self.on_connect, self.on_disconnect = on_event, on_connect, on_disconnect
        self.backoff = backoff
        self._transport = None
        self._lock = FairLock()
        self._ready = gevent.event.Event()
        self._supervisor = None
        self._closing = False

    @property
    def connected(self):
        transport = self._transport
        return self._ready.is_set() and transport is not None and transport.connected

    def wait_connected(self, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.connected:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return False
            if self._ready.is_set():  # stale: the connection just died, the supervisor will clear it
                gevent.sleep(0.01)
            else:
                self._ready.wait(remaining)
        return True

    def connect(self, timeout=None):
        """Connect, authenticate and subscribe once (``start()`` does it for good)."""
        timeout = timeout or self.timeout
        transport = _Transport(self.host, self.port, self.password, timeout, self.name)
        transport.register_handle("*", self._dispatch)
        try:
            transport.connect(timeout)
            self._subscribe(transport, timeout)
        except SwitchUnavailable:
            transport.close()
            raise
        except (OSError, NotConnectedError, gevent.Timeout) as error:
            transport.close()
            raise SwitchUnavailable(f"cannot reach FreeSWITCH node {self.name} at {self.host}:{self.port}: "
                                    f"{error or 'timed out'}") from None
        previous, self._transport = self._transport, transport
        if previous is not None:
            previous.close()
        self._ready.set()
        log.info("ESL connected", extra={"node": self.name, "events": self.events})
        return self

    def _subscribe(self, transport, timeout):
        """``event plain ...`` then every filter; any refusal fails the connection."""
        lines = [f"event plain {' '.join(self.events)}"]
        lines += [f"filter {header} {value}" for header, value in self.filters]
        for line in lines:
            reply = transport.send(line, timeout=timeout)
            if not reply.headers.get("Reply-Text", "").startswith("+OK"):
                raise SwitchUnavailable(f"{self.name} refused {line!r}: "
                                        f"{reply.headers.get('Reply-Text')}")

    def start(self):
        if self._supervisor is None:
            self._closing = False
            self._supervisor = gevent.spawn(self._supervise)
        return self

    def _supervise(self):
        delay = self.backoff[0]
        while not self._closing:
            try:
                self.connect()
            except SwitchUnavailable as error:
                log.warning("ESL connect failed", extra={"node": self.name, "error": error.message,
                                                         "retry_in": delay})
                gevent.sleep(delay)
                delay = min(delay * 2, self.backoff[1])
                continue
            delay = self.backoff[0]
            transport = self._transport
            self._callback(self.on_connect)
            transport.closed.wait()
            self._ready.clear()
            if not self._closing:
                log.warning("ESL connection lost", extra={"node": self.name})
                self._callback(self.on_disconnect)

    def _callback(self, callback, *args):
        if callback is None:
            return
        try:
            callback(self, *args)
        except Exception:  # a broken handler must not kill the supervisor or the reader
            log.exception("ESL callback failed", extra={"node": self.name})

    def _dispatch(self, event):
        self._callback(self.on_event, event.headers)

    def _exchange(self, line, timeout, headers=None):
        """One command/reply exchange under the lock; a timeout poisons the connection."""
        timeout = timeout or self.timeout
        if not self._lock.acquire(timeout=timeout):
            raise SwitchUnavailable(f"{self.name} busy: no turn to send within {timeout}s")
        try:
            transport = self._transport
            if transport is None or not self.connected:
                raise SwitchUnavailable(f"not connected to FreeSWITCH node {self.name}")
            try:
                return transport.send(line, timeout=timeout, headers=headers)
            except gevent.Timeout:
                log.error("ESL reply timed out; dropping the connection",
                          extra={"node": self.name, "command": line, "timeout": timeout})
                self._ready.clear()
                transport.close()
                raise SwitchUnavailable(f"no reply from {self.name} within {timeout}s") from None
            except (OSError, NotConnectedError) as error:
                transport.close()
                raise SwitchUnavailable(f"connection to {self.name} lost: {error}") from None
        finally:
            self._lock.release()

    def api(self, command, timeout=None):
        """The api/response body as text; judging +OK/-ERR is ``fs_replies``' job."""
        return self._exchange(f"api {_one_line(command)}", timeout).text()

    def command(self, line, timeout=None):
        """A plain ESL command (``filter ...``, ``event ...``, ``nixevent ...``): its
        Reply-Text, e.g. ``+OK filter added. [Action]=[bgdial-result]`` or ``-ERR ...``.
        Same lock and timeout as ``api``; not remembered across reconnections (use
        ``filters=`` / ``events=`` for what must survive them)."""
        return self._exchange(_one_line(line), timeout).headers.get("Reply-Text", "")

    def bgapi(self, command, timeout=None):
        """Runs ``command`` as a background job and returns its BACKGROUND_JOB body."""
        _one_line(command)
        timeout = timeout or self.timeout
        job_uuid = str(uuid.uuid4())
        waiter = gevent.event.AsyncResult()
        transport = self._transport
        if transport is None or not self.connected:
            raise SwitchUnavailable(f"not connected to FreeSWITCH node {self.name}")
        transport.jobs[job_uuid] = waiter
        try:
            reply = self._exchange(f"bgapi {command}", timeout, headers={"Job-UUID": job_uuid})
            text = reply.headers.get("Reply-Text", "")
            if not text.startswith("+OK"):
                return text
            return waiter.get(timeout=timeout)
        except gevent.Timeout:
            raise SwitchUnavailable(f"job {job_uuid} on {self.name} gave no result within {timeout}s") from None
        except NotConnectedError as error:
            raise SwitchUnavailable(f"connection to {self.name} lost: {error}") from None
        finally:
            transport.jobs.pop(job_uuid, None)

    def close(self):
        self._closing = True
        self._ready.clear()
        if self._supervisor is not None:
            self._supervisor.kill(block=False)
            self._supervisor = None
        if self._transport is not None:
            self._transport.close()
