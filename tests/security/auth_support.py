"""Helpers (no tests) for the revocation, privilege and API key tests: Kazoo
calls over HTTP against the in-process stack (tests/support/stack.py: crossbar,
the blackhole gateway, the simulator, each on its own port) and a small
websocket client that reports how the gateway closed the socket."""
import dataclasses
import hashlib
import json
import struct
import time
import uuid

import requests
import websocket

HTTP_TIMEOUT = 5.0


@dataclasses.dataclass
class Reply:
    status: int
    body: dict

    @property
    def data(self):
        return self.body.get("data")


@dataclasses.dataclass
class Tenant:
    account_id: str
    name: str
    api_key: str
    token: str          # an api_auth token


class Api:
    def __init__(self, stack):
        self.stack = stack
        self.base = f"{stack.base_url}/v2"

    def call(self, method, path, data=None, token=None):
        headers = {"X-Auth-Token": token} if token else {}
        reply = requests.request(method, f"{self.base}{path}", headers=headers,
                                 timeout=HTTP_TIMEOUT,
                                 json=None if data is None else {"data": data})
        return Reply(reply.status_code, reply.json())

    def api_auth(self, api_key):
        return self.call("PUT", "/api_auth", {"api_key": api_key})

    def user_auth(self, username, password, account_name):
        credentials = hashlib.md5(f"{username}:{password}".encode()).hexdigest()
        return self.call("PUT", "/user_auth", {"credentials": credentials,
                                               "account_name": account_name})

    def root(self):
        admin = self.stack.admin
        return Tenant(admin["account_id"], admin["account_name"], admin["api_key"],
                      self.token_for(admin["api_key"]))

    def token_for(self, api_key):
        reply = self.api_auth(api_key)
        assert reply.status == 201, reply.body
        return reply.body["auth_token"]

    def child(self, parent, label="tenant"):
        """A new child account of ``parent`` (a Tenant), with its API key and a token."""
        name = f"{label} {uuid.uuid4().hex[:10]}"
        made = self.call("PUT", f"/accounts/{parent.account_id}", {"name": name},
                         token=parent.token)
        assert made.status == 201, made.body
        account_id = made.data["id"]
        key = self.call("GET", f"/accounts/{account_id}/api_key", token=parent.token)
        assert key.status == 200, key.body
        api_key = key.data["api_key"]
        return Tenant(account_id, name, api_key, self.token_for(api_key))

    def user(self, tenant, username, password, priv_level="user"):
        """Create a user in ``tenant``; returns ``(user_id, token)`` after user_auth."""
        made = self.call("PUT", f"/accounts/{tenant.account_id}/users",
                         {"username": username, "password": password,
                          "priv_level": priv_level, "first_name": username.title(),
                          "last_name": "Tester"},
                         token=tenant.token)
        assert made.status == 201, made.body
        login = self.user_auth(username, password, tenant.name)
        assert login.status == 201, login.body
        return made.data["id"], login.body["auth_token"]

    def set_enabled(self, tenant, enabled, by):
        reply = self.call("PATCH", f"/accounts/{tenant.account_id}", {"enabled": enabled},
                          token=by.token)
        assert reply.status == 200, reply.body
        return reply


def assert_kazoo_error(reply, status, error_id=None):
    """A Kazoo error envelope with that HTTP status (and error id)."""
    assert reply.status == status, reply.body
    assert reply.body["status"] == "error" and reply.body["error"] == str(status), reply.body
    assert reply.body["message"] and reply.body["request_id"], reply.body
    if error_id:
        assert reply.body["error_id"] == error_id, reply.body


class Socket:
    """A blackhole websocket client that also reports the close frame."""

    def __init__(self, url, timeout=3.0):
        self.ws = websocket.create_connection(url, timeout=timeout)

    def request(self, message):
        self.ws.send(json.dumps(message))
        while True:
            answer = json.loads(self.ws.recv())
            if answer.get("action") == "reply":
                return answer

    def subscribe(self, token, account_id, binding="conference.event.*.*"):
        return self.request({"action": "subscribe", "auth_token": token, "request_id": "sub",
                             "data": {"account_id": account_id, "binding": binding}})

    def wait_close(self, timeout):
        """``(code, reason, seconds waited)`` of the server's close frame."""
        started = time.monotonic()
        self.ws.settimeout(timeout)
        while True:
            opcode, frame = self.ws.recv_data_frame(True)
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                code = struct.unpack("!H", frame.data[:2])[0] if len(frame.data) >= 2 else None
                return code, frame.data[2:].decode("utf-8"), time.monotonic() - started

    def close(self):
        try:
            self.ws.close(timeout=0.5)
        except Exception:  # noqa: BLE001 - already closed by the server
            pass
