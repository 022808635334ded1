"""The gateway's TCP listener: gevent's WSGI server with a header deadline and a connection cap.

- ``header_timeout``: a client has that many seconds, from its first byte
  awaited, to send a complete request line and headers (the websocket upgrade,
  or the next request on a kept-alive HTTP connection); else it is dropped. A
  deadline rather than a socket timeout, so a byte every few seconds does not
  keep a half-sent request open.
- ``max_connections``: connections beyond it are answered ``503`` at once and
  closed, before anything is read or allocated for them.
"""
import logging
import resource
import socket

import gevent
from gevent.pywsgi import WSGIServer
from geventwebsocket.handler import WebSocketHandler

log = logging.getLogger(__name__)

_BUSY_BODY = b"blackhole: too many connections, retry later\n"
_BUSY = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
         b"Retry-After: 5\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s"
         % (len(_BUSY_BODY), _BUSY_BODY))
_DRAIN_READS = 16


class HeaderTimeout(TimeoutError):
    """The client did not finish its request headers within the deadline."""


class GuardedHandler(WebSocketHandler):
    """WebSocketHandler whose request line and headers must arrive by a deadline."""

    _deadline = None

    def read_requestline(self):
        self._deadline = gevent.Timeout.start_new(self.server.header_timeout, HeaderTimeout)
        try:
            return super().read_requestline()
        except HeaderTimeout:           # pywsgi drops the connection on this OSError
            self.server.on_header_timeout(self.client_address)
            raise

    def read_request(self, raw_requestline):
        try:
            return super().read_request(raw_requestline)
        finally:
            self._stop_deadline()

    def handle_one_request(self):
        try:
            return super().handle_one_request()
        finally:
            self._stop_deadline()

    def _handle_client_error(self, ex):
        if isinstance(ex, HeaderTimeout):   # raised while reading the headers
            self.server.on_header_timeout(self.client_address)
            return None                     # close without an answer
        return super()._handle_client_error(ex)

    def _stop_deadline(self):
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None


class GuardedServer(WSGIServer):
    def __init__(self, listener, application, *, header_timeout, max_connections, **kwargs):
        super().__init__(listener, application, handler_class=GuardedHandler, **kwargs)
        self.header_timeout = header_timeout
        self.max_connections = max_connections
        self.connections = 0
        self.refused = 0
        self.header_timeouts = 0

    def start(self):
        super().start()
        soft_limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        if soft_limit != resource.RLIM_INFINITY and soft_limit < self.max_connections + 64:
            log.warning("open-file limit below the connection cap: accepts will fail first",
                        extra={"nofile": soft_limit, "max_connections": self.max_connections})

    def handle(self, sock, address):
        if self.connections >= self.max_connections:
            self._refuse(sock, address)
            return
        self.connections += 1
        try:
            super().handle(sock, address)
        finally:
            self.connections -= 1

    def on_header_timeout(self, address):
        self.header_timeouts += 1
        log.info("connection dropped: request headers not received in time",
                 extra={"peer": "%s:%s" % address[:2], "header_timeout": self.header_timeout})

    def _refuse(self, sock, address):
        self.refused += 1
        if self.refused % 100 == 1:
            log.warning("connection refused: too many connections",
                        extra={"peer": "%s:%s" % address[:2], "refused": self.refused,
                               "max_connections": self.max_connections})
        try:
            sock.sendall(_BUSY)             # a few bytes into a fresh socket: never blocks
            sock.shutdown(socket.SHUT_WR)
            sock.settimeout(0.0)
            # Read what the client already sent, so that closing sends a FIN after
            # the 503 rather than a reset that could discard it.
            for _ in range(_DRAIN_READS):
                if not sock.recv(65536):
                    break
        except OSError:
            pass
        finally:
            sock.close()

    def stats(self):
        return {"connections": self.connections, "connections_refused": self.refused,
                "header_timeouts": self.header_timeouts}
