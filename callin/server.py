"""The call-in listener: FreeSWITCH's ``socket`` application connects here.

A gevent ``StreamServer`` accepts each connection and runs one ``CallFlow`` in
its own greenlet. Before anything is sent, the peer's address must be allowed
(``callin.guard.PeerPolicy``) and fewer than ``max_calls`` calls may be open
(``kzcore.netlimits.ConnectionGate``); otherwise the socket is closed at once,
without a word (and counted in ``stats``). The
whole call is bounded by ``max_call_seconds``, every frame by the session's
limits. One ``PinThrottle`` and one ``CallinStats`` are shared by every call.
"""
import logging

import gevent
from gevent.pool import Pool
from gevent.server import StreamServer

from kzcore.netlimits import ConnectionGate, peer_host, refuse, warn_if_few_open_files

from callin.flow import CallFlow, CallinOptions
from callin.guard import PeerPolicy
from callin.session import OutboundSession
from callin.stats import CallinStats
from callin.throttle import PinThrottle

log = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1/8,::1"


class CallinServer:
    def __init__(self, directory, host="127.0.0.1", port=8084, options=None, max_calls=1000,
                 *, peers=None, throttle=None, stats=None, focus=None):
        """``focus``: callin.focus.FocusRouter when there are several nodes (callers
        who reach a node that is not their conference's focus are bridged there)."""
        self.directory = directory
        self.focus = focus
        self.options = options or CallinOptions()
        self.max_calls = max_calls
        self.peers = peers or PeerPolicy(LOOPBACK)
        self.throttle = throttle or PinThrottle()
        self.stats = stats or CallinStats()
        self._gate = ConnectionGate(max_calls)
        # An unbounded pool (the limit is ours, so that extra peers are closed at
        # once instead of waiting in the backlog) lets stop() end every call.
        self._server = StreamServer((host, port), self._handle, spawn=Pool())

    @property
    def address(self):
        return self._server.address

    @property
    def port(self):
        return self._server.server_port

    @property
    def listening(self):
        return bool(self._server.started)

    @property
    def active_calls(self):
        return self._gate.open

    def start(self):
        self._server.start()
        warn_if_few_open_files(self.max_calls, port=self.port)
        log.info("call-in listening", extra={"host": self.address[0], "port": self.port,
                                             "max_calls": self.max_calls})
        return self

    def serve_forever(self):
        self._server.serve_forever()

    def stop(self, timeout=5):
        self._server.stop(timeout=timeout)
        if self.focus is not None:
            self.focus.close()

    def _refuse(self, sock, peer, counter, message):
        log.warning(message, extra={"peer": peer, counter: self.stats.count(counter)})
        refuse(sock)

    def _handle(self, sock, address):
        peer = peer_host(address)
        if not self.peers.allows(peer):
            return self._refuse(sock, peer, "refused_peer", "call-in peer not allowed")
        if self._gate.enter(peer) is not None:
            return self._refuse(sock, peer, "refused_busy", "call-in connection limit reached")
        self.stats.count("calls")
        options = self.options
        session = OutboundSession(sock, timeout=options.command_timeout, peer=peer,
                                  limits=options.session_limits())
        flow = CallFlow(session, self.directory, options, self.throttle, self.stats, self.focus)
        try:
            with gevent.Timeout(options.max_call_seconds, False):
                flow.run()
        finally:
            session.close()
            self._gate.leave(peer)
            if session.dropped:
                self.stats.count("dropped_frames")
        return None
