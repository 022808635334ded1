"""Servers that a slow or greedy client cannot hold, for any gevent ``StreamServer``
(crossbar's and the websocket gateway's WSGI servers, the call-in socket). Nothing
here knows HTTP; ``kzcore.limited_wsgi`` builds the WSGI server from these parts.

- ``ServerLimits``: the settings (header deadline, connection cap, cap per address,
  and what happens when the cap is reached: queue or refuse at once).
- ``ConnectionGate``: counts open connections per server and per source address
  and says why a newcomer is refused (``"full"``, ``"per_address"``).
- ``connection_pool(limits)``: ``spawn=`` for a server that *queues*: when the
  pool is full the server stops accepting until a connection ends; newcomers
  wait in the kernel's listen queue (queued, never served half-way).
- ``refuse(sock, reply)``: answer a refused connection (or not) and close it.
- ``HeaderDeadline``: a per-request deadline raising ``HeaderTimeout`` (an
  ``OSError``, so servers treat it like a dropped peer).
- ``warn_if_few_open_files``: the open-file limit must leave room for the cap.
"""
import collections
import dataclasses
import logging
import resource
import socket

import gevent
from gevent.pool import Pool

log = logging.getLogger(__name__)

_DRAIN_READS = 16       # reads of what a refused client already sent
_SPARE_FILES = 64       # descriptors a process needs besides its connections
_LOG_EVERY = 100        # refusals: the 1st, 101st... are logged (a flood must not flood the log)


@dataclasses.dataclass(frozen=True)
class ServerLimits:
    header_timeout: float = 10.0   # seconds for a request line and its headers (<= 0: none)
    max_connections: int = 1000    # connections served at once (0 = no cap)
    max_connections_per_address: int = 0   # per source address (0 = no cap)
    refuse_when_full: bool = False  # beyond max_connections: refuse at once, not queue


class HeaderTimeout(socket.timeout):
    """The client did not send its request (line and headers) in time."""


class HeaderDeadline:
    """``start()`` arms a ``gevent.Timeout`` raising ``HeaderTimeout`` in the current
    greenlet; ``cancel()`` disarms it. ``seconds`` <= 0 never fires."""

    def __init__(self, seconds):
        self.seconds = seconds
        self._timer = None

    def start(self):
        self.cancel()
        if self.seconds and self.seconds > 0:
            self._timer = gevent.Timeout.start_new(
                self.seconds, HeaderTimeout(f"no complete request within {self.seconds:g} s"))

    def cancel(self):
        if self._timer is not None:
            self._timer.close()
            self._timer = None


class ConnectionGate:
    """Open connections of one server: at most ``max_connections`` in all and
    ``max_per_address`` per source address (0 = no cap). ``enter(host)`` counts a
    newcomer in and returns None, or returns why it is refused (and counts that);
    every admitted connection must ``leave(host)``. Greenlets do not preempt each
    other between the check and the count."""

    def __init__(self, max_connections=0, max_per_address=0):
        self.max_connections = max_connections
        self.max_per_address = max_per_address
        self.open = 0
        self.refused = 0
        self._by_address = collections.Counter()

    def enter(self, host):
        reason = None
        if self.max_connections and self.open >= self.max_connections:
            reason = "full"
        elif self.max_per_address and self._by_address[host] >= self.max_per_address:
            reason = "per_address"
        if reason is not None:
            self.refused += 1
            return reason
        self.open += 1
        self._by_address[host] += 1
        return None

    def leave(self, host):
        self.open -= 1
        self._by_address[host] -= 1
        if not self._by_address[host]:
            del self._by_address[host]

    def should_log_refusal(self):
        """True for the 1st refusal and every ``_LOG_EVERY``-th after it."""
        return self.refused % _LOG_EVERY == 1


def peer_host(address):
    """The host part of a server's ``address`` argument (a tuple, or a unix path)."""
    return address[0] if isinstance(address, tuple) else str(address)


def connection_pool(limits):
    """``spawn=`` argument for a gevent server: a Pool of ``max_connections`` when
    connections beyond the cap queue; else gevent's default (the gate refuses)."""
    if limits.max_connections > 0 and not limits.refuse_when_full:
        return Pool(limits.max_connections)
    return "default"


def refuse(sock, reply=b""):
    """Close a refused connection without reading its request, after ``reply``
    (bytes) if any. The reply is followed by a FIN and what the client already
    sent is read, so that closing does not send a reset that could discard it."""
    try:
        if reply:
            sock.sendall(reply)     # a few bytes into a fresh socket: never blocks
            sock.shutdown(socket.SHUT_WR)
            sock.settimeout(0.0)
            for _ in range(_DRAIN_READS):
                if not sock.recv(65536):
                    break
    except OSError:
        pass
    finally:
        try:
            sock.close()
        except OSError:
            pass


def warn_if_few_open_files(max_connections, **extra):
    """Log a warning when the open-file limit cannot hold ``max_connections``
    connections: accepts would fail before the cap answers anyone."""
    soft_limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if (max_connections and soft_limit != resource.RLIM_INFINITY
            and soft_limit < max_connections + _SPARE_FILES):
        log.warning("open-file limit below the connection cap: accepts will fail first",
                    extra={"nofile": soft_limit, "max_connections": max_connections, **extra})
