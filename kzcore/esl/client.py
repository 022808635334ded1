"""Inbound ESL client for one FreeSWITCH node: keeps a ``transport.Transport``
connected and subscribed, and pipelines commands on it.

FreeSWITCH runs an inbound connection's ``api`` commands one after the other in
the connection's own thread (mod_event_socket's ``parse_command`` calls
``api_exec`` inline), so its replies come back in the order the commands were
written. A caller therefore holds the lock only to *write* its command; it waits
for its reply outside the lock, and the next caller's command is already on the
wire meanwhile (one round trip per command was the connection's limit: about
1.6 ms under load, bench/RESULTS.md, issue 16).

Replies are matched FIFO as in greenswitch, which is only safe while the stream
is aligned: after a timeout the connection is *poisoned* (a late reply would be
handed to the next caller), so ``EslClient`` closes it, raises
``SwitchUnavailable`` and its supervisor reconnects and resubscribes. Commands
written behind the one that timed out fail too ("connection lost"): FreeSWITCH
may or may not have run them, as with any connection lost mid-command. A
FIFO-fair lock (``FairLock``) keeps a greenlet looping commands from starving
the others.
"""
import logging
import time
import uuid

import gevent
import gevent.event
from greenswitch.esl import NotConnectedError

from kzcore.errors import SwitchUnavailable
from kzcore.esl.fairlock import FairLock
from kzcore.esl.transport import EslAuthError, EslCommandRejected, Transport, one_line
from kzcore.timings import Timings

__all__ = ["DEFAULT_EVENTS", "EslAuthError", "EslClient", "EslCommandRejected"]

log = logging.getLogger(__name__)

DEFAULT_EVENTS = ("BACKGROUND_JOB", "CUSTOM conference::maintenance")


class EslClient:
    """One node: ``start()`` keeps it connected and subscribed; ``api``/``bgapi``/``command``
    never hang.

    ``filters``: ``[(header, value), ...]`` sent as ``filter <header> <value>`` right
    after the ``event`` subscription on every (re)connection, before the client counts
    as connected. ``on_event(client, event)`` runs for every event in the connection's reader
    greenlet and must only enqueue (an ESL call from it would wait for its own reader).
    ``event_format``: ``plain`` (greenswitch's) or ``json`` (cheaper to parse; same dicts). ``on_connect(client)`` runs after every
    (re)connection and subscription, ``on_disconnect(client)`` after every loss.
    """

    def __init__(self, host, port, password, *, name=None, timeout=5.0, events=DEFAULT_EVENTS,
                 filters=(), on_event=None, on_connect=None, on_disconnect=None, backoff=(0.1, 2.0),
                 event_format="plain"):
        self.host, self.port, self.password = host, port, password
        self.name = name or f"freeswitch@{host}"
        self.timeout = timeout
        self.events = tuple(events) if "BACKGROUND_JOB" in events else ("BACKGROUND_JOB",) + tuple(events)
        self.filters = tuple((str(header), str(value)) for header, value in filters)
        if event_format not in ("plain", "json"):
            raise ValueError(f"event_format must be plain or json, not {event_format!r}")
        self.event_format = event_format
        self.on_event, self.on_connect, self.on_disconnect = on_event, on_connect, on_disconnect
        self.backoff = backoff
        self._transport = None
        self._lock = FairLock()
        self._ready = gevent.event.Event()
        self._supervisor = None
        self._closing = False
        self.round_trips = Timings(max_keys=8)   # (outcome,): ok | timeout | lost (metrics)

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
        transport = Transport(self.host, self.port, self.password, timeout, self.name,
                               on_event=self._dispatch)
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
        """``event <format> ...`` then every filter; any refusal fails the connection."""
        lines = [f"event {self.event_format} {' '.join(self.events)}"]
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
        self._callback(self.on_event, event)

    def _exchange(self, line, timeout, headers=None):
        """One command, written under the lock, its reply awaited outside it; a
        timeout poisons the connection."""
        timeout = timeout or self.timeout
        if not self._lock.acquire(timeout=timeout):
            raise SwitchUnavailable(f"{self.name} busy: no turn to send within {timeout}s")
        started = time.perf_counter()
        try:
            transport = self._transport
            if transport is None or not self.connected:
                raise SwitchUnavailable(f"not connected to FreeSWITCH node {self.name}")
            try:
                waiter = transport.post(line, timeout=timeout, headers=headers)
            except gevent.Timeout:
                raise self._poisoned(transport, line, timeout, started, "write") from None
            except (OSError, NotConnectedError) as error:
                raise self._lost(transport, error, started) from None
        finally:
            self._lock.release()
        try:
            reply = waiter.get(timeout=max(0.001, timeout - (time.perf_counter() - started)))
        except gevent.Timeout:
            raise self._poisoned(transport, line, timeout, started, "reply") from None
        except (OSError, NotConnectedError) as error:
            raise self._lost(transport, error, started) from None
        self.round_trips.observe(("ok",), time.perf_counter() - started)
        return reply

    def _poisoned(self, transport, line, timeout, started, what):
        """The stream is out of step: drop the connection (the supervisor makes a new one)."""
        self.round_trips.observe(("timeout",), time.perf_counter() - started)
        log.error("ESL command timed out; dropping the connection",
                  extra={"node": self.name, "command": line, "timeout": timeout, "stage": what})
        self._ready.clear()
        transport.close()
        return SwitchUnavailable(f"no reply from {self.name} within {timeout}s")

    def _lost(self, transport, error, started):
        self.round_trips.observe(("lost",), time.perf_counter() - started)
        transport.close()
        return SwitchUnavailable(f"connection to {self.name} lost: {error}")

    def api(self, command, timeout=None):
        """The api/response body as text; judging +OK/-ERR is ``fs_replies``' job."""
        return self._exchange(f"api {one_line(command)}", timeout).text()

    def command(self, line, timeout=None):
        """A plain ESL command (``filter ...``, ``event ...``, ``nixevent ...``): its
        Reply-Text, e.g. ``+OK filter added. [Action]=[bgdial-result]`` or ``-ERR ...``.
        Same lock and timeout as ``api``; not remembered across reconnections (use
        ``filters=`` / ``events=`` for what must survive them)."""
        return self._exchange(one_line(line), timeout).headers.get("Reply-Text", "")

    def bgapi(self, command, timeout=None):
        """Runs ``command`` as a background job and returns its BACKGROUND_JOB body."""
        one_line(command)
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
