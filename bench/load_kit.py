"""Load-generator kit for the benches: latency stats, a light keep-alive HTTP
client, and CPU accounting from /proc (how much of the machine the generator,
the server and everything else used)."""
import os
import resource
import socket
import time

OPS = ("create", "get", "list")


class Stats:
    def __init__(self):
        self.latencies = {op: [] for op in OPS}
        self.errors = {op: 0 for op in OPS}
        self.first_error = None

    def record(self, op, started, ok, detail=None):
        if ok:
            self.latencies[op].append(time.perf_counter() - started)
        else:
            self.errors[op] += 1
            self.first_error = self.first_error or f"{op}: {detail}"

    def to_json(self):
        return {"latencies": self.latencies, "errors": self.errors,
                "first_error": self.first_error}

    def merge(self, data):
        for op in OPS:
            self.latencies[op].extend(data["latencies"][op])
            self.errors[op] += data["errors"][op]
        self.first_error = self.first_error or data["first_error"]


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


# --- CPU accounting ------------------------------------------------------------

def process_cpu(pid):
    """utime + stime (seconds) of one process and its threads, or 0 if gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def child_pids(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as handle:
            return [int(p) for p in handle.read().split()]
    except OSError:
        return []


def machine_busy():
    """Busy CPU seconds of the whole machine since boot."""
    with open("/proc/stat", encoding="ascii") as handle:
        values = [int(v) for v in handle.readline().split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def own_cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def cpu_snapshot(server_pids):
    return {"generator": own_cpu(), "server": sum(process_cpu(p) for p in server_pids),
            "machine": machine_busy()}


def cpu_used(before, after, elapsed):
    """Cores used on average by generator, server and everything else."""
    used = {key: (after[key] - before[key]) / elapsed for key in before}
    used["other"] = max(0.0, used.pop("machine") - used["generator"] - used["server"])
    return used


# --- a light keep-alive HTTP client --------------------------------------------

class RawClient:
    """HTTP/1.1 keep-alive on a raw socket: sends prebuilt requests and reads the
    status line and Content-Length only (much less client CPU than http.client)."""

    def __init__(self, port, token):
        self.port = port
        self.headers = (f"Host: 127.0.0.1:{port}\r\nX-Auth-Token: {token}\r\n"
                        "Content-Type: application/json\r\n")
        self.sock, self.buffer = None, b""

    def request(self, method, path, body=b""):
        if self.sock is None:
            self.sock, self.buffer = socket.create_connection(("127.0.0.1", self.port), 30), b""
        self.sock.sendall(f"{method} {path} HTTP/1.1\r\n{self.headers}"
                          f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        status, length, close = self._read_head()
        while len(self.buffer) < length:
            self._fill()
        payload, self.buffer = self.buffer[:length], self.buffer[length:]
        if close:
            self.close()
        return status, payload

    def _read_head(self):
        while (end := self.buffer.find(b"\r\n\r\n")) < 0:
            self._fill()
        lines = self.buffer[:end].decode("latin-1").split("\r\n")
        self.buffer = self.buffer[end + 4:]
        status, length, close = int(lines[0].split(" ", 2)[1]), None, False
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "connection":
                close = value.strip().lower() == "close"
        if length is None:
            raise ConnectionError("response without Content-Length")
        return status, length, close

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("server closed the connection")
        self.buffer += chunk

    def close(self):
        if self.sock is not None:
            self.sock.close()
        self.sock, self.buffer = None, b""
