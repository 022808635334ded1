"""The websocket gateway over real TCP (websocket-client) on the in-process bus;
the tenant isolation and topic-matching tests on real RabbitMQ too (``bus`` is
tests.support.bus's fixture, parametrized ``ON_BOTH_BUSES``)."""
import json
import time

import gevent
import pytest

from kzcore.tokens import TokenSigner
from tests.support.bus import BUS_KINDS
from tests.support.stalls import StallProbe
from tests.support.waiting import wait_for

from tests.integration.test_blackhole_support import (
    CHILD, OTHER, PARENT, SECRET, Client, account_store, key, participant_event, start_gateway)

signer = TokenSigner(SECRET)
ON_BOTH_BUSES = pytest.mark.parametrize("bus", BUS_KINDS, indirect=True)


@pytest.fixture
def make_gateway(bus):
    gateways, clients = [], []

    def make(**options):
        options = dict({"ping_interval": 5.0, "idle_timeout": 10.0}, **options)
        gateway = start_gateway(bus.consumer(), account_store(), **options)
        gateways.append(gateway)
        if hasattr(bus, "wait_ready"):      # RabbitMQ: subscribe once the consumer is bound
            assert bus.wait_ready(), "the gateway's AMQP consumer never became ready"
        return gateway

    def client(gateway, **kwargs):
        connection = Client(gateway, **kwargs)
        clients.append(connection)
        return connection

    make.client = client
    yield make
    for connection in clients:
        connection.close()
    for gateway in gateways:
        gateway.stop()


@pytest.fixture
def gateway(make_gateway):
    return make_gateway()


@pytest.fixture
def client(make_gateway, gateway):
    return lambda **kwargs: make_gateway.client(gateway, **kwargs)


def token(account_id):
    return signer.issue({"account_id": account_id})


def publish(bus, account_id, conference_id, call_id, seq=0):
    bus.publish(key(conference_id, call_id), participant_event(account_id, conference_id,
                                                              call_id, seq))


def routing_keys(events):
    return [event["routing_key"] for event in events]


@ON_BOTH_BUSES
def test_subscribe_and_unsubscribe_replies(bus, client):
    ws = client()
    reply = ws.subscribe(token(PARENT), PARENT, "conference.event.room1.*", "conference.#",
                         request_id="r-1")
    assert isinstance(reply["data"].pop("resume_token"), str)     # blackhole.resume
    assert reply == {"action": "reply", "request_id": "r-1", "status": "success",
                     "data": {"subscribed": ["conference.event.room1.*", "conference.#"]}}
    reply = ws.request({"action": "unsubscribe", "auth_token": token(PARENT), "request_id": "r-2",
                        "data": {"account_id": PARENT, "binding": "conference.#"}})
    assert reply["status"] == "success" and reply["request_id"] == "r-2"
    assert isinstance(reply["data"].pop("resume_token"), str)
    assert reply["data"] == {"subscribed": ["conference.event.room1.*"],
                             "unsubscribed": ["conference.#"]}
    publish(bus, PARENT, "room2", "call1")          # only conference.# wanted this one
    publish(bus, PARENT, "room1", "call1")
    events = ws.events_until(lambda e: True)
    assert routing_keys(events) == [key("room1", "call1")]
    reply = ws.request({"action": "unsubscribe", "auth_token": token(PARENT), "request_id": "r-3"})
    assert isinstance(reply["data"].pop("resume_token"), str)
    assert reply["data"] == {"subscribed": [], "unsubscribed": ["conference.event.room1.*"]}


