"""A client posing as FreeSWITCH on the call-in socket (the attacker of issue 17, or a
switch whose prompts are missing), speaking the outbound-socket protocol over TCP.

It connects to the call-in service and answers what the service sends the way the
recorded switch did (round2 ``outbound_*`` fixtures): the connect reply is the
recorded one with the channel headers the test chooses (a forged ``Unique-ID``,
a missing secret...), ``sendmsg`` execute gets ``+OK`` then a
CHANNEL_EXECUTE_COMPLETE carrying ``Application-UUID``, and each application's
variables come from ``apps`` handlers the test supplies (``play_and_get_digits``
digits, a playback that fails...). Everything the service sent is kept in
``received`` (raw bytes) and ``commands``.
"""
import socket
import time
from urllib.parse import quote

import gevent
from gevent.event import Event

from kzcore.esl.frames import FrameParser
from tests.support.esl_script_server import plain_event
from tests.support.paths import fs_fixture

CONNECT = FrameParser().feed(fs_fixture("round2/outbound_connect_reply.esl"))[0].headers
REPLIES = {"myevents": "+OK Events Enabled", "event": "+OK event listener enabled plain",
           "linger": "+OK will linger 5 seconds"}
DISCONNECT = fs_fixture("round2/outbound_disconnect_notice_final.esl")


def connect_reply(channel):
    """The recorded connect reply with ``channel`` headers replaced or added (None removes)."""
    headers = dict(CONNECT)
    tail = {name: headers.pop(name) for name in ("Content-Type", "Reply-Text", "Socket-Mode",
                                                  "Control")}
    for name, value in channel.items():
        if value is None:
            headers.pop(name, None)
        else:
            headers[name] = quote(str(value), safe="")
    headers.update(tail)
    return ("".join(f"{k}: {v}\n" for k, v in headers.items()) + "\n").encode()


def reply(text):
    return f"Content-Type: command/reply\nReply-Text: {text}\n\n".encode()


def api_reply(text):
    body = text.encode()
    return b"Content-Type: api/response\nContent-Length: %d\n\n" % len(body) + body


def digits(entry):
    """An ``apps`` handler: play_and_get_digits collecting ``entry`` (as round2 recorded)."""
    def handler(arg):
        variable = arg.split()[7]
        return {"variable_read_result": "success", f"variable_{variable}": entry}
    return handler


class FakeSwitch:
    def __init__(self, port, channel=None, apps=None, host="127.0.0.1", timeout=5.0):
        self.uuid = (channel or {}).get("Unique-ID") or CONNECT["Unique-ID"]
        self.channel = {"Unique-ID": self.uuid, "Channel-Unique-ID": self.uuid,
                        "Caller-Unique-ID": self.uuid, **(channel or {})}
        self.apps = dict(apps or {})
        self.received = bytearray()
        self.commands, self.executed = [], []
        self.times = []                 # when each command arrived (time.monotonic)
        self.closed = Event()
        self.hungup_with = None
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self._parser = FrameParser()
        self._reader = gevent.spawn(self._serve)

    # --- what the service sent ------------------------------------------------
    def _serve(self):
        try:
            while True:
                data = self.sock.recv(65536)
                if not data:
                    break
                self.received.extend(data)
                for frame in self._parser.feed(data):
                    self._answer(frame)
        except OSError:
            pass
        finally:
            self.closed.set()

    def _answer(self, frame):
        line = next(iter(frame.headers), "")
        headers = frame.headers
        self.commands.append((line, headers))
        self.times.append(time.monotonic())
        word = line.split(" ", 1)[0]
        if word == "connect":
            self.send(connect_reply(self.channel))
        elif word in REPLIES:
            self.send(reply(REPLIES[word]))
        elif word == "api":
            self.send(api_reply(f"-ERR Conference {line.split()[2]} not found\n"))
        elif word == "sendmsg":
            self._sendmsg(headers)
        else:
            self.send(reply("-ERR command not found"))

    def _sendmsg(self, headers):
        self.send(reply("+OK"))
        if headers.get("call-command") == "hangup":
            self.hungup_with = headers.get("hangup-cause")
            self.hangup(headers.get("hangup-cause") or "NORMAL_CLEARING")
            return
        app, arg = headers.get("execute-app-name"), headers.get("execute-app-arg", "")
        self.executed.append((app, arg))
        if app == "conference":
            return                       # in the room until the test hangs up
        handler = self.apps.get(app)
        extra = handler(arg) if handler else {}
        if app == "playback":
            extra.setdefault("Application-Response", "FILE PLAYED")
        self.complete(app, arg, headers.get("Event-UUID"), extra)

    # --- what the switch says ---------------------------------------------------
    def send(self, data):
        try:
            self.sock.sendall(data)
        except OSError:
            pass

    def event(self, name, extra=None):
        headers = {"Event-Name": name, "Unique-ID": self.uuid, "Answer-State": "answered",
                   **(extra or {})}
        self.send(plain_event(headers))

    def complete(self, app, arg, event_uuid, extra):
        response = extra.pop("Application-Response", "_none_")
        self.event("CHANNEL_EXECUTE_COMPLETE", {**extra, "Application": app,
                                                "Application-Data": arg,
                                                "Application-Response": response,
                                                "Application-UUID": event_uuid})

    def hangup(self, cause="NORMAL_CLEARING"):
        self.event("CHANNEL_HANGUP", {"Answer-State": "hangup", "Hangup-Cause": cause})
        self.send(DISCONNECT)
        self.close()

    # --- test helpers -----------------------------------------------------------
    def sent_text(self):
        return bytes(self.received).decode("utf-8", "replace")

    def next_command_after(self, moment):
        """Seconds from ``moment`` to the first command the service sent after it."""
        return next((t - moment for t in self.times if t > moment), None)

    def apps_run(self, name):
        return [arg for app, arg in self.executed if app == name]

    def wait(self, predicate, timeout=5.0):
        with gevent.Timeout(timeout, AssertionError("the service never did that")):
            while not predicate():
                gevent.sleep(0.01)

    def wait_closed(self, timeout=5.0):
        assert self.closed.wait(timeout), "the service kept the socket open"

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


def read_all(sock, timeout=5.0):
    """Everything the peer sends until it closes (b'' at once: closed at once)."""
    sock.settimeout(timeout)
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data

