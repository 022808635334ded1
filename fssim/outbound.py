"""FreeSWITCH's ``socket`` dialplan application, simulated: outbound ESL.

The channel connects to a service (``socket host:port async full``), answers
``connect`` with one header-only frame of URL-encoded channel data, then serves
``myevents``, ``event``, ``linger``, ``getvar``, ``api`` and ``sendmsg``
(``execute`` with ``Event-UUID`` echoed as ``Application-UUID``, ``hangup``),
byte-compatible with fixtures/freeswitch/round2/outbound_*. Events reach the
socket only for this channel's Unique-ID. After CHANNEL_HANGUP_COMPLETE comes the
linger notice (commands still work while lingering); plain ``linger`` waits until
the service closes the socket.

``install(core)`` adds what the call-in service needs beyond the core's
applications (``record``, ``socket``, and ``conference`` with the ``wait-mod``
conference flag and ``conference_enter_sound``); ``place_call`` starts an
inbound call with a scripted caller (digits and hang-ups).
"""
import dataclasses
import logging

import gevent
from gevent import socket
from gevent.queue import Queue

from fssim import wire
from fssim.channel_headers import caller_block
from fssim.channels import CallerProfile, Channel
from fssim.media import write_silence_wav

log = logging.getLogger(__name__)

CONNECT_CALL = ("mod_event_socket.c", "parse_command", 2029)
CONNECT_TIMEOUT = 5.0


# --- the socket session ---------------------------------------------------------------
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
        return self.myevents or "ALL" in self.names or event.name in self.names

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

    # -- commands ----------------------------------------------------------------------
    def _reply(self, text):
        self._out.put(("frame", wire.command_reply(text)))

    def _command(self, line, headers):
        word, _, rest = line.strip().partition(" ")
        handler = COMMANDS.get(word)
        if handler is None:
            self._reply("-ERR command not found")
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


def _cmd_connect(session, rest, headers):
    session._out.put(("frame", session.connect_reply()))


def _cmd_myevents(session, rest, headers):
    session.myevents = True
    session.format = "json" if rest.startswith("json") else "plain"
    session._reply("+OK Events Enabled")


def _cmd_event(session, rest, headers):
    words = rest.split()
    if not words or words[0] not in ("plain", "json", "xml"):
        session._reply("-ERR invalid event format")
        return
    session.format = "json" if words[0] == "json" else "plain"
    custom = False
    for word in words[1:]:
        if word == "CUSTOM":
            custom = True
        elif custom and "::" in word:
            session.subclasses.add(word)
        else:
            session.names.add(word)
    session._reply(f"+OK event listener enabled {words[0]}")


def _cmd_linger(session, rest, headers):
    session.linger = int(rest) if rest.lstrip("-").isdigit() else -1
    session._reply("+OK will linger" if session.linger < 0
                   else f"+OK will linger {session.linger} seconds")


def _cmd_nolinger(session, rest, headers):
    session.linger = None
    session._reply("+OK will not linger")


def _cmd_getvar(session, rest, headers):
    value = session.channel.get_variable(rest)
    session._reply(value if isinstance(value, str) and value else "_undef_")


def _cmd_api(session, rest, headers):
    from fssim.api import execute_api
    session._out.put(("frame", wire.api_response(execute_api(session.core, rest))))


def _cmd_sendmsg(session, rest, headers):
    command = headers.get("call-command", "")
    if command == "execute":
        session._reply("+OK")
        session._apps.put((headers.get("execute-app-name", ""), headers.get("execute-app-arg", ""),
                           headers.get("Event-UUID")))
    elif command == "hangup":
        session._reply("+OK")
        cause = headers.get("hangup-cause") or "NORMAL_CLEARING"
        gevent.spawn(hangup_with_event, session.channel, cause)
    else:
        session._reply("-ERR invalid command")


def _cmd_exit(session, rest, headers):
    session._reply("+OK bye")
    session._out.put(("frame", wire.disconnect_notice([
        ("Controlled-Session-UUID", session.channel.uuid), ("Content-Disposition", "disconnect")])))
    return False


COMMANDS = {"connect": _cmd_connect, "myevents": _cmd_myevents, "event": _cmd_event,
            "linger": _cmd_linger, "nolinger": _cmd_nolinger, "getvar": _cmd_getvar,
            "api": _cmd_api, "sendmsg": _cmd_sendmsg, "exit": _cmd_exit}


def hangup_with_event(channel, cause="NORMAL_CLEARING"):
    """Hang the call up (Channel.hangup sends CHANNEL_HANGUP, the running
    application's completion, then CHANNEL_HANGUP_COMPLETE, as recorded)."""
    if channel.is_up:
        channel.hangup(cause)


