"""FreeSWITCH simulator fixtures: `fssim` (one node), `fssim_factory` (several), and
`sim_api(sim, command)` / `EslTestClient` to talk ESL over a real TCP socket."""
import socket

import pytest

from fssim import Simulator

TIMEOUT = 5.0


class EslTestClient:
    """A tiny raw ESL client for tests: auth, commands, and frame reading."""

    def __init__(self, host, port, password="ClueCon", timeout=TIMEOUT, auth=True):
        from kzcore.esl.frames import FrameParser
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.parser = FrameParser()
        self.frames = []
        self.raw = bytearray()
        self.read_frame()  # auth/request
        if auth:
            reply = self.command(f"auth {password}")
            if reply.headers.get("Reply-Text") != "+OK accepted":
                raise RuntimeError(f"auth failed: {reply.headers}")

    def send(self, text):
        self.sock.sendall(text.encode("utf-8") if isinstance(text, str) else text)

    def read_frame(self, timeout=TIMEOUT):
        self.sock.settimeout(timeout)
        while not self.frames:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("closed")
            self.raw.extend(data)
            self.frames.extend(self.parser.feed(data))
        return self.frames.pop(0)

    def command(self, line, headers=None):
        """Send one command; return the next command/reply or api/response frame
        (events arriving before it stay queued in `self.events`)."""
        from kzcore.esl.frames import encode_command
        self.send(encode_command(line, headers))
        return self.next_reply()

    def next_reply(self, timeout=TIMEOUT):
        held = []
        try:
            while True:
                frame = self.read_frame(timeout)
                if frame.content_type in ("command/reply", "api/response"):
                    return frame
                held.append(frame)
        finally:
            self.events.extend(held)

    @property
    def events(self):
        if not hasattr(self, "_events"):
            self._events = []
        return self._events

    def api(self, command):
        return self.command(f"api {command}").text()

    def wait_event(self, predicate, timeout=TIMEOUT):
        """First (already queued or next) event frame for which predicate(parsed) holds."""
        from kzcore.esl.frames import parse_event
        for index, frame in enumerate(self.events):
            parsed = parse_event(frame)
            if parsed is not None and predicate(parsed):
                del self.events[index]
                return parsed
        import time
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("event not received")
            frame = self.read_frame(remaining)
            parsed = parse_event(frame)
            if parsed is not None and predicate(parsed):
                return parsed
            self.events.append(frame)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def sim_api(sim, command, password=None):
    """Send `api <command>` to `sim` over a fresh raw TCP connection; return the body."""
    client = EslTestClient(sim.host, sim.port, password or sim.password)
    try:
        return client.api(command)
    finally:
        client.close()


@pytest.fixture
def fssim(tmp_path):
    """A fresh simulator on a free port, started in-process, stopped after the test."""
    sim = Simulator(port=0, recordings_dir=str(tmp_path / "recordings"))
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def fssim_factory(tmp_path):
    """make(hostname="vm", **kwargs) -> started Simulator; all stopped after the test."""
    started = []

    def make(hostname="vm", **kwargs):
        kwargs.setdefault("recordings_dir", str(tmp_path / f"recordings-{len(started)}"))
        sim = Simulator(port=0, hostname=hostname, **kwargs)
        sim.start()
        started.append(sim)
        return sim

    yield make
    for sim in started:
        sim.stop()


@pytest.fixture
def esl_client_factory():
    """make(sim, **kwargs) -> EslTestClient connected (and authenticated) to sim."""
    clients = []

    def make(sim, **kwargs):
        client = EslTestClient(sim.host, sim.port, kwargs.pop("password", sim.password),
                               **kwargs)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def events_on(esl_client_factory):
    """events_on(sim) -> client subscribed to conference::maintenance, JSON format."""
    def make(sim):
        client = esl_client_factory(sim)
        client.command("event json CHANNEL_CREATE CHANNEL_HANGUP_COMPLETE BACKGROUND_JOB "
                       "CUSTOM conference::maintenance")
        return client
    return make
