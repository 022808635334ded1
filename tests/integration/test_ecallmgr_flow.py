"""ecallmgr end to end: the simulator over real TCP ESL -> ecallmgr -> real RabbitMQ
-> a consumer bound to conference.event.{conference_id}.*

Each harness publishes on an exchange of its own (``temp_exchange``): nothing
else on the machine's broker reaches its taps, so "nothing was published" can be
checked by reading the exchange until it is quiet."""
import uuid

import gevent
import pytest

import kzcore
from ecallmgr.daemon import create_daemon
from kzcore.bus.pika_publisher import PikaPublisher
from kzcore.config import load_config
from tests.support.rabbit import unique_name
from tests.support.sim import sim_api
from tests.support.waiting import wait_for

ACCOUNT = "9d351ad7ffd6f846313af9eed3bb7b85"
NODE = "ecallmgr@test"
SEED_FIELDS = {
    "custom_channel_vars", "channel_presence_id", "caller_id_number", "caller_id_name",
    "mute_detect", "video", "energy_level", "current_energy", "talking", "speak", "hear",
    "floor", "participant_id", "instance_id", "conference_id", "focus", "call_id", "event",
    "node", "msg_id", "event_name", "event_category", "app_version", "app_name", "routing_key",
    "account_id",
}


class Harness:
    """One simulator node, one ecallmgr publishing to RabbitMQ, taps on the broker."""

    def __init__(self, sims, amqp_url, rabbit_tap, exchange, **settings):
        self.sims, self.rabbit_tap, self.exchange = sims, rabbit_tap, exchange
        self.publisher_name = unique_name("kz-test-ecallmgr")
        self.publisher = PikaPublisher(amqp_url, connection_name=self.publisher_name,
                                       exchange=exchange)
        nodes = ",".join(f"{sim.node_name}={sim.host}:{sim.port}:{sim.password}" for sim in sims)
        self.config = load_config(env={}, amqp_url=amqp_url, amqp_exchange=exchange,
                                  node_name=NODE, esl_nodes=nodes, **settings)
        self.daemon = create_daemon(self.config, publisher=self.publisher)

    def start(self):
        assert self.publisher.wait_connected(5)
        self.daemon.start()
        wait_for(lambda: self.daemon.stream.counts["resyncs"] >= len(self.sims))
        return self

    def stop(self):
        self.daemon.stop(flush_timeout=2)
        self.publisher.close(timeout=2)

    def new_room(self):
        conference_id = uuid.uuid4().hex
        tap = self.tap(f"conference.event.{conference_id}.*")
        return f"{ACCOUNT}_{conference_id}", conference_id, tap

    def tap(self, patterns):
        """A tap on this harness's own exchange."""
        return self.rabbit_tap(patterns, self.exchange)


def read_until(tap, collected, predicate, timeout=5.0, since=0):
    """Read from ``tap`` into ``collected`` until a payload from index ``since`` on
    satisfies ``predicate``."""
    with gevent.Timeout(timeout, AssertionError(f"never received; got {names(collected)}")):
        while not any(predicate(p) for _, p, _ in collected[since:]):
            collected.extend(tap.read(1, timeout=timeout))


def names(messages):
    return [p["event"] for _, p, _ in messages]


def of_member(messages, call_id):
    return [p for key, p, _ in messages if key.endswith(f".{call_id}")]


@pytest.fixture
def harness(fssim, amqp_url, rabbit_tap, temp_exchange):
    made = []

    def make(sims=None, **settings):
        made.append(Harness(sims or [fssim], amqp_url, rabbit_tap, temp_exchange,
                            **settings).start())
        return made[-1]

    yield make
    for harness_ in made:
        harness_.stop()