@ON_BOTH_BUSES
def test_wildcards_match_as_amqp_topics(bus, client):
    one_room, conference_level, everything = client(), client(), client()
    one_room.subscribe(token(PARENT), PARENT, "conference.event.room1.*")
    conference_level.subscribe(token(PARENT), PARENT, "conference.event.*.conference")
    everything.subscribe(token(PARENT), PARENT, "conference.#")
    published = [("room1", "call1"), ("room2", "call1"), ("room1", "conference"),
                 ("room2", "conference"), ("room3", "end")]
    for conference_id, call_id in published:
        publish(bus, PARENT, conference_id, call_id)
    last = lambda e: e["routing_key"] == key("room3", "end")  # noqa: E731 (barrier: matches all)
    everything_keys = routing_keys(everything.events_until(last))
    assert everything_keys == [key(*pair) for pair in published]
    conference_level.subscribe(token(PARENT), PARENT, "conference.event.room3.*")
    one_room.subscribe(token(PARENT), PARENT, "conference.event.room3.*")
    publish(bus, PARENT, "room3", "end")
    assert routing_keys(one_room.events_until(last)) == [
        key("room1", "call1"), key("room1", "conference"), key("room3", "end")]
    assert routing_keys(conference_level.events_until(last)) == [
        key("room1", "conference"), key("room2", "conference"), key("room3", "end")]


@ON_BOTH_BUSES
def test_several_subscriptions_on_one_socket_each_get_their_copy(bus, client):
    ws = client()
    reply = ws.subscribe(token(PARENT), PARENT, "conference.event.room1.*")
    reply = ws.subscribe(token(PARENT), PARENT, "conference.event.*.conference")
    assert reply["data"]["subscribed"] == ["conference.event.room1.*",
                                           "conference.event.*.conference"]
    publish(bus, PARENT, "room1", "conference")
    first, second = ws.recv(), ws.recv()
    assert {first["subscribed_key"], second["subscribed_key"]} == {
        "conference.event.room1.*", "conference.event.*.conference"}
    for event in (first, second):
        assert event["action"] == "event" and event["name"] == "participant_event"
        assert event["subscription_key"] == event["subscribed_key"]
        assert event["routing_key"] == key("room1", "conference")
        assert event["data"]["conference_id"] == "room1" and event["data"]["account_id"] == PARENT


@ON_BOTH_BUSES
def test_an_account_cannot_subscribe_to_another_accounts_events(bus, client):
    intruder = client()
    reply = intruder.subscribe(token(OTHER), PARENT, "conference.event.room1.*", request_id="x")
    assert reply["status"] == "error" and reply["request_id"] == "x"
    assert reply["data"]["error_id"] == "forbidden"
    assert reply["data"]["errors"] == [f"unauthorized account id {PARENT}"]
    reply = intruder.subscribe(token(CHILD), PARENT, "conference.#")   # a child cannot look up
    assert reply["data"]["error_id"] == "forbidden"
    # subscribed to its own account with the broadest binding: still nothing of PARENT's
    intruder.subscribe(token(OTHER), OTHER, "conference.#")
    publish(bus, PARENT, "room1", "call1")
    publish(bus, CHILD, "room1", "call2")
    publish(bus, OTHER, "room9", "mine")
    events = intruder.events_until(lambda e: True)
    assert routing_keys(events) == [key("room9", "mine")]
    assert events[0]["data"]["account_id"] == OTHER


@ON_BOTH_BUSES
def test_a_parent_sees_its_childs_events_and_scoping_follows_the_subscription(bus, client):
    parent, parent_on_child = client(), client()
    parent.subscribe(token(PARENT), PARENT, "conference.event.*.*")
    reply = parent_on_child.subscribe(token(PARENT), CHILD, "conference.event.*.*")
    assert reply["status"] == "success"
    publish(bus, CHILD, "kidroom", "call1")
    publish(bus, PARENT, "room1", "call1")
    publish(bus, CHILD, "kidroom", "end")
    end = lambda e: e["routing_key"] == key("kidroom", "end")  # noqa: E731
    assert routing_keys(parent.events_until(end)) == [
        key("kidroom", "call1"), key("room1", "call1"), key("kidroom", "end")]
    assert routing_keys(parent_on_child.events_until(end)) == [
        key("kidroom", "call1"), key("kidroom", "end")]


