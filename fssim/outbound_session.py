"""One outbound ESL connection (FreeSWITCH's ``socket`` application, switch side).

Three greenlets per connection: the reader parses commands and answers through
the command table (fssim/outbound_commands.py), the writer owns the socket's
sends, the executor runs ``sendmsg execute`` applications in order. Events reach
the socket only for this channel's Unique-ID; after CHANNEL_HANGUP_COMPLETE
comes the disconnect notice, or the linger notice (commands still work while
lingering; plain ``linger`` waits until the service closes the socket).
"""
import gevent
from gevent.queue import Queue

from fssim import wire
from fssim.channel_headers import caller_block
from fssim.outbound_commands import COMMANDS

CONNECT_CALL = ("mod_event_socket.c", "parse_command", 2029)


# mod_event_socket's `myevents`: these events of the call, not all of them (no
# PLAYBACK_*: round 2's outbound sessions show none while the channel played).
MYEVENTS = {"CHANNEL_ANSWER", "CHANNEL_APPLICATION", "CHANNEL_BRIDGE", "CHANNEL_CREATE",
            "CHANNEL_DATA", "CHANNEL_DESTROY", "CHANNEL_EXECUTE", "CHANNEL_EXECUTE_COMPLETE",
            "CHANNEL_HANGUP", "CHANNEL_HANGUP_COMPLETE", "CHANNEL_ORIGINATE", "CHANNEL_UUID",
            "CHANNEL_OUTGOING", "CHANNEL_PARK", "CHANNEL_PROGRESS", "CHANNEL_PROGRESS_MEDIA",
            "CHANNEL_STATE", "CHANNEL_UNBRIDGE", "CHANNEL_UNPARK", "DETECTED_SPEECH", "DTMF",
            "NOTALK", "TALK"}

class OutboundSocket:
    def __init__(self, core, channel, sock, mode="async", control="full"):
        self.core, self.channel, self.sock = core, channel, sock
        self.mode, self.control = mode, control
        self.format = "plain"
        self.myevents = False
        self.names, self.subclasses = set(), set()
        self.linger = None          # None = off, -1 = forever, N seconds
        self.done = gevent.event.Event()
        self._out, self._apps = Queue(), Queue()

    # -- events ------------------------------------------------------------------------
    def wants(self, event):
        if event.get("Unique-ID") != self.channel.uuid:
            return False
        if event.name == "CUSTOM":
            return event.subclass in self.subclasses or "ALL" in self.names
        return (self.myevents and event.name in MYEVENTS) or "ALL" in self.names \
            or event.name in self.names

    def on_event(self, event):
        """Core listener: only enqueues (the core sends CHANNEL_HANGUP, the running
        application's completion, then CHANNEL_HANGUP_COMPLETE)."""
        if event.get("Unique-ID") != self.channel.uuid:
            return
        self._send_event(event)
        if event.name == "CHANNEL_HANGUP_COMPLETE":
            self._out.put(("hangup", None))

    def _send_event(self, event):
        if self.wants(event):
            self._out.put(("frame", event.encode(self.format)))

    # -- the connection ----------------------------------------------------------------
    def run(self):
        self.core.subscribe(self.on_event)
        writer = gevent.spawn(self._write_loop)
        executor = gevent.spawn(self._execute_loop)
        try:
            self._read_loop()
        finally:
            self.core.unsubscribe(self.on_event)
            self._apps.put(None)
            self._out.put(("close", None))
            writer.join(timeout=2)
            executor.kill(block=False)
            self._close()
            self.done.set()

    def _close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def _read_loop(self):
        reader = wire.CommandReader()
        while True:
            try:
                data = self.sock.recv(65536)
            except OSError:
                return
            if not data:
                return
            for line, headers, _body in reader.feed(data):
                if not self._command(line, headers):
                    return

    def _write_loop(self):
        while True:
            kind, payload = self._out.get()
            if kind == "close":
                return
            if kind == "hangup":
                self._after_hangup()
                continue
            try:
                self.sock.sendall(payload)
            except OSError:
                return

    def _after_hangup(self):
        ch = self.channel
        if self.linger is None:
            self._write(wire.disconnect_notice([("Controlled-Session-UUID", ch.uuid),
                                                ("Content-Disposition", "disconnect")]))
            self._close()
            return
        self._write(wire.frame([("Content-Type", "text/disconnect-notice"),
                                ("Controlled-Session-UUID", ch.uuid),
                                ("Content-Disposition", "linger"), ("Channel-Name", ch.name),
                                ("Linger-Time", str(self.linger)), ("Content-Length", "0")]))
        if self.linger >= 0:
            gevent.spawn_later(self.linger * self.core.clock.time_scale, self._linger_over)

    def _linger_over(self):
        self._write(wire.disconnect_notice([("Controlled-Session-UUID", self.channel.uuid),
                                            ("Content-Disposition", "disconnect")]))
        self._close()

    def _write(self, data):
        try:
            self.sock.sendall(data)
        except OSError:
            pass

    # -- commands (the handlers live in fssim/outbound_commands.py) -----------------------
    def send(self, frame):
        """Queue a frame for the writer (replies keep their order with events)."""
        self._out.put(("frame", frame))

    def reply(self, text):
        self.send(wire.command_reply(text))

    def queue_app(self, app, arg, event_uuid):
        """Run an application after those queued before it (``sendmsg execute``)."""
        self._apps.put((app, arg, event_uuid))

    def _command(self, line, headers):
        word, _, rest = line.strip().partition(" ")
        handler = COMMANDS.get(word)
        if handler is None:
            self.reply("-ERR command not found")
            return True
        return handler(self, rest.strip(), dict(headers)) is not False

    def connect_reply(self):
        ch = self.channel
        profile_block = [(name.replace("Caller-", "Channel-", 1), value)
                         for name, value in caller_block(ch)]
        event = self.core.events.make("CHANNEL_DATA", CONNECT_CALL, profile_block + ch.headers())
        pairs = [(name, wire._plain_value(value)) for name, value in event.headers]
        pairs += [("Content-Type", "command/reply"), ("Reply-Text", wire.url_encode("+OK\n")),
                  ("Socket-Mode", self.mode), ("Control", self.control)]
        return wire.frame(pairs)

    # -- executing applications --------------------------------------------------------
    def _execute_loop(self):
        while True:
            item = self._apps.get()
            if item is None:
                return
            app, arg, event_uuid = item
            if self.channel.is_up:
                self.channel.execute(app, arg, event_uuid)
