"""A transparent TCP proxy that records every connection through it, as
round4/project_session was recorded: ``tx`` is what the client sent, ``rx`` what the
server sent back, byte for byte, one pair per connection in the order they opened."""
import dataclasses
import socket

import gevent
from gevent.server import StreamServer

from kzcore.esl.frames import FrameParser


@dataclasses.dataclass
class Recorded:
    tx: bytearray = dataclasses.field(default_factory=bytearray)
    rx: bytearray = dataclasses.field(default_factory=bytearray)

    def commands(self):
        """The command blocks the client sent (each ends with a blank line)."""
        return [block for block in bytes(self.tx).decode("utf-8").split("\n\n") if block]

    def replies(self):
        """The command/reply and api/response frames, in order (one per command)."""
        return [frame for frame in FrameParser().feed(bytes(self.rx))
                if frame.content_type in ("command/reply", "api/response")]

    def events(self):
        return [frame for frame in FrameParser().feed(bytes(self.rx))
                if frame.content_type.startswith("text/event-")]


class RecordingProxy:
    def __init__(self, upstream):
        self.upstream = upstream  # (host, port)
        self.connections = []
        self.server = StreamServer(("127.0.0.1", 0), self._handle)

    def start(self):
        self.server.start()
        return self.server.server_port

    def stop(self):
        self.server.stop(timeout=1)

    def _handle(self, client, address):
        record = Recorded()
        self.connections.append(record)
        try:
            server = socket.create_connection(self.upstream, timeout=10)
        except OSError:
            client.close()
            return
        for sock in (client, server):
            sock.settimeout(None)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        pumps = [gevent.spawn(_pump, client, server, record.tx),
                 gevent.spawn(_pump, server, client, record.rx)]
        gevent.wait(pumps, count=1)
        for sock in (client, server):
            _close(sock)
        gevent.joinall(pumps, timeout=2)


def _pump(source, target, log):
    while True:
        try:
            data = source.recv(65536)
        except OSError:
            return
        if not data:
            return
        log.extend(data)
        try:
            target.sendall(data)
        except OSError:
            return


def _close(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
