"""A tiny scripted ESL server for client tests: it plays back recorded FreeSWITCH frames.

Not a simulator: it knows the protocol shell only (banner, auth, event
subscription, api, bgapi + BACKGROUND_JOB, exit) and answers api commands from a
table of fixture replies. Tests control it: per-command delays, dropping every
connection, pushing recorded events.
"""
from urllib.parse import quote

import gevent
import gevent.lock
from gevent.server import StreamServer

from kzcore.esl.frames import FrameParser, parse_headers
from tests.support.paths import fs_fixture

AUTH_BANNER = fs_fixture("auth_banner.esl")
AUTH_OK = fs_fixture("auth_ok_reply.esl")
AUTH_REFUSED = fs_fixture("auth_wrong_password.rx.esl")[len(AUTH_BANNER):]  # -ERR invalid + disconnect
SUBSCRIBED = fs_fixture("cmd_event_bad_format.esl")  # "+OK event listener enabled plain"
BYE = fs_fixture("bgapi_background_job.plain.rx.esl").split(b"Reply-Text: +OK bye\n\n")[1]
BYE = b"Content-Type: command/reply\nReply-Text: +OK bye\n\n" + BYE
JOB_TEMPLATE = FrameParser().feed(fs_fixture("bgapi_background_job_event.plain.esl"))[0]

RECORDED_API = {
    "conference room1 list": "api_conference_room1_list.esl",
    "conference room1 json_list": "api_conference_room1_json_list.esl",
    "conference room1 mute 9999": "api_conference_room1_mute_9999.esl",
    "conference room1 lock": "api_conference_room1_lock.esl",
    "conference room1 unlock": "api_conference_room1_unlock.esl",
    "conference list": "api_conference_list.esl",
    "conference json_list": "api_conference_json_list.esl",
    "version": "api_version.esl",
    "status": "api_status.esl",
}


def api_response(body):
    return b"Content-Type: api/response\nContent-Length: %d\n\n" % len(body) + body


def recorded_body(name):
    return FrameParser().feed(fs_fixture(name))[0].body


def plain_event(headers, body=b""):
    """An event frame, values URL-encoded as FreeSWITCH does; ``body`` after an inner Content-Length."""
    lines = [f"{name}: {quote(str(value), safe='')}" for name, value in headers.items()
             if name not in ("Content-Length", "_body")]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    inner = ("\n".join(lines) + "\n\n").encode() + body
    return b"Content-Length: %d\nContent-Type: text/event-plain\n\n" % len(inner) + inner


class EslScriptServer:
    def __init__(self, password="ClueCon", api=None):
        self.password = password
        self.api = dict(api or {})          # command -> body bytes (default: RECORDED_API, else -ERR)
        self.delays = {}                    # command (api or bgapi) -> seconds before answering
        self.commands = []                  # every command line received, in order
        self.subscriptions = []             # every "event ..." line received
        self.filters = []                   # every "filter ..." line received
        self.accepted = 0
        self._connections = set()
        self._server = StreamServer(("127.0.0.1", 0), self._handle)

    @property
    def port(self):
        return self._server.server_port

    def start(self):
        self._server.start()
        return self

    def stop(self):
        self.drop_all()
        self._server.stop(timeout=1)

    def drop_all(self):
        for connection in list(self._connections):
            connection.close()

    def push(self, frame_bytes):
        """Send raw frame bytes (e.g. a recorded event) to every subscribed connection."""
        for connection in list(self._connections):
            if connection.subscribed:
                connection.write(frame_bytes)

    def _handle(self, sock, address):
        connection = _Connection(self, sock)
        self.accepted += 1
        self._connections.add(connection)
        try:
            connection.run()
        finally:
            self._connections.discard(connection)

    def answer(self, command):
        if command in self.api:
            return self.api[command]
        if command in RECORDED_API:
            return recorded_body(RECORDED_API[command])
        if command.startswith("echo "):
            return command[5:].encode() + b"\n"
        return f"-ERR {command.split(' ')[0]} Command not found!\n".encode()


class _Connection:
    def __init__(self, server, sock):
        self.server, self.sock = server, sock
        self.subscribed = False
        self._write_lock = gevent.lock.Semaphore()
        self._greenlets = []

    def write(self, data):
        with self._write_lock:
            try:
                self.sock.sendall(data)
            except OSError:
                pass

    def close(self):
        try:
            self.sock.shutdown(2)
        except OSError:
            pass
        self.sock.close()

    def run(self):
        self.write(AUTH_BANNER)
        buffer, authed = b"", False
        while True:
            try:
                data = self.sock.recv(65536)
            except OSError:
                return
            if not data:
                return
            *blocks, buffer = (buffer + data).split(b"\n\n")
            for block in blocks:
                line, _, rest = block.decode().partition("\n")
                self.server.commands.append(line)
                if not authed:
                    authed = self._auth(line)
                    if not authed:
                        return self.close()
                elif not self._command(line, parse_headers(rest)):
                    return self.close()

    def _auth(self, line):
        if line == f"auth {self.server.password}":
            self.write(AUTH_OK)
            return True
        self.write(AUTH_REFUSED)
        return False

    def _command(self, line, headers):
        if line.startswith("event "):
            self.server.subscriptions.append(line)
            self.subscribed = True
            self.write(SUBSCRIBED)
        elif line.startswith("api "):
            gevent.sleep(self.server.delays.get(line[4:], 0))
            self.write(api_response(self.server.answer(line[4:])))
        elif line.startswith("bgapi "):
            self._bgapi(line[6:], headers.get("Job-UUID"))
        elif line.startswith("filter "):
            self.server.filters.append(line)
            header, _, value = line[7:].partition(" ")
            reply = f"+OK filter added. [{header}]=[{value}]" if header and value else "-ERR invalid syntax"
            self.write(f"Content-Type: command/reply\nReply-Text: {reply}\n\n".encode())
        elif line == "exit":
            self.write(BYE)
            return False
        else:
            self.write(b"Content-Type: command/reply\nReply-Text: -ERR command not found\n\n")
        return True

    def _bgapi(self, command, job_uuid):
        self.write(b"Content-Type: command/reply\nReply-Text: +OK Job-UUID: %s\nJob-UUID: %s\n\n"
                   % (job_uuid.encode(), job_uuid.encode()))

        def finish():
            gevent.sleep(self.server.delays.get(command, 0))
            event = dict(parse_headers(JOB_TEMPLATE.body.split(b"\n\n")[0], decode=True))
            name, _, arg = command.partition(" ")
            event.update({"Job-UUID": job_uuid, "Job-Command": name, "Job-Command-Arg": arg})
            self.write(plain_event(event, self.server.answer(command)))
        self._greenlets.append(gevent.spawn(finish))

