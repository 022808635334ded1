"""Login throttling over HTTP: per login identifier and per source address, for
user_auth and api_auth; a 429 in the Kazoo envelope with Retry-After, a lockout
that grows, the right password refused while locked, a success that clears the
identifier's count. Clients come from several loopback addresses (127.0.0.N)."""
import http.client
import json
import time

import pytest

from tests.security.limits_support import ADMIN, crossbar_server, md5_credentials

LOCKOUT = 1.0


@pytest.fixture
def server(tmp_path):
    made = crossbar_server(tmp_path, login_max_failures=5, login_max_failures_per_address=12,
                           login_lockout=LOCKOUT, login_max_lockout=60.0, login_window=60.0)
    yield made
    made.stop()


def _put(server, path, data, source="127.0.0.1"):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5,
                                      source_address=(source, 0))
    try:
        conn.request("PUT", path, body=json.dumps({"data": data}),
                     headers={"Content-Type": "application/json"})
        reply = conn.getresponse()
        return reply.status, dict(reply.getheaders()), json.loads(reply.read())
    finally:
        conn.close()


def _login(server, password, source="127.0.0.1", **identifier):
    identifier = identifier or {"account_name": ADMIN["account_name"]}
    return _put(server, "/v2/user_auth",
                {"credentials": md5_credentials(ADMIN["username"], password), **identifier},
                source)


def _assert_throttled(reply):
    status, headers, body = reply
    assert status == 429, (status, body)
    assert (body["status"], body["error"], body["error_id"]) == ("error", "429",
                                                                 "too_many_requests")
    assert not body.get("auth_token")
    retry_after = int(headers["Retry-After"])
    assert retry_after >= 1 and body["data"]["retry_after"] == retry_after
    return retry_after


def test_a_burst_of_wrong_passwords_locks_the_name_even_for_the_right_one(server):
    statuses = [_login(server, f"guess-{n}")[0] for n in range(50)]
    assert statuses == [401] * 5 + [429] * 45          # only five were even looked at
    retry_after = _assert_throttled(_login(server, ADMIN["password"]))
    time.sleep(retry_after)
    assert _login(server, ADMIN["password"])[0] == 201


def test_each_failure_after_a_lockout_doubles_it(server):
    for n in range(5):
        assert _login(server, f"guess-{n}")[0] == 401
    first = _assert_throttled(_login(server, "guess-x"))
    time.sleep(first)
    assert _login(server, "guess-6")[0] == 401          # judged again, and failed
    assert _assert_throttled(_login(server, ADMIN["password"])) == 2 * first


def test_a_success_clears_the_count_of_its_name(server):
    for _ in range(2):
        for n in range(4):
            assert _login(server, f"guess-{n}")[0] == 401
        assert _login(server, ADMIN["password"])[0] == 201


def test_realm_and_number_logins_are_counted_too(server):
    realm = {"account_realm": ADMIN["realm"]}
    for n in range(5):
        assert _login(server, f"guess-{n}", **realm)[0] == 401
    _assert_throttled(_login(server, ADMIN["password"], **realm))
    number = {"phone_number": "+1 415 555 0100"}
    for n in range(5):
        assert _login(server, f"guess-{n}", **number)[0] == 401
    _assert_throttled(_login(server, "guess", phone_number="14155550100"))


def test_one_address_guessing_across_names_is_locked_out(server):
    for n in range(12):                                  # 12 names, each far below 5 failures
        assert _login(server, "wrong", "127.0.0.2", account_name=f"victim {n}")[0] == 401
    _assert_throttled(_login(server, ADMIN["password"], "127.0.0.2"))
    assert _login(server, ADMIN["password"], "127.0.0.3")[0] == 201   # others still log in


def test_api_auth_is_throttled_per_address(server):
    for n in range(12):
        assert _put(server, "/v2/api_auth", {"api_key": f"{n:064x}"}, "127.0.0.4")[0] == 401
    _assert_throttled(_put(server, "/v2/api_auth", {"api_key": server.admin["api_key"]},
                           "127.0.0.4"))
    assert _put(server, "/v2/api_auth", {"api_key": server.admin["api_key"]},
                "127.0.0.5")[0] == 201
