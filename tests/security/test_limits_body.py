"""Body limits per route, checked before the body is read, over a real socket:
the unauthenticated login endpoints take 16 KiB, JSON APIs 1 MiB, media uploads
their own (large) limit; a declared or a chunked body over the limit is a 413 in
the Kazoo envelope, under crossbar's gevent server and under gunicorn."""
import time

import gevent
import pytest
import requests

from tests.security.limits_support import (closed_by_server, connect, crossbar_server, envelope,
                                           gunicorn_server, head, read_response, send_chunked)

MEDIA_LIMIT = 3 * 1024 * 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    made = crossbar_server(tmp_path_factory.mktemp("body"), http_max_media_body=MEDIA_LIMIT)
    yield made
    made.stop()


def _is_413(status, body):
    assert status == 413, (status, body[:300])
    reply = envelope(body)
    assert (reply["status"], reply["error"], reply["error_id"]) == ("error", "413",
                                                                   "request_too_large")
    assert "too large" in reply["message"]
    return reply


def test_a_declared_length_over_the_auth_limit_is_refused_before_any_body_is_sent(server):
    for path in ("/v2/user_auth", "/v2/api_auth"):
        sock = connect(server.port)
        started = time.monotonic()
        sock.sendall(head("PUT", path, [("Content-Type", "application/json"),
                                        ("Content-Length", "60000000")]))
        status, _, body = read_response(sock, timeout=3)   # no body was sent at all
        assert time.monotonic() - started < 2
        _is_413(status, body)
        sock.close()


def test_a_chunked_body_over_the_auth_limit_is_413_not_400(server):
    sock = connect(server.port)
    sock.sendall(head("PUT", "/v2/user_auth", [("Content-Type", "application/json"),
                                               ("Transfer-Encoding", "chunked")]))
    send_chunked(sock, 40 * 1024)
    _is_413(*read_response(sock)[::2])
    sock.close()


def test_an_endless_chunked_body_gets_its_413_and_the_connection_is_closed(server):
    """The server does not drain what follows the limit (it would never end)."""
    sock = connect(server.port)
    sock.sendall(head("PUT", "/v2/user_auth", [("Content-Type", "application/json"),
                                               ("Transfer-Encoding", "chunked")]))
    sender = gevent.spawn(send_chunked, sock, 10 ** 12)   # stops when the server closes
    _is_413(*read_response(sock)[::2])
    assert closed_by_server(sock, 3.0)
    sender.join(timeout=3.0)
    assert sender.dead
    sock.close()


def test_a_body_just_under_the_auth_limit_is_read_and_judged(server):
    body = b'{"data":{"api_key":"nope"}}' + b" " * (16 * 1024 - 40)
    reply = requests.put(server.url("/v2/api_auth"), data=body, timeout=5,
                         headers={"Content-Type": "application/json"})
    assert reply.status_code == 401, reply.text


def test_json_apis_take_one_mebibyte_even_with_a_token(server):
    token = server.token()
    path = f"/v2/accounts/{server.admin['account_id']}/conferences"
    sock = connect(server.port)
    sock.sendall(head("PUT", path, [("Content-Type", "application/json"),
                                    ("X-Auth-Token", token), ("Transfer-Encoding", "chunked")]))
    send_chunked(sock, 2 * 1024 * 1024)
    _is_413(*read_response(sock)[::2])
    sock.close()
    big = {"data": {"name": "big", "flags": ["x" * 100] * 12000}}   # ~1.3 MB declared
    reply = requests.put(server.url(path), json=big, timeout=5, headers={"X-Auth-Token": token})
    _is_413(reply.status_code, reply.content)


def test_media_uploads_keep_their_own_larger_limit(server):
    token = server.token()
    base = f"/v2/accounts/{server.admin['account_id']}/media"
    created = requests.put(server.url(base), json={"data": {"name": "tone"}}, timeout=5,
                           headers={"X-Auth-Token": token})
    assert created.status_code == 201, created.text
    raw = f"{base}/{created.json()['data']['id']}/raw"

    def upload(size):
        sock = connect(server.port)
        sock.sendall(head("PUT", raw, [("Content-Type", "audio/wav"), ("X-Auth-Token", token),
                                       ("Transfer-Encoding", "chunked")]))
        send_chunked(sock, size, filler=b"\x00")
        try:
            return read_response(sock)
        finally:
            sock.close()
    status, _, body = upload(2 * 1024 * 1024)        # above the JSON limit, below media's
    assert status in (200, 201), body[:300]
    _is_413(*upload(MEDIA_LIMIT + 100 * 1024)[::2])   # chunked: counted, not truncated


@pytest.mark.slow
def test_under_gunicorn_chunked_and_declared_bodies_over_the_limit_are_413(tmp_path):
    server = gunicorn_server(tmp_path)
    try:
        sock = connect(server.port)
        sock.sendall(head("PUT", "/v2/user_auth", [("Content-Type", "application/json"),
                                                   ("Transfer-Encoding", "chunked")]))
        send_chunked(sock, 40 * 1024)
        _is_413(*read_response(sock)[::2])
        sock.close()
        sock = connect(server.port)
        sock.sendall(head("PUT", "/v2/api_auth", [("Content-Type", "application/json"),
                                                  ("Content-Length", "60000000")]))
        _is_413(*read_response(sock, timeout=3)[::2])
        sock.close()
    finally:
        server.stop()
