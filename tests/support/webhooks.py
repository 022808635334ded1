"""Webhook test support: a local HTTP receiver (127.0.0.1, free port) that
records every request and answers as the test says, an API harness whose
crossbar publishes document events and allows 127.0.0.0/8, and the delivery
service built the product's way with short test timings.

Fixtures are imported by the modules that use them (``from tests.support.webhooks
import receiver  # noqa: F401``)."""
import dataclasses
import json
import threading
import time
import uuid

import gevent
import pytest
from gevent.pywsgi import WSGIServer

from crossbar.app import create_app
from crossbar.bootstrap import bootstrap
from kzcore.config import load_config
from kzcore.schemas.loader import load_schemas
from kzcore.schemas.registry import SchemaRegistry
from kzcore.tokens import TokenSigner
from tests.support.api import ADMIN, ApiHarness
from webhooks import signing
from webhooks.compose import Settings, build_service
from tests.support.waiting import wait_for as wait_until

LOCAL_NETWORKS = "127.0.0.0/8"
# short retry and flush timings; the request timeout is the product's (10 s): a 2 s one
# made a loaded machine's pause look like a failed delivery, then a retry (a duplicate)
FAST = dict(timeout=10.0, retry_delay=0.05, retry_max_delay=0.2, cache_ttl=0.0,
            flush_interval=0.05, disable_after=6)


@dataclasses.dataclass
class Received:
    method: str
    path: str
    headers: dict          # lower-case names
    body: bytes
    at: float

    @property
    def json(self):
        return json.loads(self.body)

    def verified_by(self, secret):
        return signing.verify(secret, self.headers.get("x-kazoo-signature"), self.body)


class Receiver:
    """``respond(request, index) -> status | (status, headers) | (status, headers, delay)``."""

    def __init__(self, respond=None):
        self.respond = respond or (lambda request, index: 200)
        self.requests = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._server = None

    def start(self):
        self._server = WSGIServer(("127.0.0.1", 0), self._app, log=None)
        self._server.start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.stop(timeout=1)

    def url(self, path="/hook"):
        return f"http://127.0.0.1:{self._server.server_port}{path}"

    def _app(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        request = Received(environ["REQUEST_METHOD"], environ["PATH_INFO"],
                           {k[5:].replace("_", "-").lower(): v for k, v in environ.items()
                            if k.startswith("HTTP_")}, environ["wsgi.input"].read(length),
                           time.time())
        with self._lock:
            index = len(self.requests)
            self.requests.append(request)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            answer = self.respond(request, index)
            status, headers, delay = (tuple(answer) + ({}, 0))[:3] \
                if isinstance(answer, tuple) else (answer, {}, 0)
            if delay:
                gevent.sleep(delay)
        finally:
            with self._lock:
                self.in_flight -= 1
        start_response(f"{status} X", [("Content-Type", "text/plain"), *headers.items()])
        return [b"ok"]

    def on(self, path):
        return [r for r in self.requests if r.path == path]

    def wait_for(self, count, path=None, timeout=20.0):
        """The requests (to ``path``) once there are at least ``count``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.on(path) if path else list(self.requests)
            if len(got) >= count:
                return got
            gevent.sleep(0.01)
        got = self.on(path) if path else list(self.requests)
        raise AssertionError(f"{len(got)} of {count} requests arrived at {path or 'any path'}")


@pytest.fixture
def receiver():
    """A started Receiver answering 200; set ``.respond`` to change that."""
    made = Receiver().start()
    yield made
    made.stop()


def webhook_api(store, events, **config):
    """An ApiHarness on ``store`` whose crossbar publishes document events to
    ``events`` and lets webhooks reach 127.0.0.0/8."""
    load_schemas(store)
    config = load_config(env={}, webhooks_allow_networks=LOCAL_NETWORKS, **config)
    app = create_app(config, store=store, schemas=SchemaRegistry(store),
                     signer=TokenSigner("test-secret-for-crossbar", 3600), events=events)
    return ApiHarness(app, store, bootstrap(store, **ADMIN))


def start_service(store, source, publisher, *, components=None, **settings):
    """The delivery service the product's way (webhooks.compose), test timings;
    ``components`` may replace the resolver or the pool factory."""
    allowed = Settings.from_config(load_config(env={}, webhooks_allow_networks=LOCAL_NETWORKS))
    options = dict(FAST, allow_networks=allowed.allow_networks)
    options.update(settings)
    service = build_service(Settings(**options), store=store, source=source,
                            publisher=publisher, node="webhooks@test", **(components or {}))
    return service.start()


def create_webhook(api, account, uri, **fields):
    """``(webhook id, secret)`` of a new webhook of ``account`` (an Account)."""
    data = {"name": fields.pop("name", "hook"), "uri": uri, "hook": fields.pop("hook", "all"),
            **fields}
    reply = api.call("PUT", f"/v2/accounts/{account.account_id}/webhooks", data,
                     token=account.token)
    assert reply.status_code == 201, reply.get_json()
    body = reply.get_json()["data"]
    return body["id"], body["secret"]


def bus_event(account_id, conference_id, action, call_id=None, member_id=1, **headers):
    """``(routing_key, payload)`` of a mod_conference event as ecallmgr publishes
    it (through its own normalizer)."""
    from ecallmgr.normalize import normalize
    event = {"Conference-Name": f"{account_id}_{conference_id}", "Action": action,
             "Conference-Unique-ID": f"uuid-{conference_id}", "Conference-Size": "1", **headers}
    if call_id:
        event.update({"Member-ID": str(member_id), "Unique-ID": call_id,
                      "Caller-Caller-ID-Name": "Caller", "Caller-Caller-ID-Number": "1000"})
    return normalize(event, node="ecallmgr@test", focus="freeswitch@test",
                     msg_id=uuid.uuid4().hex)


def settle(bus, service, timeout=20.0):
    """Wait until every event published so far is delivered or dropped."""
    assert bus.flush(timeout), "bus consumers did not drain"

    def quiet():
        stats = service.stats()
        return stats["inbox"] == 0 and stats["dispatched"] == stats["delivered"] + \
            stats["dropped"]
    wait_until(quiet, timeout)