@pytest.mark.parametrize("bad_token, reason", [
    (TokenSigner(SECRET, lifetime=1, clock=lambda: time.time() - 100).issue(
        {"account_id": PARENT}), "auth token expired"),
    (TokenSigner("another-secret").issue({"account_id": PARENT}), "invalid auth token"),
    ("garbage", "invalid auth token"),
    (None, "invalid auth token"),
])
def test_expired_or_invalid_tokens_are_refused(bus, client, bad_token, reason):
    ws = client()
    reply = ws.subscribe(bad_token, PARENT, "conference.#", request_id="t")
    assert reply["status"] == "error" and reply["data"]["error_id"] == "invalid_credentials"
    assert reply["data"]["errors"] == [f"failed to authenticate token: {reason}"]
    reply = ws.subscribe(token(PARENT), PARENT, "conference.event.room1.*")
    assert reply["data"]["subscribed"] == ["conference.event.room1.*"]   # nothing else got in


def test_bad_messages_get_error_replies_and_the_socket_keeps_working(bus, client):
    ws = client()
    for text, fragment in [("{oops", "invalid JSON"), ("[]", "JSON object"),
                           ('{"action":"dance","request_id":"d"}', "unknown action 'dance'"),
                           (json.dumps({"action": "subscribe", "auth_token": token(PARENT),
                                        "data": {"account_id": PARENT,
                                                 "binding": "call.CHANNEL_CREATE.*"}}),
                            "only conference events are offered")]:
        reply = ws.request(text)
        assert reply["action"] == "reply" and reply["status"] == "error"
        assert fragment in reply["data"]["message"]
    ws.ws.send_binary(b"\x00\x01")
    assert "binary" in ws.recv()["data"]["message"]
    assert ws.request({"action": "ping", "request_id": 42}) == {
        "action": "reply", "request_id": 42, "status": "success", "data": {"response": "pong"}}
    ws.subscribe(token(PARENT), PARENT, "conference.event.room1.*")
    publish(bus, PARENT, "room1", "call1")
    assert ws.recv()["routing_key"] == key("room1", "call1")


