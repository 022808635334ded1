"""Helpers (no tests) shared by the blackhole integration tests: accounts, gateway, ws client."""
import json
import socket
import time

import websocket

from kzcore.config import load_config
from kzcore.naming import ACCOUNTS_DB
from kzcore.store.embedded import EmbeddedStore
from kzcore.tokens import TokenSigner

from blackhole.server import create_gateway
from blackhole.session import SessionOptions

PARENT, CHILD, OTHER = "1" * 32, "2" * 32, "3" * 32
SECRET = "blackhole-test-secret"


def account_store():
    store = EmbeddedStore(":memory:")
    store.save(ACCOUNTS_DB, {"_id": PARENT, "pvt_tree": [], "name": "parent"})
    store.save(ACCOUNTS_DB, {"_id": CHILD, "pvt_tree": [PARENT], "name": "child"})
    store.save(ACCOUNTS_DB, {"_id": OTHER, "pvt_tree": [], "name": "other"})
    return store


def start_gateway(consumer, store, signer=None, **options):
    config = load_config(env={}, blackhole_host="127.0.0.1", blackhole_port=0)
    gateway = create_gateway(config, consumer=consumer, signer=signer or TokenSigner(SECRET),
                             store=store, session_options=SessionOptions(**options))
    gateway.start()
    return gateway


def participant_event(account_id, conference_id, call_id, seq=0, event="add-member"):
    """A seed-002-shaped participant event (plus account_id and a test sequence number)."""
    return {
        "custom_channel_vars": {"account_id": account_id, "authorizing_type": "device",
                                "presence_id": "1000@example.com", "username": "sip1"},
        "channel_presence_id": "1000@example.com", "caller_id_number": "sip1",
        "caller_id_name": "sip1", "mute_detect": False, "video": False, "energy_level": 20,
        "current_energy": 0, "talking": False, "speak": True, "hear": True, "floor": False,
        "participant_id": 20, "instance_id": "d5765180-53d5-4104-860e-b352f3f8e6b1",
        "conference_id": conference_id, "focus": "freeswitch@fs.example.com", "call_id": call_id,
        "event": event, "node": "ecallmgr@test", "msg_id": f"m{seq}",
        "event_name": "participant_event", "event_category": "conference",
        "app_version": "4.0.0", "app_name": "ecallmgr", "routing_key": "participant_event",
        "account_id": account_id, "seq": seq, "sent_at": time.time(),
    }


def key(conference_id, call_id):
    return f"conference.event.{conference_id}.{call_id}"


class Client:
    """A websocket-client connection speaking JSON, with short timeouts."""

    def __init__(self, gateway, timeout=3.0, rcvbuf=None):
        sockopt = [(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)] if rcvbuf else []
        self.ws = websocket.create_connection(f"ws://127.0.0.1:{gateway.port}/",
                                              timeout=timeout, sockopt=sockopt)
        self.timeout = timeout
        self.pending = []      # events that arrived while waiting for a reply

    def send(self, message):
        self.ws.send(message if isinstance(message, str) else json.dumps(message))

    def recv(self, timeout=None):
        if self.pending:
            return self.pending.pop(0)
        self.ws.settimeout(timeout or self.timeout)
        return json.loads(self.ws.recv())

    def request(self, message):
        """Send and return the reply; events arriving meanwhile are kept for later."""
        self.send(message)
        skipped = []
        try:
            while True:
                self.ws.settimeout(self.timeout)
                answer = json.loads(self.ws.recv())
                if answer.get("action") == "reply":
                    return answer
                skipped.append(answer)
        finally:
            self.pending.extend(skipped)

    def subscribe(self, token, account_id, *bindings, request_id="sub"):
        return self.request({"action": "subscribe", "auth_token": token, "request_id": request_id,
                             "data": {"account_id": account_id, "bindings": list(bindings)}})

    def events_until(self, predicate, timeout=3.0):
        """Events received up to and including the first one satisfying ``predicate``."""
        events, deadline = [], time.monotonic() + timeout
        while True:
            message = self.recv(max(0.05, deadline - time.monotonic()))
            if message.get("action") != "event":
                continue
            events.append(message)
            if predicate(message):
                return events

    def close(self):
        try:
            self.ws.close(timeout=0.5)
        except Exception:
            pass
