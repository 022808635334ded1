"""The inbound ESL server: one :class:`EslSession` per TCP connection.

Reads command blocks, answers in order through one writer greenlet, and delivers the
events the connection subscribed to. `api` runs in the reading greenlet (a connection
waits for its api reply, as with FreeSWITCH); `bgapi` runs in its own greenlet and
ends with a BACKGROUND_JOB event.
"""
import itertools
import logging
import socket
import uuid as uuidlib

import gevent
from gevent.queue import Queue
from gevent.server import StreamServer

from fssim import wire
from fssim.api import api_reply, run_background_job
from fssim.subscription import Subscription

log = logging.getLogger(__name__)

BGAPI_CALL = ("mod_event_socket.c", "api_exec", 1580)
READ_SIZE = 65536
MAX_BACKLOG = 200_000  # frames queued for a client that does not read: drop it
_connection_ids = itertools.count(1)


class EslSession:
    def __init__(self, core, sock, address, password):
        self.core = core
        self.sock = sock
        self.address = address
        self.password = password
        self.id = next(_connection_ids)
        self.authed = False
        self.subscription = Subscription()
        self.out = Queue()
        self.closing = False
        self.commands = {
            "auth": self.cmd_auth, "api": self.cmd_api, "bgapi": self.cmd_bgapi,
            "event": self.cmd_event, "nixevent": self.cmd_nixevent,
            "noevents": self.cmd_noevents, "filter": self.cmd_filter, "exit": self.cmd_exit,
        }

    # -- plumbing ----------------------------------------------------------------------
    def run(self):
        writer = gevent.spawn(self._write_loop)
        self.core.subscribe(self.on_event)
        self.send(wire.auth_request())
        reader = wire.CommandReader()
        try:
            while not self.closing:
                data = self.sock.recv(READ_SIZE)
                if not data:
                    break
                for line, headers, body in reader.feed(data):
                    self.dispatch(line, headers, body)
                    if self.closing:
                        break
        except OSError as exc:
            log.info("esl connection error", extra={"connection": self.id, "error": str(exc)})
        except Exception:  # a bad client must not take the listener down
            log.exception("esl session failed", extra={"connection": self.id})
        finally:
            self.core.unsubscribe(self.on_event)
            self.out.put(None)
            writer.join(timeout=5)
            self.sock.close()

    def _write_loop(self):
        """One writer per connection; what queued up meanwhile goes out in one send."""
        while True:
            batch = [self.out.get()]
            while not self.out.empty() and len(batch) < 256 and batch[-1] is not None:
                batch.append(self.out.get_nowait())
            closing = batch[-1] is None
            data = b"".join(item for item in batch if item is not None)
            try:
                if data:
                    self.sock.sendall(data)
            except OSError:
                return
            if closing:
                return

    def send(self, data):
        if self.out.qsize() > MAX_BACKLOG and not self.closing:
            log.warning("esl client not reading, closing",
                        extra={"connection": self.id, "backlog": self.out.qsize()})
            self.closing = True
            try:
                self.sock.shutdown(2)
            except OSError:
                pass
            return
        self.out.put(data)

    def close_after_notice(self):
        self.send(wire.disconnect_notice())
        self.closing = True

    def on_event(self, event):
        if self.authed and not self.closing and self.subscription.wants(event):
            self.send(encoded(event, self.subscription.format))

    # -- commands ----------------------------------------------------------------------
    def dispatch(self, line, headers, body):
        name, _, args = line.strip().partition(" ")
        if not self.authed and name != "auth":
            self.send(wire.command_reply("-ERR invalid"))
            return
        handler = self.commands.get(name)
        if handler is None or (name in ("api", "bgapi") and not args.strip()):
            self.send(wire.command_reply("-ERR command not found"))
            return
        handler(args.strip(), dict(headers), body)

    def cmd_auth(self, args, headers, body):
        if args == self.password:
            self.authed = True
            self.send(wire.command_reply("+OK accepted"))
            return
        self.send(wire.command_reply("-ERR invalid"))
        self.close_after_notice()

    def log_command(self, kind, command):
        self.core.command_log.append({"connection": self.id, "kind": kind, "command": command})
        log.info("esl command", extra={"connection": self.id, "kind": kind, "command": command})

    def cmd_api(self, args, headers, body):
        self.log_command("api", args)
        self.send(wire.api_response(api_reply(self.core, args)))

    def cmd_bgapi(self, args, headers, body):
        self.log_command("bgapi", args)
        job_uuid = headers.get("Job-UUID") or str(uuidlib.uuid4())
        self.send(wire.command_reply(f"+OK Job-UUID: {job_uuid}", [("Job-UUID", job_uuid)]))
        gevent.spawn(run_background_job, self.core, job_uuid, args, BGAPI_CALL)

    def cmd_event(self, args, headers, body):
        fmt = self.subscription.enable(args.split())
        self.send(wire.command_reply(f"+OK event listener enabled {fmt}"))

    def cmd_nixevent(self, args, headers, body):
        self.subscription.nix(args.split())
        self.send(wire.command_reply("+OK events nixed"))

    def cmd_noevents(self, args, headers, body):
        self.subscription.clear()
        self.send(wire.command_reply("+OK no longer listening for events"))

    def cmd_filter(self, args, headers, body):
        words = args.split(None, 2)
        if words[:1] == ["delete"] and len(words) > 1:
            rest = args.split(None, 1)[1].split(None, 1)
            self.subscription.delete_filter(rest[0], rest[1] if len(rest) > 1 else None)
            self.send(wire.command_reply(
                f"+OK filter deleted. [{rest[0]}]=[{rest[1] if len(rest) > 1 else ''}]"))
            return
        header, _, value = args.partition(" ")
        if not header or not value:
            self.send(wire.command_reply("-ERR invalid syntax"))
            return
        self.subscription.add_filter(header, value)
        self.send(wire.command_reply(f"+OK filter added. [{header}]=[{value}]"))

    def cmd_exit(self, args, headers, body):
        self.send(wire.command_reply("+OK bye"))
        self.close_after_notice()


def encoded(event, fmt):
    """Each event is serialised once per format, however many connections want it."""
    cache = event.__dict__.setdefault("_encoded", {})
    if fmt not in cache:
        cache[fmt] = event.encode("json" if fmt == "json" else "plain")
    return cache[fmt]


class EslServer:
    """gevent StreamServer that runs an EslSession per connection."""

    def __init__(self, core, host, port, password, session_class=EslSession):
        self.core = core
        self.password = password
        self.session_class = session_class
        self.sessions = set()
        self.server = StreamServer((host, port), self._handle)

    def start(self):
        self.server.start()
        return self.server.server_host, self.server.server_port

    def stop(self):
        for session in list(self.sessions):
            session.closing = True
            try:
                session.sock.close()
            except OSError:
                pass
        self.server.stop(timeout=1)

    def _handle(self, sock, address):
        # mod_event_socket sets TCP_NODELAY: without it a reply written right after an
        # event waits for the client's delayed ACK (Nagle), ~40 ms per api call.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        session = self.session_class(self.core, sock, address, self.password)
        self.sessions.add(session)
        try:
            session.run()
        finally:
            self.sessions.discard(session)
