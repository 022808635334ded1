"""CouchDB-backend specifics: unreachable/slow servers and credentials."""
import json
import time

import gevent
import pytest
from gevent.server import StreamServer

from kzcore.errors import Conflict, NotFound, StoreUnavailable
from kzcore.store.couch import CouchStore
from tests.support.couch import free_port

DB = "account/ab/cd/ef0123456789abcdef0123456789"


def test_connection_refused_is_store_unavailable():
    store = CouchStore(f"http://127.0.0.1:{free_port()}", timeout=2.0)
    for call in (lambda: store.get(DB, "x"), lambda: store.save(DB, {"a": 1}),
                 lambda: store.find(DB, {}), lambda: store.db_exists(DB)):
        with pytest.raises(StoreUnavailable):
            call()


def _server(handler):
    server = StreamServer(("127.0.0.1", 0), handler)
    server.start()
    return server


def test_silent_server_times_out_as_store_unavailable():
    server = _server(lambda sock, _addr: gevent.sleep(10))
    try:
        store = CouchStore(f"http://127.0.0.1:{server.server_port}", timeout=0.5)
        started = time.monotonic()
        with pytest.raises(StoreUnavailable):
            store.get(DB, "x")
        assert time.monotonic() - started < 3
    finally:
        server.stop(timeout=1)


def test_credentials_are_sent_and_slashes_encoded():
    requests = []

    def handler(sock, _addr):
        head = b""
        while b"\r\n\r\n" not in head:
            head += sock.recv(4096)
        requests.append(head.decode())
        body = json.dumps({"_id": "x", "_rev": "1-" + "0" * 32}).encode()
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        sock.close()

    server = _server(handler)
    try:
        store = CouchStore(f"http://127.0.0.1:{server.server_port}", "admin", "s3cret")
        assert store.get(DB, "x")["_id"] == "x"
    finally:
        server.stop(timeout=1)
    request_line, *headers = requests[0].split("\r\n")
    assert request_line == "GET /account%2Fab%2Fcd%2Fef0123456789abcdef0123456789/x HTTP/1.1"
    assert "Authorization: Basic YWRtaW46czNjcmV0" in headers


def _couch_3_4_3(answers):
    """A server that answers each request line as Apache CouchDB 3.4.3 did (``answers``:
    method -> (status line, headers, JSON body)); records the request lines."""
    seen = []

    def handler(sock, _addr):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                return
            data += chunk
        line = data.split(b"\r\n", 1)[0].decode()
        seen.append(line)
        status, headers, body = answers[line.split(" ", 1)[0]]
        payload = json.dumps(body).encode() if body is not None else b""
        extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        sock.sendall(f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n{extra}"
                     f"Content-Length: {len(payload)}\r\n\r\n".encode() + payload)
        sock.close()
    return _server(handler), seen


def test_stale_rev_attachment_delete_is_a_conflict_as_couchdb_answers_it():
    """Real CouchDB 3.4.3 answers a delete of an attachment with a stale revision that had
    no such attachment 404 "Document is missing attachment" (pouchdb-server: 409). The
    store must say Conflict on both, as the contract test expects."""
    current = "3-" + "b" * 32
    server, seen = _couch_3_4_3({
        "DELETE": ("404 Object Not Found", {},
                   {"error": "not_found", "reason": "Document is missing attachment"}),
        "HEAD": ("200 OK", {"ETag": f'"{current}"'}, None)})
    try:
        store = CouchStore(f"http://127.0.0.1:{server.server_port}")
        with pytest.raises(Conflict):
            store.delete_attachment(DB, "media2", "1-" + "a" * 32, "a.mp3")
    finally:
        server.stop(timeout=1)
    assert seen[0].startswith("DELETE /account%2Fab%2Fcd%2Fef0123456789abcdef0123456789/media2/a.mp3?rev=1-")


def test_attachment_missing_at_the_current_rev_is_not_found():
    current = "3-" + "b" * 32
    server, _seen = _couch_3_4_3({
        "DELETE": ("404 Object Not Found", {},
                   {"error": "not_found", "reason": "Document is missing attachment"}),
        "HEAD": ("200 OK", {"ETag": f'"{current}"'}, None)})
    try:
        store = CouchStore(f"http://127.0.0.1:{server.server_port}")
        with pytest.raises(NotFound):
            store.delete_attachment(DB, "media2", current, "a.mp3")
    finally:
        server.stop(timeout=1)
