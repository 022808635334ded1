"""gevent's WSGI server with the limits of ``kzcore.netlimits``: crossbar's HTTP
server and the websocket gateway's (``handler_base=WebSocketHandler``).

- The request line and headers must arrive within ``limits.header_timeout``
  seconds from the first byte awaited (a deadline, not a socket timeout: a byte
  every few seconds does not keep a half-sent request open); an idle keep-alive
  connection is closed after as long. A client too slow is answered
  ``timeout_reply`` if it had started its headers (crossbar: 408; b"" closes
  without an answer), and counted.
- Connections beyond ``limits.max_connections`` wait in the listen queue, or with
  ``limits.refuse_when_full`` get ``busy_reply`` at once; a source address over
  ``limits.max_connections_per_address`` gets ``busy_reply`` at once.
- A 413 reply closes the connection without reading the rest of the body.
- ``stats()``: open connections, refusals and header timeouts.
"""
import logging

from gevent.pywsgi import WSGIHandler, WSGIServer

from kzcore.netlimits import (ConnectionGate, HeaderDeadline, HeaderTimeout, connection_pool,
                              peer_host, refuse, warn_if_few_open_files)

log = logging.getLogger(__name__)

# What gevent's WSGIHandler sends for its own client errors, in the same form.
TIMEOUT_REPLY = (b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n"
                 b"Content-Type: text/plain\r\nContent-Length: 0\r\n\r\n")
BUSY_REPLY = (b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n"
              b"Content-Type: text/plain\r\nContent-Length: 0\r\n\r\n")


class HeaderDeadlineMixin:
    """For WSGIHandler subclasses served by a ``LimitedWSGIServer`` (whose
    ``limits``, ``timeout_reply`` and ``on_header_timeout`` it uses)."""

    _kz_deadline = None

    def handle_one_request(self):
        try:
            return super().handle_one_request()
        finally:   # paths that never reach read_request (EOF, 414) must not leave it armed
            self._cancel_deadline()

    def read_requestline(self):
        # armed before the first byte: covers a silent client and a keep-alive
        # connection waiting for its next request
        self._kz_deadline = HeaderDeadline(self.server.limits.header_timeout)
        self._kz_deadline.start()
        try:
            return super().read_requestline()
        except HeaderTimeout:
            self.server.on_header_timeout(self.client_address)
            raise   # an OSError here closes the connection quietly (gevent)

    def read_request(self, raw_requestline):
        try:
            return super().read_request(raw_requestline)
        finally:
            self._cancel_deadline()

    def _handle_client_error(self, ex):
        if isinstance(ex, HeaderTimeout):   # raised while reading the headers
            self.server.on_header_timeout(self.client_address)
            self.close_connection = True
            reply = self.server.timeout_reply
            return ("408", reply) if reply else None
        return super()._handle_client_error(ex)

    def _cancel_deadline(self):
        if self._kz_deadline is not None:   # cancel() may come twice: it is idempotent
            self._kz_deadline.cancel()

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


def limited_handler(base=WSGIHandler):
    """A subclass of ``base`` (a WSGIHandler, or e.g. geventwebsocket's
    WebSocketHandler) with ``HeaderDeadlineMixin``."""
    return type(f"Limited{base.__name__}", (HeaderDeadlineMixin, base), {})


class LimitedWSGIServer(WSGIServer):
    """A ``WSGIServer`` under ``limits`` (a ``ServerLimits``). ``kwargs`` go to
    WSGIServer (``log``, ``error_log``...); ``application`` may be None and set
    later (``server.application``)."""

    def __init__(self, listener, application, limits, *, handler_base=WSGIHandler,
                 busy_reply=BUSY_REPLY, timeout_reply=TIMEOUT_REPLY, **kwargs):
        super().__init__(listener, application, spawn=connection_pool(limits),
                         handler_class=limited_handler(handler_base), **kwargs)
        self.limits = limits
        self.busy_reply = busy_reply
        self.timeout_reply = timeout_reply
        self.gate = ConnectionGate(limits.max_connections if limits.refuse_when_full else 0,
                                   limits.max_connections_per_address)
        self.header_timeouts = 0

    def start(self):
        super().start()
        warn_if_few_open_files(self.limits.max_connections, port=self.server_port)

    def handle(self, sock, address):
        host = peer_host(address)
        reason = self.gate.enter(host)
        if reason is not None:
            if self.gate.should_log_refusal():
                log.warning("connection refused: too many connections",
                            extra={"peer": host, "reason": reason, "refused": self.gate.refused,
                                   "max_connections": self.limits.max_connections,
                                   "per_address": self.limits.max_connections_per_address})
            refuse(sock, self.busy_reply)
            return None
        try:
            return super().handle(sock, address)
        finally:
            self.gate.leave(host)

    def on_header_timeout(self, address):
        self.header_timeouts += 1
        log.info("connection dropped: request headers not received in time",
                 extra={"peer": peer_host(address),
                        "header_timeout": self.limits.header_timeout})

    def stats(self):
        return {"connections": self.gate.open, "connections_refused": self.gate.refused,
                "header_timeouts": self.header_timeouts}