# --- dialplan applications the call-in service uses ------------------------------------
def record(channel, arg):
    """``record <path> [limit]``: a WAV of silence as long as the caller 'spoke'."""
    words = arg.split()
    if not words:
        return "_none_"
    limit = float(words[1]) if len(words) > 1 and words[1].isdigit() else 3.0
    started = channel.core.clock.now()
    waited = 0.0
    while channel.is_up and waited < limit:
        channel.core.clock.sleep(0.1)
        waited += 0.1
    seconds = max(0.1, min(limit, channel.core.clock.now() - started))
    write_silence_wav(words[0], seconds, channel.rate)
    channel.set_variable("record_seconds", str(int(seconds)))
    return "_none_"


def _swap_enter_sound(conference, sound):
    """mod_conference plays ``conference_enter_sound`` instead of the profile's."""
    if conference is None or not sound:
        return None
    original = conference.profile
    conference.profile = dataclasses.replace(original, enter_sound=sound)
    return original


def conference_app(channel, arg):
    """``room@profile+flags{...}``; the list also sets conference flags on creation
    (``wait-mod``: members wait until a moderator joins)."""
    core = channel.core
    room, _, rest = arg.partition("@")
    profile, _, flags = rest.partition("+flags{")
    flags = [f for f in flags.rstrip("}").split("|") if f]
    existing = core.conferences.get(room)
    original = _swap_enter_sound(existing, channel.get_variable("conference_enter_sound"))
    try:
        member = channel.join_conference(room, profile or "default", flags)
    finally:
        if original is not None:
            existing.profile = original
    if member is None:
        return "_none_"
    conference = member.conference
    if existing is None and "wait-mod" in flags:
        conference.wait_mod = True
    if member.moderator:
        conference.wait_mod = False
    while channel.is_up and member.conference is conference:
        channel.done.wait(timeout=0.2)
    return "_none_"


def install(core):
    """Register the applications above on a simulated switch (idempotent)."""
    core.applications.register("record", record)
    core.applications.register("conference", conference_app)
    core.applications.register("socket", socket_app)


def socket_app(channel, arg):
    """``socket host:port [async] [full]`` run as an application."""
    words = arg.split()
    host, _, port = (words[0] if words else "").rpartition(":")
    if not host or not port.isdigit():
        return "_none_"
    run_socket(channel.core, channel, host, int(port), *(words[1:3] or ["async", "full"]))
    return "_none_"


# --- the dialplan side ----------------------------------------------------------------
def run_socket(core, channel, host, port, mode="async", control="full"):
    """Connect the channel to the service and serve it until the socket closes."""
    try:
        sock = socket.create_connection((host, port), timeout=CONNECT_TIMEOUT)
    except OSError as exc:
        log.warning("socket application could not connect", extra={"error": str(exc)})
        return None
    sock.settimeout(None)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as mod_event_socket does
    channel.set_state("CS_EXECUTE", None if channel.answered else "RINGING")
    channel.set_variable("current_application_data", f"{host}:{port} {mode} {control}")
    channel.set_variable("current_application", "socket")
    channel.set_variable("socket_host", host)
    session = OutboundSocket(core, channel, sock, mode, control)
    session.run()
    return session


def socket_extension(host, port):
    """A dialplan handler: ``socket host:port async full``, then hang up (fs_conf does)."""
    def handler(channel, match):
        install(channel.core)
        run_socket(channel.core, channel, host, port)
        if channel.is_up:
            hangup_with_event(channel)
    return handler


def run_script(channel, script):
    """The caller's side: ``[(delay_seconds, "12#"), (delay, "hangup")]``."""
    for delay, action in script or ():
        channel.core.clock.sleep(delay)
        if not channel.is_up:
            return
        if action == "hangup":
            hangup_with_event(channel)
            return
        channel.queue_dtmf(action)


def place_call(core, destination_number, caller_id_number, caller_id_name, variables=None,
               dtmf_script=None):
    """An inbound call to ``destination_number`` running the dialplan; returns the Channel."""
    install(core)
    profile = CallerProfile(caller_id_name, caller_id_number, destination_number,
                            source="mod_sofia", context="default")
    name = f"sofia/internal/{caller_id_number}@sim"
    pairs = [("direction", "inbound")] + [(k, str(v)) for k, v in (variables or {}).items()]
    channel = Channel(core, name, "inbound", profile, variables=pairs)
    channel.set_variable("uuid", channel.uuid)
    core.add_channel(channel)
    channel.announce()
    channel.set_state("CS_EXECUTE", "RINGING")
    if not core.dialplan.route(channel, destination_number):
        hangup_with_event(channel, "NO_ROUTE_DESTINATION")
    elif dtmf_script:
        gevent.spawn(run_script, channel, dtmf_script)
    return channel
