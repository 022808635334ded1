"""The UDP side of a simulated SIP endpoint (a carrier's side, a switch's
profile), speaking fssim/sip_wire.py's datagrams."""
import gevent
from gevent import socket

from fssim import sip_wire


class UdpListener:
    """A SIP-shaped UDP listener (a carrier's side, a switch's profile): reads
    datagrams, hands each parsed request to ``handle(message, peer)`` in its own
    greenlet, answers with ``send``. Subclasses define ``handle``."""

    def __init__(self, host="127.0.0.1", port=0):
        self.calls = {}      # Call-ID -> (Channel, peer address)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((host, port))
        self.address = self.sock.getsockname()
        self._reader = gevent.spawn(self._read)

    def close(self):
        self._reader.kill(block=False)
        self.sock.close()

    def _read(self):
        while True:
            try:
                data, peer = self.sock.recvfrom(sip_wire.MAX_DATAGRAM)
            except OSError:
                return
            message = sip_wire.parse(data)
            if message is not None:
                self.received_line(data)
                gevent.spawn(self.handle, message, peer)

    def received_line(self, data):
        """Called with each parsed datagram (a hook for tests' records)."""

    def handle(self, message, peer):
        raise NotImplementedError

    def send(self, peer, status, call_id):
        try:
            self.sock.sendto(sip_wire.answer(status, call_id), peer)
        except OSError:
            pass


class CallingLeg:
    """The calling side of one answered SIP leg (a gateway leg, a bridge leg):
    ``channel`` is this switch's channel of the leg, ``sock`` its connected UDP
    socket and ``_send(method)`` its request. The far end's BYE hangs the channel
    up (the socket is closed first, so nothing answers it back); ``_bye`` sends ours."""

    def _await_bye(self):
        self.sock.settimeout(None)
        while self.channel.is_up:
            try:
                message = sip_wire.parse(self.sock.recv(sip_wire.MAX_DATAGRAM))
            except OSError:
                return
            if message is not None and message.method == "BYE":
                self.sock.close()
                self.channel.hangup("NORMAL_CLEARING")
                return

    def _bye(self):
        try:
            self._send("BYE")
            self.sock.close()
        except OSError:
            pass
