"""kz-ecallmgr as a real process (``python -m ecallmgr.cli``) for tests, with its
health server on a free port (read from its log), and readers that record, with
arrival times, what a switch emits and what a broker queue receives."""
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import gevent

from tests.support.paths import REPO as REPO_ROOT
from tests.support.rabbit import RabbitTap

STARTUP_TIMEOUT = 20.0


class EcallmgrProcess:
    def __init__(self, log_path, *, name, amqp_url, exchange, sims, **settings):
        self.name, self.log_path = name, log_path
        env = {k: v for k, v in os.environ.items() if not k.startswith("KZ_")}
        env.update({
            "PYTHONPATH": str(REPO_ROOT), "KZ_AMQP_URL": amqp_url, "KZ_NODE_NAME": name,
            "KZ_ESL_NODES": ",".join(f"{s.node_name}={s.host}:{s.port}:{s.password}"
                                     for s in sims),
            "KZ_AMQP_EXCHANGE": exchange, "KZ_ECALLMGR_HEALTH_PORT": "0",
            "KZ_LOG_FORMAT": "json", "KZ_LOG_LEVEL": "INFO", "KZ_ESL_TIMEOUT": "2",
        })
        env.update({f"KZ_{key.upper()}": str(value) for key, value in settings.items()})
        self.env = env
        self.process = None
        self.port = None

    def start(self):
        self._log = open(self.log_path, "ab")
        self.process = subprocess.Popen([sys.executable, "-m", "ecallmgr.cli"], env=self.env,
                                        stdout=subprocess.DEVNULL, stderr=self._log,
                                        cwd=str(REPO_ROOT))
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while self.port is None:
            assert self.process.poll() is None, f"{self.name} exited: {self.log_text()[-2000:]}"
            assert time.monotonic() < deadline, f"{self.name} never served /health"
            self.port = next((entry["port"] for entry in self.log_entries()
                              if entry.get("msg") == "health server listening"), None)
            gevent.sleep(0.05)
        return self

    def log_text(self):
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_entries(self):
        entries = []
        for line in self.log_text().splitlines():
            try:
                entries.append(json.loads(line))
            except ValueError:
                continue
        return entries

    def get(self, path, timeout=2.0):
        """(status, body): JSON parsed, /metrics as text."""
        url = f"http://127.0.0.1:{self.port}{path}"
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                status, data = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, data = error.code, error.read()
        text = data.decode()
        return status, (json.loads(text) if path != "/metrics" else text)

    def role(self, switch):
        return self.get("/health")[1]["roles"].get(switch)

    def wait_role(self, switch, role, timeout=10.0):
        deadline = time.monotonic() + timeout
        while self.role(switch) != role:
            assert time.monotonic() < deadline, f"{self.name} never became {role} for {switch}"
            gevent.sleep(0.02)

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=5)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self.process is not None:
            self._log.close()


class Recorder:
    """Reads continuously in a greenlet of its own; ``items`` holds (monotonic time, item)."""

    def __init__(self, read_some):
        self.items = []
        self._read_some = read_some
        self._greenlet = gevent.spawn(self._run)

    def _run(self):
        try:
            while True:
                for item in self._read_some():
                    self.items.append((time.monotonic(), item))
        except (ConnectionError, OSError):
            return                  # the other end went away: nothing more to record

    def settle(self, quiet=1.0, timeout=20.0):
        """Wait until nothing new arrived for ``quiet`` seconds."""
        deadline = time.monotonic() + timeout
        count, since = len(self.items), time.monotonic()
        while time.monotonic() - since < quiet and time.monotonic() < deadline:
            gevent.sleep(0.05)
            if len(self.items) != count:
                count, since = len(self.items), time.monotonic()

    def close(self):
        self._greenlet.kill(block=True, timeout=2)


class TimedTap(RabbitTap):
    """A RabbitTap that notes when each message arrived (not when a read returned)."""

    def _on_message(self, _channel, method, properties, body):
        self._buffer.append((time.monotonic(), method.routing_key, json.loads(body)))


class BusRecorder(Recorder):
    def __init__(self, tap):
        self.tap = tap
        super().__init__(lambda: tap.read(500, 0.05))

    def _run(self):
        while True:
            for at, key, payload in self._read_some():
                self.items.append((at, (key, payload)))


def record_bus(amqp_url, exchange, pattern="conference.event.#"):
    """Every message on ``exchange`` matching ``pattern``: (arrival, (routing_key, payload))."""
    return BusRecorder(TimedTap(amqp_url, pattern, exchange))


def record_switch(client):
    """Every event a raw ESL client (already subscribed) receives, parsed."""
    from kzcore.esl.frames import parse_event

    def read_some():
        event = parse_event(client.read_frame(timeout=3600))
        return [event] if event is not None else []
    return Recorder(read_some)