def collect(ws, last_seq, latencies, events, timeout=20.0):
    """Read until the event numbered ``last_seq`` arrived; record delivery latencies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = ws.recv(timeout=max(0.05, deadline - time.monotonic()))
        events.append(message)
        if message.get("name") == "participant_event":
            latencies.append(time.time() - message["data"]["sent_at"])
            if message["data"]["seq"] == last_seq:
                return


def publish_burst(bus, first, count):
    """~1,500 events/s of ~1 KB, in bursts of 20 every 10 ms."""
    for seq in range(first, first + count):
        publish(bus, PARENT, "room1", f"call{seq}", seq)
        if seq % 20 == 19:
            gevent.sleep(0.01)


def percentiles(latencies):
    latencies = sorted(latencies)
    return latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.99)], latencies[-1]


def fast_phase(bus, fast, first, count, also=None):
    """Publish ``count`` events; the fast client must get all of them, in order."""
    events, latencies, readers = [], [], []
    readers.append(gevent.spawn(collect, fast, first + count - 1, latencies, events))
    if also is not None:
        readers.append(gevent.spawn(collect, also, first + count - 1, [], []))
    with StallProbe() as probe:
        publish_burst(bus, first, count)
        gevent.joinall(readers, timeout=25, raise_error=True)
    assert [e["data"]["seq"] for e in events] == list(range(first, first + count))
    return percentiles(latencies) + (probe.worst,)


def test_a_slow_client_does_not_delay_a_fast_one_and_learns_what_it_lost(bus, make_gateway):
    gateway = make_gateway(max_events=200, send_buffer=16384, write_timeout=20.0)
    slow = make_gateway.client(gateway, rcvbuf=4096)
    fast = make_gateway.client(gateway)
    slow.subscribe(token(PARENT), PARENT, "conference.event.room1.*")
    fast.subscribe(token(PARENT), PARENT, "conference.event.room1.*")
    baseline = fast_phase(bus, fast, 0, 1000, also=slow)       # both read
    stalled = fast_phase(bus, fast, 1000, 1500)                 # slow stopped reading
    print("fast client p50/p99/max ms (this process's worst pause): both reading "
          "%.1f/%.1f/%.1f (%.1f), beside a stalled one %.1f/%.1f/%.1f (%.1f)"
          % tuple(1000 * v for v in baseline + stalled))
    # relative to the same run's baseline; a pause of this whole process (a loaded
    # machine, measured beside the phase) delays a message by the pause and the
    # backlog it leaves, not by anything the slow client does
    allowance = 2 * stalled[3]
    assert stalled[1] < 2 * baseline[1] + 0.05 + allowance, (baseline, stalled)
    assert stalled[2] < 1.0 + allowance, (baseline, stalled)
    # the slow client reads again: what it got plus what it was told it lost is everything
    received, dropped = [], 0
    while not received or received[-1] != 2499:
        message = slow.recv(timeout=10)
        if message["name"] == "events_dropped":
            dropped += message["data"]["dropped"]
        else:
            received.append(message["data"]["seq"])
    assert dropped > 0 and received == sorted(received)
    assert len(received) + dropped == 1500
    assert gateway.stats()["events_dropped"] == dropped


def test_idle_sockets_are_closed_and_answering_ones_stay(bus, make_gateway):
    gateway = make_gateway(ping_interval=0.2, idle_timeout=1.0)
    alive, dead = make_gateway.client(gateway), make_gateway.client(gateway)
    dead_socket = dead.ws.sock            # never reads, so never answers a ping
    assert gateway.stats()["sessions"] == 2
    started = time.monotonic()
    while time.monotonic() - started < 2.0:   # websocket-client answers pings as it reads
        with pytest.raises(Exception):
            alive.recv(timeout=0.1)           # only pings arrive: no JSON message
    dead_socket.settimeout(20)
    received = b""
    while True:
        chunk = dead_socket.recv(65536)
        if not chunk:
            break
        received += chunk
    assert b"\x88" in received and b"idle timeout" in received   # a close frame said why
    wait_for(lambda: gateway.stats()["sessions"] == 1)
    assert alive.request({"action": "ping", "request_id": 1})["data"] == {"response": "pong"}


def test_a_client_that_never_reads_again_is_closed_after_the_write_timeout(bus, make_gateway):
    gateway = make_gateway(max_events=20, send_buffer=8192, write_timeout=0.5)
    stuck = make_gateway.client(gateway, rcvbuf=4096)
    healthy = make_gateway.client(gateway)
    stuck.subscribe(token(PARENT), PARENT, "conference.event.room1.*")
    healthy.subscribe(token(PARENT), PARENT, "conference.event.room1.*")
    started = time.monotonic()
    seq = 0
    while gateway.stats()["sessions"] == 2 and time.monotonic() - started < 20:
        for _ in range(50):
            publish(bus, PARENT, "room1", f"call{seq}", seq)
            seq += 1
        gevent.sleep(0.05)
        while healthy.pending or healthy.ws.sock and _readable(healthy.ws.sock):
            healthy.recv(timeout=10)
    assert gateway.stats()["sessions"] == 1, "the stuck client was never closed"
    # after the write timeout (0.5 s), well before the idle timeout (10 s) would close it
    assert 0.5 < time.monotonic() - started < 8
    assert healthy.request({"action": "ping", "request_id": "p"})["data"] == {"response": "pong"}


def _readable(sock):
    import select
    return bool(select.select([sock], [], [], 0)[0])


@ON_BOTH_BUSES
def test_the_bus_is_bound_to_the_union_of_the_subscriptions_only(bus, make_gateway):
    gateway = make_gateway()
    first, second = make_gateway.client(gateway), make_gateway.client(gateway)
    assert gateway.stats()["bus_bindings"] == 0
    first.subscribe(token(PARENT), PARENT, "conference.event.room1.*")
    second.subscribe(token(PARENT), PARENT, "conference.event.room1.*", "conference.event.room2.*")
    assert gateway.stats()["bus_bindings"] == 2          # one per distinct binding, not per socket
    publish(bus, PARENT, "unwatched", "call1")            # the bus keeps it away from the gateway
    publish(bus, PARENT, "room1", "call1")
    assert first.recv()["routing_key"] == key("room1", "call1")
    assert gateway.stats()["events_received"] == 1
    second.request({"action": "unsubscribe", "auth_token": token(PARENT),
                    "data": {"binding": "conference.event.room2.*"}})
    first.close()
    wait_for(lambda: gateway.stats()["bus_bindings"] == 1)   # room1 still wanted by the second
    second.close()
    wait_for(lambda: gateway.stats()["bus_bindings"] == 0)
