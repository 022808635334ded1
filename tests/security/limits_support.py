"""Servers and raw HTTP for the limits tests: crossbar as ``kz-crossbar`` serves it
(``make_app`` + ``http_server``), the whole ``kz-all`` composition
(``kzdemo.stack.Stack``), and crossbar under gunicorn in a subprocess. Every
client talks to them over a real socket; ``source`` picks a loopback address
(127.0.0.N) so one test can be several clients."""
import dataclasses
import hashlib
import json
import os
import socket
import subprocess
import sys
import time

import requests

from crossbar.bootstrap import bootstrap
from tests.support.couch import free_port

ADMIN = {"account_name": "Limits Admin", "realm": "limits.test.local",
         "username": "admin", "password": "l1mits-admin"}
TOKEN_SECRET = "limits-test-secret"


@dataclasses.dataclass
class Server:
    base_url: str
    port: int
    admin: dict
    store: object = None
    stop: object = None

    def url(self, path):
        return f"{self.base_url}{path}"

    def token(self):
        reply = requests.put(self.url("/v2/api_auth"), timeout=5,
                             json={"data": {"api_key": self.admin["api_key"]}})
        assert reply.status_code == 201, reply.text
        return reply.json()["auth_token"]


def _config(tmp_path, **overrides):
    from kzcore.config import load_config
    values = dict(store_path=":memory:", esl_nodes="", listen_port=0, token_secret=TOKEN_SECRET,
                  recordings_dir=str(tmp_path / "recordings"), log_format="text")
    values.update(overrides)
    return load_config(env={}, **values)


def crossbar_server(tmp_path, **overrides):
    """crossbar alone, composed and served as ``kz-crossbar`` does (documents only)."""
    from crossbar.cli import close_app, http_server, make_app
    config = _config(tmp_path, **overrides)
    app = make_app(config)
    server = http_server(("127.0.0.1", 0), app, config)
    server.start()
    store = app.extensions["kz_crossbar"].store
    admin = bootstrap(store, **ADMIN)

    def stop():
        server.stop(timeout=1)
        close_app(app)
    return Server(f"http://127.0.0.1:{server.server_port}", server.server_port, admin, store,
                  stop)


def kz_all(tmp_path, **overrides):
    """The ``kz-all`` composition (simulator, ecallmgr, gateway, crossbar), no call-in."""
    from kzdemo.stack import Stack
    overrides.setdefault("esl_nodes", "freeswitch@limits=127.0.0.1:0:ClueCon")
    overrides.setdefault("blackhole_port", 0)
    product = Stack(_config(tmp_path, **overrides), with_callin=False).start()
    admin = bootstrap(product.store, **ADMIN)
    port = product.config.listen_port
    return Server(f"http://127.0.0.1:{port}", port, admin, product.store, product.stop)


def gunicorn_server(tmp_path, **env_overrides):
    """crossbar under gunicorn (one gevent worker) with crossbar/gunicorn_conf.py."""
    from kzcore.store.embedded import EmbeddedStore
    store_path = str(tmp_path / "gunicorn-store.sqlite3")
    seed = EmbeddedStore(store_path)
    from kzcore.schemas.loader import load_schemas
    load_schemas(seed)
    admin = bootstrap(seed, **ADMIN)
    seed.close()
    port = free_port()
    env = dict(os.environ, KZ_STORE="embedded", KZ_STORE_PATH=store_path, KZ_ESL_NODES="",
               KZ_TOKEN_SECRET=TOKEN_SECRET, KZ_LOG_LEVEL="WARNING", KZ_LISTEN_PORT=str(port),
               KZ_LISTEN_HOST="127.0.0.1", **env_overrides)
    env["PYTHONPATH"] = os.getcwd() + os.pathsep + env.get("PYTHONPATH", "")
    process = subprocess.Popen(
        [os.path.join(os.path.dirname(sys.executable), "gunicorn"), "-c",
         "python:crossbar.gunicorn_conf", "--workers", "1", "crossbar.wsgi:application"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def stop():
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
    _wait_ready(port, process, stop)
    return Server(f"http://127.0.0.1:{port}", port, admin, None, stop)


def _wait_ready(port, process, stop):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/v2/openapi.json", timeout=2)
            return
        except requests.RequestException:   # not listening, or the worker still loading
            if process.poll() is not None:
                raise RuntimeError(process.stderr.read().decode())
            time.sleep(0.1)
    stop()
    raise RuntimeError("gunicorn did not start")


# --- raw HTTP ---------------------------------------------------------------------

def connect(port, source=None, timeout=5.0):
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                    source_address=(source, 0) if source else None)
    return sock


def head(method, path, headers=()):
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"] + [f"{k}: {v}" for k, v in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def send_chunked(sock, total, chunk=8192, filler=b" "):
    """``total`` bytes of body as chunks (whitespace: valid JSON padding); stops
    quietly if the server closes."""
    sent = 0
    try:
        while sent < total:
            size = min(chunk, total - sent)
            sock.sendall(b"%x\r\n" % size + filler * size + b"\r\n")
            sent += size
        sock.sendall(b"0\r\n\r\n")
    except OSError:
        pass
    return sent


def read_response(sock, timeout=5.0):
    """``(status, headers, body bytes)`` of one response (Content-Length framed);
    ``(None, {}, b"")`` if the server closed without answering."""
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        part = _recv(sock)
        if not part:
            return None, {}, b""
        data += part
    header_text, _, body = data.partition(b"\r\n\r\n")
    lines = header_text.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:])}
    length = int(headers.get("content-length", 0))
    while len(body) < length:
        part = _recv(sock)
        if not part:
            break
        body += part
    return int(lines[0].split()[1]), headers, body


def _recv(sock):
    try:
        return sock.recv(65536)
    except ConnectionResetError:
        return b""


def closed_by_server(sock, timeout):
    """True if the server closes ``sock`` (or answers and closes) within ``timeout``."""
    sock.settimeout(timeout)
    try:
        while True:
            part = sock.recv(65536)
            if not part:
                return True
    except ConnectionResetError:
        return True
    except (socket.timeout, TimeoutError):
        return False


def envelope(body):
    return json.loads(body.decode())


def md5_credentials(username, password):
    return hashlib.md5(f"{username}:{password}".encode()).hexdigest()
