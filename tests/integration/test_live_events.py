"""Each API action produces the events FreeSWITCH would emit, carried by the
ecallmgr daemon (over real ESL from both simulated nodes) to RabbitMQ."""
import gevent
import pytest

from ecallmgr.daemon import create_daemon
from kzcore.bus.pika_publisher import PikaPublisher
from kzcore.config import load_config
from tests.integration.test_live_support import media_server, rig  # noqa: F401 (fixtures)
from tests.support.rabbit import unique_name


@pytest.fixture
def ecallmgr(rig, amqp_url, temp_exchange):
    """ecallmgr publishing on the test's own exchange; yields that exchange's name."""
    publisher = PikaPublisher(amqp_url, connection_name=unique_name("kz-test-live"),
                              exchange=temp_exchange)
    assert publisher.wait_connected(20)
    config = load_config(env={}, amqp_url=amqp_url, amqp_exchange=temp_exchange,
                         node_name="ecallmgr@live-test", esl_nodes=rig.config.esl_nodes)
    daemon = create_daemon(config, publisher=publisher).start()
    with gevent.Timeout(20, AssertionError("ecallmgr did not connect")):
        while len(daemon.pool.connected_names()) < 2 or daemon.stream.counts["resyncs"] < 2:
            gevent.sleep(0.02)
    yield temp_exchange
    daemon.stop(flush_timeout=2)
    publisher.close(timeout=2)


class Events:
    def __init__(self, tap):
        self.tap, self.seen = tap, []

    def expect(self, event, timeout=20.0, **fields):
        """The first not yet consumed payload with ``event`` and ``fields`` (a deadline
        for a loaded machine, where the broker itself may be slow: it returns as soon
        as the event is there)."""
        def match(payload):
            return payload.get("event") == event and all(payload.get(k) == v for k, v in fields.items())
        with gevent.Timeout(timeout, AssertionError(f"no {event} {fields}; saw "
                                                    f"{[p.get('event') for _, p in self.seen]}")):
            while True:
                for index, (key, payload) in enumerate(self.seen):
                    if match(payload):
                        del self.seen[index]
                        return key, payload
                self.seen.extend((key, payload) for key, payload, _ in self.tap.read(1, timeout=0.5))


def test_actions_produce_their_events_on_rabbitmq(rig, ecallmgr, rabbit_tap, media_server):
    conference_id = rig.create_conference(rig.alpha)
    events = Events(rabbit_tap(f"conference.event.{conference_id}.*", ecallmgr))
    room = rig.room(rig.alpha, conference_id)
    alice = rig.sims[1].join(room, "1001", "Alice")
    bob = rig.sims[1].join(room, "1002", "Bob")
    events.expect("add-member", call_id=bob.uuid)

    def put(tail="", **body):
        reply = rig.call("PUT", rig.alpha, conference_id, tail, body=body)
        assert reply.status_code in (200, 202), reply.get_json()
        return reply.get_json()["data"]

    put(action="lock", data={})
    key, payload = events.expect("lock")
    assert key == f"conference.event.{conference_id}.conference"
    assert payload["account_id"] == rig.alpha.account_id and payload["event_name"] == "conference_event"
    put(action="unlock", data={})
    events.expect("unlock")

    for verb in ("mute", "unmute", "deaf", "undeaf"):
        put(f"/participants/{alice.id}", data={"action": verb})
        key, payload = events.expect(f"{verb}-member", call_id=alice.uuid)
        assert key == f"conference.event.{conference_id}.{alice.uuid}"
        assert payload["participant_id"] == alice.id and payload["conference_id"] == conference_id
        assert payload["focus"] == rig.sims[1].node_name

    put("/participants", data={"action": "mute"})
    muted = {events.expect("mute-member")[1]["call_id"] for _ in range(2)}
    assert muted == {alice.uuid, bob.uuid}

    put(action="play", data={"media_id": media_server.url()})
    assert events.expect("play-file")[1]["account_id"] == rig.alpha.account_id
    put(action="play", data={"media_id": "tts://Welcome everyone"})
    events.expect("speak-text")
    put(f"/participants/{alice.id}", data={"action": "play",
                                           "data": {"media_id": media_server.url()}})
    events.expect("play-file-member", call_id=alice.uuid)

    started = put(action="record", data={"action": "start"})
    _, payload = events.expect("recording-started")     # issue 13's names, by recording id
    assert payload["recording_id"] == started["recording"]["id"] and "file" not in payload
    gevent.sleep(0.2)
    put(action="record", data={"action": "stop"})
    assert events.expect("recording-stopped")[1]["recording_id"] == started["recording"]["id"]

    rig.create_conference(rig.alpha, conference_numbers=["5550123"])   # ours: the dialplan
    rig.sims[1].add_extension(r"^5550123$", lambda channel, match: channel.answer())
    dialed = put(action="dial", data={"data": {"endpoints": ["5550123"]},
                                      "custom_application_vars": {"campaign": "spring"}})
    (leg,) = dialed["endpoint_responses"]
    _, added = events.expect("add-member", call_id=leg["call_id"])
    assert added["custom_channel_vars"].get("campaign") == "spring"

    put(f"/participants/{bob.id}", data={"action": "kick"})
    events.expect("kick-member", call_id=bob.uuid)
    events.expect("del-member", call_id=bob.uuid)
    put("/participants", data={"action": "kick"})
    events.expect("del-member", call_id=alice.uuid)
    events.expect("conference-destroy")
