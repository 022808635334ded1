"""A minimal ESL server that replays event frames captured from fssim, for
bench/events.py: it measures ecallmgr without the simulator's own per-event cost.

It answers ``auth``, ``event``, ``api conference json_list`` (the captured reply)
and ``api replay_burst <count> <rate>``, which writes the captured
start-talking/stop-talking frames, alternating, to every subscribed connection at
``rate`` per second (events due in the same millisecond share one write), and
``api replay_times``, which returns the last burst's actual write times as JSON
``[[epoch_seconds, first_index, end_index], ...]`` so that the bench can measure
latency from the moment each event left the "switch" (as with FreeSWITCH's own
Event-Date-Timestamp), not from a schedule the replayer may lag behind.

    python bench/events_replay.py <port> <capture.json>
"""
from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import socket  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import gevent  # noqa: E402
from gevent.server import StreamServer  # noqa: E402

AUTH_REQUEST = b"Content-Type: auth/request\n\n"


def reply(text):
    return f"Content-Type: command/reply\nReply-Text: {text}\n\n".encode()


def api_response(body):
    data = body.encode()
    return b"Content-Type: api/response\nContent-Length: %d\n\n" % len(data) + data


class ReplayServer:
    def __init__(self, capture):
        self.frames = [capture["start"].encode("latin-1"), capture["stop"].encode("latin-1")]
        self.json_list = capture["json_list"]
        self.subscribers = set()
        self.writes = []        # (time.time() just before the write, first, end) of the last burst

    def handle(self, sock, _address):
        # as mod_event_socket (and fssim) do: without it, Nagle holds each small
        # event write for the reader's delayed ACK (~40 ms stalls in the bench)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(AUTH_REQUEST)
        buffer = b""
        try:
            while True:
                data = sock.recv(65536)
                if not data:
                    return
                buffer += data
                while b"\n\n" in buffer:
                    command, buffer = buffer.split(b"\n\n", 1)
                    self.command(sock, command.decode().split("\n")[0])
        except OSError:
            return
        finally:
            self.subscribers.discard(sock)

    def command(self, sock, line):
        if line.startswith("auth "):
            sock.sendall(reply("+OK accepted"))
        elif line.startswith("event "):
            self.subscribers.add(sock)
            sock.sendall(reply("+OK event listener enabled plain"))
        elif line == "api conference json_list":
            sock.sendall(api_response(self.json_list))
        elif line.startswith("api replay_burst "):
            _, _, count, rate = line.split()
            gevent.spawn(self.burst, int(count), float(rate))
            sock.sendall(api_response(f"+OK {count} events at {rate}/s\n"))
        elif line == "api replay_times":
            sock.sendall(api_response(json.dumps(self.writes)))
        elif line.startswith("api "):
            sock.sendall(api_response("-ERR no such command in the replay server\n"))
        else:
            sock.sendall(reply("-ERR command not found"))

    def burst(self, count, rate):
        start, sent = time.monotonic(), 0
        self.writes = writes = []
        while sent < count:
            due = min(count, int((time.monotonic() - start) * rate) + 1)
            if due > sent:
                data = b"".join(self.frames[n % 2] for n in range(sent, due))
                writes.append((time.time(), sent, due))
                for sock in list(self.subscribers):
                    try:
                        sock.sendall(data)
                    except OSError:
                        self.subscribers.discard(sock)
                sent = due
            gevent.sleep(0.0005)


def main(port, capture_path):
    with open(capture_path) as handle:
        server = ReplayServer(json.load(handle))
    StreamServer(("127.0.0.1", port), server.handle).serve_forever()


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
