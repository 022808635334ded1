"""Webhook destinations (SSRF): refused before any connection is attempted.

Nothing here may send a packet outside 127.0.0.0/8: names are answered by a
resolver the tests replace, the connection step is a factory the tests replace
(and assert was never asked, or asked only for 127.0.0.1), and every socket
connect of the test process is checked by ``loopback_only``."""
import ipaddress
import socket

import pytest

from kzcore import netpolicy
from kzcore.bus.memory import MemoryBus
from kzcore.store.embedded import EmbeddedStore
from tests.support.webhooks import (bus_event, create_webhook, receiver, settle,  # noqa: F401
                                    start_service, wait_until, webhook_api)
from webhooks.destinations import Destinations
from webhooks.sender import Sender, urllib3_pool
from kzcore.bus.event_sources import MemorySource

LOOPBACK = netpolicy.parse_networks("127.0.0.0/8")


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch):
    """Any connect of this process to an address outside 127.0.0.0/8 fails the test."""
    original = socket.socket.connect

    def connect(sock, address, *args):
        host = address[0] if isinstance(address, tuple) else address
        if not ipaddress.ip_address(host).is_loopback or host == "::1":
            raise AssertionError(f"a test tried to connect to {address}")
        return original(sock, address, *args)
    monkeypatch.setattr(socket.socket, "connect", connect)


class SpyResolver:
    def __init__(self, answers):
        self.answers = answers
        self.asked = []

    def __call__(self, host, port):
        self.asked.append(host)
        if host not in self.answers:
            raise socket.gaierror(f"unknown name {host}")
        return list(self.answers[host])


class RefusingConnector:
    """The connection step: any use fails the test."""

    def __init__(self):
        self.asked = []

    def __call__(self, target, settings):
        self.asked.append(target)
        raise AssertionError(f"connection attempted to {target.address}")


NAMES = {"localhost": ["127.0.0.1"], "metadata.internal": ["169.254.169.254"],
         "private.example": ["::ffff:10.0.0.1"], "rebind.example": ["93.184.216.34", "10.0.0.1"],
         "v6meta.example": ["fd00:ec2::254"], "public.example": ["93.184.216.34"]}

REFUSED = [
    ("http://127.0.0.1:8080/hook", "loopback"), ("http://localhost/", "loopback"),
    ("http://169.254.169.254/latest/meta-data/", "metadata"), ("http://10.0.0.1/", "private"),
    ("http://172.16.0.1/", "private"), ("http://192.168.1.1/", "private"),
    ("http://100.64.0.1/", "reserved"), ("http://100.100.100.200/", "metadata"),
    ("http://192.0.0.192/", "metadata"),
    ("http://2130706433/", "loopback"), ("http://0177.0.0.1/", "loopback"),
    ("http://0x7f.1/", "loopback"), ("http://127.1/", "loopback"),
    ("http://017700000001/", "loopback"), ("http://0xa9fea9fe/", "metadata"),
    ("http://[::1]/", "loopback"), ("http://[::]/", "unspecified"),
    ("http://0.0.0.0/", "unspecified"),
    ("http://[::ffff:127.0.0.1]/", "loopback"), ("http://[::ffff:a9fe:a9fe]/", "metadata"),
    ("http://[64:ff9b::a9fe:a9fe]/", "metadata"), ("http://[2002:a9fe:a9fe::1]/", "metadata"),
    ("http://[fd00:ec2::254]/", "metadata"), ("http://[fe80::1]/", "link-local"),
    ("http://[fc00::1]/", "private"), ("http://224.0.0.1/", "multicast"),
    ("http://[ff02::1]/", "multicast"), ("https://metadata.internal/x", "metadata"),
    ("http://private.example/", "private"), ("http://rebind.example/", "private"),
    ("http://v6meta.example:8443/", "metadata"),
]


@pytest.mark.parametrize("url,reason", REFUSED)
def test_forbidden_destinations_are_refused_before_any_connection(url, reason):
    resolver, connector = SpyResolver(NAMES), RefusingConnector()
    sender = Sender(Destinations((), resolver), timeout=1.0, pool_size=1,
                    pool_factory=connector)
    outcome = sender.send("post", url, b"{}", {})
    assert not outcome.ok and outcome.connected is False
    assert outcome.error.startswith(f"refused destination: {reason}")
    assert connector.asked == []
    host = netpolicy.parse_url(url).host
    assert resolver.asked == ([] if netpolicy.literal_address(host) else [host])


def test_the_allow_list_lets_only_the_named_networks_through(receiver):
    url = receiver.url()
    strict = Sender(Destinations(()), timeout=2.0, pool_size=1)
    assert strict.send("post", url, b"{}", {}).error.startswith("refused destination: loopback")
    narrow = Sender(Destinations(netpolicy.parse_networks("127.0.0.2/32")), timeout=2.0,
                    pool_size=1, pool_factory=RefusingConnector())
    assert narrow.send("post", url, b"{}", {}).connected is False
    allowed = Sender(Destinations(LOOPBACK), timeout=2.0, pool_size=1)
    outcome = allowed.send("post", url, b'{"x":1}', {"X-Test": "1"})
    assert outcome.ok and outcome.status == 200
    assert receiver.requests[0].body == b'{"x":1}' and receiver.requests[0].headers["x-test"] == "1"
    assert len(receiver.requests) == 1
    allowed.close()


