"""The call-in listener: FreeSWITCH's ``socket`` application connects here.

A gevent ``StreamServer`` accepts each connection and runs one ``CallFlow`` in
its own greenlet, with a pool bound so a flood of calls cannot exhaust the
process. The whole call is also bounded by ``max_call_seconds``.
"""
import logging

import gevent
from gevent.pool import Pool
from gevent.server import StreamServer

from callin.flow import CallFlow, CallinOptions
from callin.session import OutboundSession

log = logging.getLogger(__name__)


class CallinServer:
    def __init__(self, directory, host="127.0.0.1", port=8084, options=None, max_calls=1000):
        self.directory = directory
        self.options = options or CallinOptions()
        self._server = StreamServer((host, port), self._handle, spawn=Pool(max_calls))

    @property
    def address(self):
        return self._server.address

    @property
    def port(self):
        return self._server.server_port

    @property
    def active_calls(self):
        return len(self._server.pool) if self._server.pool is not None else 0

    def start(self):
        self._server.start()
        log.info("call-in listening", extra={"host": self.address[0], "port": self.port})
        return self

    def serve_forever(self):
        self._server.serve_forever()

    def stop(self, timeout=5):
        self._server.stop(timeout=timeout)

    def _handle(self, sock, address):
        session = OutboundSession(sock, timeout=self.options.command_timeout)
        flow = CallFlow(session, self.directory, self.options)
        try:
            with gevent.Timeout(self.options.max_call_seconds, False):
                flow.run()
        finally:
            session.close()
