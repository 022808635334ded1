"""A tiny load balancer for tests: a round-robin TCP proxy in front of several
backends (HTTP, websockets, anything over TCP).

Each new client connection goes to the next backend in turn; a backend that
refuses the connection is skipped (as a load balancer's failed health check
would), so killing one instance sends its clients, when they reconnect, to the
others. ``served`` counts connections per backend, ``cut()`` stops listening
and drops every relayed connection (a dependency that went away), ``start()``
listens again on the same port.
"""
import itertools
import socket

import gevent
from gevent.server import StreamServer


class RoundRobinProxy:
    def __init__(self, backends, connect_timeout=2.0):
        self.backends = [tuple(backend) for backend in backends]
        self.connect_timeout = connect_timeout
        self.served = [0] * len(self.backends)
        self.port = None
        self._turn = itertools.count()
        self._server = None
        self._links = set()

    @property
    def address(self):
        return ("127.0.0.1", self.port)

    def url(self, scheme="http", path=""):
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def start(self):
        self._server = StreamServer(("127.0.0.1", self.port or 0), self._relay)
        self._server.init_socket()
        self._server.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.start()
        self.port = self._server.server_port
        return self

    def cut(self):
        if self._server is not None:
            self._server.stop(timeout=0)
            self._server = None
        for sock in tuple(self._links):
            _close(sock)
        self._links.clear()

    stop = cut

    def _connect(self):
        """(index, socket) of the next backend that accepts, or (None, None)."""
        first = next(self._turn)
        for offset in range(len(self.backends)):
            index = (first + offset) % len(self.backends)
            try:
                return index, socket.create_connection(self.backends[index],
                                                       timeout=self.connect_timeout)
            except OSError:
                continue
        return None, None

    def _relay(self, client, _address):
        index, upstream = self._connect()
        if upstream is None:
            _close(client)
            return
        self.served[index] += 1
        upstream.settimeout(None)
        for sock in (client, upstream):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._links.update((client, upstream))
        pumps = [gevent.spawn(_pump, client, upstream), gevent.spawn(_pump, upstream, client)]
        gevent.joinall(pumps, count=1)
        for sock in (client, upstream):
            self._links.discard(sock)
            _close(sock)
        gevent.killall(pumps, block=False)


def _pump(source, sink):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                return
            sink.sendall(data)
    except OSError:
        return


def _close(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass
