"""The websocket gateway: a gevent WSGI server upgrading every request to a Session.

``create_gateway(config, *, consumer, signer, store) -> Gateway``; ``start()``
returns the bound ``(host, port)`` (``blackhole_port = 0`` picks a free port).
Plain HTTP ``GET /health``, ``/ready`` and ``/metrics`` on the same port
(blackhole.observability) answer its state, its dependencies and its counters. The
listener (``kzcore.limited_wsgi`` with geventwebsocket's handler) drops clients
slow to send their upgrade request's headers (no answer) and answers ``503`` at
once, before anything is read, to connections beyond ``blackhole_max_connections``.
"""
import dataclasses
import logging
import socket

from geventwebsocket.handler import WebSocketHandler

from kzcore.limited_wsgi import LimitedWSGIServer
from kzcore.netlimits import ServerLimits
from kzcore.timings import Counts

from blackhole.access import AccountScope
from blackhole.commands import CommandHandler
from blackhole.fanout import FanOut
from blackhole.observability import health_app
from blackhole.pump import Pump
from blackhole.session import Session, SessionOptions

log = logging.getLogger(__name__)

_BUSY_BODY = b"blackhole: too many connections, retry later\n"
_BUSY = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
         b"Retry-After: 5\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s"
         % (len(_BUSY_BODY), _BUSY_BODY))

# A websocket client is refused at once beyond the cap (it retries; it must not
# hang queued) and a slow one is dropped without an answer.
HEALTH_PATHS = frozenset({"/health", "/ready", "/metrics"})
LISTENER_LIMITS = ServerLimits(header_timeout=10.0, max_connections=5000, refuse_when_full=True)


class Gateway:
    def __init__(self, host, port, fanout, commands, pump, session_options,
                 listener_limits=LISTENER_LIMITS):
        self.host = host
        self._requested_port = port
        self.port = None
        self._fanout = fanout
        self._commands = commands
        self._session_options = session_options
        self._sessions = set()
        self._closed_dropped = 0
        self._disconnects = Counts(max_keys=50)     # (close reason,)
        self.health = None                          # kzcore.health.HealthApp (create_gateway)
        self._pump = pump
        self._server = LimitedWSGIServer((host, port), self._app, listener_limits,
                                         handler_base=WebSocketHandler, busy_reply=_BUSY,
                                         timeout_reply=b"", log=None, error_log=log)

    def start(self):
        self._pump.start()
        self._fanout.start()
        self._server.start()
        self.host, self.port = self._server.address[:2]
        log.info("blackhole listening",
                 extra={"host": self.host, "port": self.port,
                        "header_timeout": self._server.limits.header_timeout,
                        "max_connections": self._server.limits.max_connections})
        return self.host, self.port

    def stop(self):
        self._server.close()                      # no new connections
        for session in list(self._sessions):      # their readers then end at once
            session.close(1001, "gateway shutting down")
        self._server.stop(timeout=1)
        self._fanout.stop()
        self._pump.stop()
        log.info("blackhole stopped", extra={"port": self.port})

    def stats(self):
        sessions = list(self._sessions)
        dropped = sum(s.outbox.total_dropped for s in sessions) + self._closed_dropped
        return dict(self._fanout.stats(), **self._server.stats(), sessions=len(sessions),
                    queued_frames=sum(len(s.outbox) for s in sessions), events_dropped=dropped,
                    resumes=self._commands.resumes, disconnects=self._disconnects.snapshot())

    # --- WSGI -----------------------------------------------------------------
    def _app(self, environ, start_response):
        websocket = environ.get("wsgi.websocket")
        if websocket is None:
            return self._http(environ, start_response)
        handler = websocket.handler
        sock = handler.socket
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self._session_options.send_buffer:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, self._session_options.send_buffer)
        session = Session(sock, websocket.stream.read, self._commands.handle, self._forget,
                          self._pump.notify, self._session_options,
                          peer="%s:%s" % handler.client_address[:2])
        self._sessions.add(session)
        self._pump.add(session)
        websocket.closed = True  # the Session owns the socket from here on
        session.run()
        return []

    def _forget(self, session):
        self._fanout.drop_session(session)
        self._pump.remove(session)
        if session in self._sessions:
            self._sessions.discard(session)
            self._closed_dropped += session.outbox.total_dropped
            self._disconnects.add(((session.close_reason or "unknown")[:60],))

    def _http(self, environ, start_response):
        if self.health is not None and environ.get("PATH_INFO") in HEALTH_PATHS:
            return self.health(environ, start_response)
        start_response("426 Upgrade Required", [("Content-Type", "text/plain"),
                                                ("Sec-WebSocket-Version", "13")])
        return [b"blackhole: connect with a websocket client (Kazoo blackhole protocol)\n"]


def create_gateway(config, *, consumer, signer, store, session_options=None,
                   max_subscriptions=100, account_cache_ttl=30.0):
    """Wire the gateway from its dependencies (the CLI and tests are the roots)."""
    session_options = session_options or SessionOptions()
    pump = Pump(session_options.write_interval)
    scope = AccountScope(store, ttl=account_cache_ttl)
    fanout = FanOut(consumer, scope, wake=pump.notify_many)
    commands = CommandHandler(signer, scope, fanout, max_subscriptions=max_subscriptions)
    listener_limits = dataclasses.replace(LISTENER_LIMITS,
                                          header_timeout=config.blackhole_header_timeout,
                                          max_connections=config.blackhole_max_connections)
    gateway = Gateway(config.blackhole_host, config.blackhole_port, fanout, commands, pump,
                      session_options, listener_limits)
    gateway.health = health_app(gateway, consumer, store)
    return gateway