class RecordingPool:
    """A stand-in pool: records the request, sends nothing, answers 204."""

    def __init__(self, target, settings, log):
        self.target = target
        log.append(self)
        self.requests = []

    def urlopen(self, method, url, body=None, headers=None, **options):
        self.requests.append((method, url, body, headers, options))
        return FakeResponse()

    def close(self):
        pass


class FakeResponse:
    status = 204

    def read(self, amount, decode_content=False):
        return b""

    def release_conn(self):
        pass

    def close(self):
        pass


def test_a_name_is_resolved_once_per_attempt_and_the_checked_address_is_connected():
    answers = [["93.184.216.34"], ["127.0.0.1"]]          # the name is re-bound to loopback
    asked, pools = [], []

    def resolver(host, port):
        asked.append((host, port))
        return answers[len(asked) - 1]

    sender = Sender(Destinations((), resolver), timeout=1.0, pool_size=1,
                    pool_factory=lambda target, settings: RecordingPool(target, settings, pools))
    first = sender.send("put", "http://user:p%40ss@public.example:8080/in?x=1", b"{}",
                        {"X-Kazoo-Event": "e"})
    assert first.ok and asked == [("public.example", 8080)]
    [pool] = pools
    assert pool.target.address == "93.184.216.34"
    method, path, _body, headers, options = pool.requests[0]
    assert (method, path, headers["Host"]) == ("PUT", "/in?x=1", "public.example:8080")
    assert headers["authorization"] == "Basic dXNlcjpwQHNz"         # user:p@ss
    assert options["redirect"] is False and options["retries"] is False
    second = sender.send("put", "http://public.example:8080/in", b"{}", {})
    assert second.error.startswith("refused destination: loopback")
    assert len(asked) == 2 and len(pools) == 1 and len(pool.requests) == 1


@pytest.mark.parametrize("location", ["http://169.254.169.254/latest/meta-data/",
                                      "http://metadata.internal/", "http://10.0.0.1/"])
@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_to_a_forbidden_address_is_never_followed(receiver, location, status):
    receiver.respond = lambda request, index: (status, {"Location": location})
    resolver, targets = SpyResolver(NAMES), []

    def connector(target, settings):
        targets.append(target.address)
        return urllib3_pool(target, settings)

    sender = Sender(Destinations(LOOPBACK, resolver), timeout=2.0, pool_size=1,
                    pool_factory=connector)
    outcome = sender.send("post", receiver.url(), b"{}", {})
    assert not outcome.ok and outcome.error == f"redirect not followed ({status})"
    assert targets == ["127.0.0.1"] and resolver.asked == []
    assert len(receiver.requests) == 1
    sender.close()


def test_the_service_logs_a_refused_destination_and_never_connects():
    store, bus = EmbeddedStore(":memory:"), MemoryBus()
    api = webhook_api(store, bus)
    hook_id, _ = create_webhook(api, api.root, "http://metadata.internal/hook", retries=3)
    resolver, connector = SpyResolver(NAMES), RefusingConnector()
    service = start_service(store, MemorySource(bus), bus,
                            components={"resolver": resolver, "pool_factory": connector})
    try:
        bus.publish(*bus_event(api.root.account_id, "room-x", "add-member", "call-1"))
        settle(bus, service)

        def logged():
            return api.call("GET", f"/v2/accounts/{api.root.account_id}/webhooks/{hook_id}"
                            "/attempts", token=api.root.token).get_json()["data"]
        [entry] = wait_until(logged)
        assert entry["error"].startswith("refused destination: metadata")
        assert (entry["attempt"], entry["result"], entry["status"]) == (1, "failed", None)
        assert resolver.asked == ["metadata.internal"] and connector.asked == []
    finally:
        service.stop()
        store.close()


@pytest.mark.parametrize("uri,keyword", [
    ("http://169.254.169.254/latest", "forbidden_destination"),
    ("http://0x7f.1/", "forbidden_destination"),
    ("http://[::ffff:10.0.0.1]/", "forbidden_destination"),
    ("http://2130706433:8080/", "forbidden_destination"), ("ftp://example.com/", "pattern"),
    ("http://exa mple.com/", "invalid"), ("http://[fe80::1%25eth0]/", "invalid")])
def test_crossbar_refuses_urls_whose_address_is_forbidden_without_resolving(api, uri, keyword):
    reply = api.call("PUT", f"/v2/accounts/{api.root.account_id}/webhooks",
                     {"name": "x", "hook": "all", "uri": uri}, token=api.root.token)
    assert reply.status_code == 400
    body = reply.get_json()
    assert body["message"] == "validation error" and keyword in body["data"]["uri"]
    listed = api.call("GET", f"/v2/accounts/{api.root.account_id}/webhooks",
                      token=api.root.token).get_json()["data"]
    assert listed == []


def test_crossbar_accepts_names_and_allowed_networks(app_factory):
    api = app_factory(webhooks_allow_networks="10.1.0.0/16")
    for uri in ("https://hooks.example.com/in", "http://10.1.2.3:8080/in"):
        reply = api.call("PUT", f"/v2/accounts/{api.root.account_id}/webhooks",
                         {"name": "x", "hook": "all", "uri": uri}, token=api.root.token)
        assert reply.status_code == 201, reply.get_json()
    refused = api.call("PUT", f"/v2/accounts/{api.root.account_id}/webhooks",
                       {"name": "x", "hook": "all", "uri": "http://10.2.0.1/"},
                       token=api.root.token)
    assert refused.status_code == 400
