"""The websocket gateway: a gevent WSGI server upgrading every request to a Session.

``create_gateway(config, *, consumer, signer, store) -> Gateway``; ``start()``
returns the bound ``(host, port)`` (``blackhole_port = 0`` picks a free port).
A plain HTTP ``GET /health`` answers the gateway's counters as JSON. The
listener (blackhole.listener) drops clients slow to send their headers and
refuses connections beyond ``blackhole_max_connections``.
"""
import dataclasses
import json
import logging
import socket

from blackhole.access import AccountScope
from blackhole.commands import CommandHandler
from blackhole.fanout import FanOut
from blackhole.listener import GuardedServer
from blackhole.pump import Pump
from blackhole.session import Session, SessionOptions

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class ListenerOptions:
    header_timeout: float = 10.0    # seconds to send the upgrade request's headers
    max_connections: int = 5000     # open connections; more are refused with 503


class Gateway:
    def __init__(self, host, port, fanout, commands, pump, session_options,
                 listener_options=ListenerOptions()):
        self.host = host
        self._requested_port = port
        self.port = None
        self._fanout = fanout
        self._commands = commands
        self._session_options = session_options
        self._sessions = set()
        self._closed_dropped = 0
        self._pump = pump
        self._server = GuardedServer((host, port), self._app, log=None, error_log=log,
                                     header_timeout=listener_options.header_timeout,
                                     max_connections=listener_options.max_connections)

    def start(self):
        self._pump.start()
        self._fanout.start()
        self._server.start()
        self.host, self.port = self._server.address[:2]
        log.info("blackhole listening",
                 extra={"host": self.host, "port": self.port,
                        "header_timeout": self._server.header_timeout,
                        "max_connections": self._server.max_connections})
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
                    queued_frames=sum(len(s.outbox) for s in sessions), events_dropped=dropped)

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

    def _http(self, environ, start_response):
        if environ.get("PATH_INFO") == "/health":
            body = json.dumps(dict(self.stats(), status="ok")).encode()
            start_response("200 OK", [("Content-Type", "application/json")])
            return [body]
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
    listener_options = ListenerOptions(header_timeout=config.blackhole_header_timeout,
                                       max_connections=config.blackhole_max_connections)
    return Gateway(config.blackhole_host, config.blackhole_port, fanout, commands, pump,
                   session_options, listener_options)
