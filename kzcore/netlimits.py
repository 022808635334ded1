"""Servers that a slow or greedy client cannot hold: a header-read deadline and a
connection cap, for any gevent server (crossbar's WSGI server today; meant for the
blackhole websocket server and the call-in socket too).

- ``connection_pool(limits)``: ``spawn=`` for any gevent ``StreamServer``. When it is
  full the server stops accepting until a connection ends; newcomers wait in the
  kernel's listen queue (they are queued, never served half-way).
- ``AddressCapMixin``: for a ``StreamServer`` subclass; a source address holding
  ``max_connections_per_address`` connections has further ones refused at once,
  so one client cannot fill the pool and queue everyone else.
- ``HeaderDeadline``: a per-request deadline raising ``HeaderTimeout`` (an
  ``OSError``, so servers treat it like a dropped peer).
- ``limited_handler(base, header_timeout)``: a ``gevent.pywsgi.WSGIHandler``
  subclass (or of a subclass such as geventwebsocket's ``WebSocketHandler``) in
  which the request line and headers must arrive within ``header_timeout``
  seconds, an idle keep-alive connection is closed after as long, and a 413
  reply closes the connection without reading the rest of the body.
- ``wsgi_server(listener, app, limits)``: a ``WSGIServer`` with all of them.
"""
import collections
import dataclasses
import logging
import socket

import gevent
from gevent.pool import Pool
from gevent.pywsgi import WSGIHandler, WSGIServer

log = logging.getLogger(__name__)

# What gevent's WSGIHandler sends for its own client errors, in the same form.
_TIMEOUT_RESPONSE = (b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n"
                     b"Content-Type: text/plain\r\nContent-Length: 0\r\n\r\n")
_BUSY_RESPONSE = (b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n"
                  b"Content-Type: text/plain\r\nContent-Length: 0\r\n\r\n")


@dataclasses.dataclass(frozen=True)
class ServerLimits:
    header_timeout: float = 10.0   # seconds for a request line and its headers
    max_connections: int = 1000    # connections served at once (0 = no cap)
    max_connections_per_address: int = 0   # per source address (0 = no cap)

    @classmethod
    def from_config(cls, config):
        return cls(header_timeout=config.http_header_timeout,
                   max_connections=config.http_max_connections,
                   max_connections_per_address=config.http_max_connections_per_address)


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


def connection_pool(limits):
    """``spawn=`` argument for a gevent server: a Pool of ``max_connections``."""
    return Pool(limits.max_connections) if limits.max_connections > 0 else "default"


class AddressCapMixin:
    """For gevent ``StreamServer`` subclasses: at most ``max_per_address`` open
    connections per source address (0 = no cap); a connection over it gets
    ``refusal`` (bytes, may be empty) and is closed without being read."""

    max_per_address = 0
    refusal = b""

    def handle(self, sock, address):
        host = address[0] if isinstance(address, tuple) else address
        counts = self.__dict__.setdefault("_kz_open", collections.Counter())
        if self.max_per_address and counts[host] >= self.max_per_address:
            log.info("connection refused: too many from one address",
                     extra={"peer": host, "open": counts[host]})
            _refuse(sock, self.refusal)
            return
        counts[host] += 1
        try:
            return super().handle(sock, address)
        finally:
            counts[host] -= 1
            if not counts[host]:
                del counts[host]


def _refuse(sock, reply):
    try:
        if reply:
            sock.send(reply)   # small: fits the socket buffer, never blocks long
    except OSError:
        pass
    finally:
        sock.close()


class HeaderTimeoutMixin:
    """For WSGIHandler subclasses; ``header_timeout`` is set by ``limited_handler``."""

    header_timeout = 10.0
    _kz_deadline = None

    def handle_one_request(self):
        try:
            return super().handle_one_request()
        finally:   # paths that never reach read_request (EOF, 414) must not leave it armed
            if self._kz_deadline is not None:
                self._kz_deadline.cancel()

    def read_requestline(self):
        # armed before the first byte: covers a silent client and a keep-alive
        # connection waiting for its next request
        self._kz_deadline = HeaderDeadline(self.header_timeout)
        self._kz_deadline.start()
        try:
            return super().read_requestline()
        except BaseException:
            self._kz_deadline.cancel()
            raise   # an OSError here closes the connection quietly (gevent)

    def read_request(self, raw_requestline):
        try:
            return super().read_request(raw_requestline)
        finally:
            self._kz_deadline.cancel()

    def _handle_client_error(self, ex):
        if isinstance(ex, HeaderTimeout):
            log.info("request headers timed out", extra={"peer": str(self.client_address)})
            self.close_connection = True
            return "408", _TIMEOUT_RESPONSE
        return super()._handle_client_error(ex)

    def run_application(self):
        self.code = None  # not the previous keep-alive response's
        try:
            super().run_application()
        finally:
            if self.code == 413:
                self._forget_unread_body()

    def _forget_unread_body(self):
        """After a 413 the rest of the body (possibly endless, chunked) is not
        read: gevent would drain it before the next request. Close instead."""
        self.close_connection = True
        body = getattr(self, "wsgi_input", None)
        if body is not None and hasattr(body, "chunked_input"):
            body.chunked_input = False
            body.content_length = body.position


def limited_handler(base=WSGIHandler, header_timeout=10.0):
    """A subclass of ``base`` (a WSGIHandler) with ``HeaderTimeoutMixin``."""
    return type(f"Limited{base.__name__}", (HeaderTimeoutMixin, base),
                {"header_timeout": header_timeout})


class LimitedWSGIServer(AddressCapMixin, WSGIServer):
    refusal = _BUSY_RESPONSE


def wsgi_server(listener, application, limits, *, handler_base=WSGIHandler, **kwargs):
    """A ``WSGIServer`` with the header deadline, the connection cap and the cap per
    address. ``kwargs`` go to WSGIServer (``log``, ``error_log``...)."""
    server = LimitedWSGIServer(listener, application, spawn=connection_pool(limits),
                               handler_class=limited_handler(handler_base,
                                                             limits.header_timeout),
                               **kwargs)
    server.max_per_address = limits.max_connections_per_address
    return server