def test_join_talk_mute_leave(harness, fssim):
    h = harness()
    room, conference_id, tap = h.new_room()
    got = []
    alice = fssim.join(room, "1001", "Alice", variables={"kz_owner_id": "owner-1"})
    read_until(tap, got, lambda p: p["event"] == "floor-change")
    read_until(tap, got, lambda p: p["event"] == "play-file-done")    # the alone sound ended
    fssim.talk(alice.uuid)
    read_until(tap, got, lambda p: p["event"] == "start-talking")
    assert sim_api(fssim, f"conference {room} mute {alice.id}").startswith("+OK mute")
    read_until(tap, got, lambda p: p["event"] == "play-file-member-done")
    fssim.hangup(alice.uuid)
    read_until(tap, got, lambda p: p["event"] == "conference-destroy")
    got.extend(tap.read_quiet(0.3))

    member_events = of_member(got, alice.uuid)
    assert [p["event"] for p in member_events] == [
        "add-member", "joined", "floor-change", "start-talking", "mute-member",
        "play-file-member-done", "del-member", "left"]
    room_events = [p for key, p, _ in got if key == f"conference.event.{conference_id}.conference"]
    assert [p["event"] for p in room_events] == [
        "conference-create", "conference-started", "play-file-done", "floor-change",
        "conference-destroy", "conference-ended"]
    assert member_events[-1]["left_reason"] == "hangup"
    assert room_events[-1]["end_reason"] == "last_member_left"
    sequences = [p["sequence"] for _, p, _ in got]
    assert sequences == sorted(sequences) and len(set(sequences)) == len(sequences)
    member_events = [p for p in member_events if p["event"] not in ("joined", "left")]
    room_events = [p for p in room_events if p["event"] not in ("conference-started",
                                                                "conference-ended")]
    assert len(got) == len(member_events) + len(room_events) + 4

    add, talking, mute = member_events[0], member_events[2], member_events[3]
    assert set(add) == SEED_FIELDS | {"sequence"}
    assert add["custom_channel_vars"] == {"account_id": ACCOUNT, "owner_id": "owner-1"}
    assert (add["caller_id_name"], add["caller_id_number"]) == ("Alice", "1001")
    assert (add["participant_id"], add["call_id"]) == (alice.id, alice.uuid)
    assert (add["conference_id"], add["account_id"]) == (conference_id, ACCOUNT)
    assert (add["focus"], add["node"]) == (fssim.node_name, NODE)
    assert (add["event_name"], add["event_category"], add["app_name"]) == (
        "participant_event", "conference", "ecallmgr")
    assert add["app_version"] == kzcore.APP_VERSION and add["routing_key"] == "participant_event"
    assert (add["speak"], add["hear"], add["talking"], add["mute_detect"]) == (True, True, False,
                                                                              False)
    assert talking["talking"] is True and mute["speak"] is False
    assert len({p["msg_id"] for p in member_events}) == len(member_events)
    assert {p["instance_id"] for p in member_events + room_events} == {add["instance_id"]}


def test_dialled_member_and_moderator_flags(harness, fssim):
    h = harness()
    room, conference_id, tap = h.new_room()
    got = []
    bob = fssim.join(room, "1002", "Bob", moderator=True)
    read_until(tap, got, lambda p: p["event"] == "add-member")
    reply = sim_api(fssim, f"conference {room} bgdial {{conference_member_flags=mute}}"
                           f"loopback/talk_steady/default 2001 Dialed1")
    assert reply.startswith("+OK Job-UUID")
    read_until(tap, got, lambda p: p["event"] == "add-member" and p["participant_id"] != bob.id)
    dialled = [p for _, p, _ in got if p["event"] == "add-member"][-1]
    assert (dialled["caller_id_name"], dialled["caller_id_number"]) == ("Dialed1", "2001")
    assert dialled["speak"] is False
    result = [p for _, p, _ in got if p["event"] == "bgdial-result"]
    assert result and result[0]["call_id"] == dialled["call_id"]


def test_publish_participant_event_filter(harness, fssim):
    h = harness(publish_participant_event="add-member,del-member")
    room, _conference_id, tap = h.new_room()
    got = []
    alice = fssim.join(room, "1001", "Alice")
    fssim.talk(alice.uuid)
    gevent.sleep(0.3)
    fssim.hangup(alice.uuid)
    read_until(tap, got, lambda p: p["event"] == "conference-destroy")
    got.extend(tap.read_quiet(0.3))
    assert [p["event"] for p in of_member(got, alice.uuid)] == ["add-member", "joined",
                                                                "del-member", "left"]
    assert "conference-create" in names(got)      # room events are not filtered
    assert h.daemon.stream.counts["filtered"] >= 2


def test_foreign_rooms_are_not_published(harness, fssim):
    """A room without an account prefix is not ours: nothing of it reaches the bus.
    The harness's exchange is its own, so after a room of ours that follows it, the
    exchange carries exactly that room's events."""
    h = harness()
    tap = h.tap("conference.event.#")
    before = h.daemon.stream.counts["foreign"]
    member = fssim.join(f"plainroom{uuid.uuid4().hex[:6]}", "1001", "Alice")
    fssim.hangup(member.uuid)
    wait_for(lambda: h.daemon.stream.counts["foreign"] >= before + 3)
    conference_id = uuid.uuid4().hex
    ours = fssim.join(f"{ACCOUNT}_{conference_id}", "1002", "Bob")  # published after them
    got = []
    read_until(tap, got, lambda p: p["event"] == "add-member" and p["call_id"] == ours.uuid)
    assert {p["conference_id"] for _, p, _ in got} == {conference_id}
    assert member.uuid not in {p.get("call_id") for _, p, _ in got}


def test_the_factory_publishes_on_the_configured_exchange(amqp_url, temp_exchange, rabbit_tap):
    """KZ_AMQP_EXCHANGE reaches the publisher kz-ecallmgr builds (kzcore.bus.factory)."""
    from kzcore.bus.factory import make_publisher
    config = load_config(env={"KZ_AMQP_URL": amqp_url, "KZ_AMQP_EXCHANGE": temp_exchange})
    tap = rabbit_tap("conference.event.#", temp_exchange)
    publisher = make_publisher(config, connection_name=unique_name("kz-test-factory"))
    try:
        publisher.publish("conference.event.room1.call1", {"event": "add-member"})
        assert publisher.flush(5)
        [(key, payload, _properties)] = tap.read(1, timeout=5)
        assert (key, payload) == ("conference.event.room1.call1", {"event": "add-member"})
    finally:
        publisher.close(timeout=2)
