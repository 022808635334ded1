"""Plumbing for bench/events.py: processes, a minimal ESL client, a RabbitMQ tap
that timestamps arrivals, CPU accounting and the raw pika publish loop."""
import ctypes
import gc
import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time

import pika

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from kzcore.esl.frames import FrameParser, encode_command  # noqa: E402

EXCHANGE = "conference"
TICKS = os.sysconf("SC_CLK_TCK")


def _die_with_parent():
    """Children get SIGTERM when the bench dies, however it dies (Linux prctl)."""
    ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def spawn(args, env):
    return subprocess.Popen(args, cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                            preexec_fn=_die_with_parent)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Esl:
    """Just enough inbound ESL to drive the simulator (api commands)."""

    def __init__(self, port, password="ClueCon", timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self.parser, self.frames = FrameParser(), []
        self._next()                                   # auth/request
        self.sock.sendall(encode_command(f"auth {password}"))
        self._next()

    def _next(self):
        while not self.frames:
            self.frames.extend(self.parser.feed(self.sock.recv(65536)))
        return self.frames.pop(0)

    def api(self, command):
        self.sock.sendall(encode_command(f"api {command}"))
        return self._next().text()


def broker_pid():
    """RabbitMQ's Erlang VM when it runs on this machine (its CPU is reported), else None."""
    for stat in pathlib.Path("/proc").glob("[0-9]*/cmdline"):
        try:
            command = stat.read_bytes()
        except OSError:
            continue
        if b"beam.smp" in command and b"rabbit" in command:
            return int(stat.parent.name)
    return None


def cpu_seconds(pid):
    if pid is None:
        return 0.0
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


class Tap:
    """A fresh exclusive queue bound to routing keys; receive times recorded."""

    def __init__(self, url, routing_keys):
        self.connection = pika.BlockingConnection(pika.URLParameters(url))
        self.channel = self.connection.channel()
        self.channel.exchange_declare(EXCHANGE, exchange_type="topic", durable=True)
        self.queue = self.channel.queue_declare("", exclusive=True).method.queue
        for routing_key in routing_keys:
            self.channel.queue_bind(self.queue, EXCHANGE, routing_key=routing_key)
        self.received = []
        self.channel.basic_consume(self.queue, self._on_message, auto_ack=True)

    def _on_message(self, _channel, _method, _properties, body):
        self.received.append((time.time(), body))

    def collect(self, count, timeout):
        """Up to ``count`` messages as (arrival time, body). The collector's own
        garbage collection is off meanwhile: a full collection over the growing list
        of arrivals paused this process for up to ~60 ms, stamping late arrival
        times on every message queued meanwhile (seen with gc.callbacks)."""
        deadline = time.monotonic() + timeout
        gc.disable()
        try:
            while len(self.received) < count and time.monotonic() < deadline:
                self.connection.process_data_events(time_limit=0.05)
        finally:
            gc.enable()
        got, self.received = self.received[:count], self.received[count:]
        return got


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else None


def raw_publish(url, routing_key, body, count, rate):
    """Child process: the plain pika publish loop (paced at ``rate``/s unless 0);
    prints its start time and rate. Paced, it sends every message due so far and
    then sleeps to the next due one (as the generators do, at most ~1 ms late), so
    that a sleep per message does not cap the rate it can offer."""
    connection = pika.BlockingConnection(pika.URLParameters(url))
    channel = connection.channel()
    properties = pika.BasicProperties(content_type="application/json")
    t0, start, sent, index = time.time(), time.perf_counter(), [], 0
    while index < count:
        due = count if not rate else min(count, int((time.perf_counter() - start) * rate) + 1)
        while index < due:
            if rate:
                sent.append(time.time())
            channel.basic_publish(EXCHANGE, routing_key, body, properties)
            index += 1
        if rate and index < count:
            time.sleep(max(0.0, start + index / rate - time.perf_counter()))
    elapsed = time.perf_counter() - start
    connection.close()
    print(json.dumps({"t0": t0, "count": count, "elapsed": elapsed, "rate": count / elapsed,
                      "sent": sent}))


def run_raw(url, tap, routing_key, body, count, rate=0):
    """The raw loop in a child process; this process consumes what it publishes."""
    child = subprocess.Popen([sys.executable, __file__, "--raw-child", str(count), str(rate),
                              url, routing_key], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             preexec_fn=_die_with_parent)
    child.stdin.write(body)
    child.stdin.close()
    got = tap.collect(count, timeout=60)
    result = json.loads(child.stdout.read())
    child.wait()
    result["received"] = len(got)
    sent = result.pop("sent")
    if rate:
        latencies = [(arrived - (result["t0"] + index / rate)) * 1000
                     for index, (arrived, _) in enumerate(got)]
        from_send = [(arrived - sent[index]) * 1000 for index, (arrived, _) in enumerate(got)]
        result.update(p50_ms=round(percentile(latencies, 0.5), 2),
                      p99_ms=round(percentile(latencies, 0.99), 2),
                      sent_p50_ms=round(percentile(from_send, 0.5), 2),
                      sent_p99_ms=round(percentile(from_send, 0.99), 2))
    return result


if __name__ == "__main__":
    if sys.argv[1:2] == ["--raw-child"]:
        raw_publish(sys.argv[4], sys.argv[5], sys.stdin.buffer.read(), int(sys.argv[2]),
                    float(sys.argv[3]))
