"""The handover between ecallmgr instances: what a standby keeps, what it drops on
seeing the holder publish, what it publishes on taking over (in-process bus; a
real PikaPublisher for taking messages back)."""
from ecallmgr.event_ids import REAL, Position, event_id, parse_event_id
from ecallmgr.handover import ACTIVE, STANDBY, Handover
from kzcore.bus.memory import MemoryBus
from kzcore.bus.pika_publisher import PikaPublisher

SWITCH = "freeswitch@vm"


def message(core, seq, after=REAL):
    position = Position(core, seq, after)
    msg_id = event_id(position, {"Action": "x"}, "resync")
    return position, f"conference.event.room.{seq}", {"msg_id": msg_id, "focus": SWITCH}


def standby(max_pending=100):
    bus, published = MemoryBus(), []
    bus.start(["#"], lambda key, payload: published.append(payload["msg_id"]))
    return Handover(bus, [SWITCH], max_pending=max_pending), bus, published


def send(handover, *messages):
    for position, key, payload in messages:
        handover.send(SWITCH, position, key, payload)


def test_standby_keeps_what_the_holder_has_not_published_and_publishes_it_on_takeover():
    handover, bus, published = standby()
    send(handover, *(message("c1", n) for n in range(1, 7)))
    assert handover.role(SWITCH) == STANDBY and published == []
    handover.observed(SWITCH, Position("c1", 4))
    assert handover.pending_count(SWITCH) == 2
    assert handover.promote(SWITCH) == 2
    send(handover, message("c1", 7))
    assert bus.flush(2)
    assert published == ["c1:5", "c1:6", "c1:7"] and handover.role(SWITCH) == ACTIVE


def test_an_observation_ahead_of_this_instances_own_stream_covers_what_comes_later():
    handover, bus, published = standby()
    send(handover, message("c1", 1))
    handover.observed(SWITCH, Position("c1", 3))      # the holder's switch connection is faster
    send(handover, message("c1", 2), message("c1", 3), message("c1", 4))
    handover.promote(SWITCH)
    assert bus.flush(2) and published == ["c1:4"]
    assert handover.counts["standby_skipped"] == 3


def test_synthetic_messages_sit_after_their_anchor_and_before_the_next_event():
    handover, bus, published = standby()
    send(handover, message("", 0, 1))                   # a resync before any switch event
    send(handover, message("c1", 8), message("c1", 8, 1), message("c1", 8, 2),
         message("c1", 8, 3), message("c1", 9))
    handover.observed(SWITCH, Position("c1", 8))
    assert handover.pending_count(SWITCH) == 4          # three made after 8, and 9
    handover.observed(SWITCH, Position("c1", 8, 2))     # the holder made two of them
    handover.promote(SWITCH)
    assert bus.flush(2)
    assert [parse_event_id(msg_id)[1:] for msg_id in published] == [(8, 3), (9, 0)]


def test_a_restarted_switch_counts_again_after_its_old_run():
    handover, bus, published = standby()
    send(handover, message("old", 500), message("old", 501), message("new", 1), message("new", 2))
    handover.observed(SWITCH, Position("old", 500))
    assert handover.pending_count(SWITCH) == 3          # sequence 1 of the new run is later
    handover.observed(SWITCH, Position("new", 1))
    handover.promote(SWITCH)
    assert bus.flush(2) and published == ["new:2"]


def test_the_standby_buffer_is_bounded_and_counts_what_it_drops():
    handover, bus, published = standby(max_pending=3)
    send(handover, *(message("c1", n) for n in range(1, 6)))
    assert handover.pending_count(SWITCH) == 3 and handover.counts["pending_dropped"] == 2
    handover.promote(SWITCH)
    assert bus.flush(2) and published == ["c1:3", "c1:4", "c1:5"]


def test_losing_every_lease_takes_unconfirmed_messages_back_for_the_next_holder():
    """A publisher that never reaches its broker holds everything; demoted, the
    instance keeps those messages pending (trimmed by what the new holder publishes)
    and would publish them again only on winning the lease back."""
    publisher = PikaPublisher("amqp://guest:guest@127.0.0.1:1/", connect_timeout=0.2)
    try:
        handover = Handover(publisher, [SWITCH])
        handover.promote(SWITCH)
        send(handover, *(message("c1", n) for n in range(1, 5)))
        assert publisher.stats()["buffered"] == 4
        assert handover.demote_all() == 4
        assert publisher.stats()["buffered"] == 0 and publisher.stats()["discarded"] == 4
        assert handover.role(SWITCH) == STANDBY and handover.pending_count(SWITCH) == 4
        handover.observed(SWITCH, Position("c1", 2))    # the new holder published 1 and 2
        assert handover.pending_count(SWITCH) == 2
        assert handover.demote_all() == 0               # nothing held, nothing to take
    finally:
        publisher.close(timeout=0.1)
