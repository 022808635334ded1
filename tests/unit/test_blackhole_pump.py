"""The gateway's write pump (blackhole.pump) with stand-in sessions: an event for an
idle gateway is written at once whatever the interval, an event arriving just
after a cheap round waits only as long as that round took, and a busy gateway
still writes at most one round per interval, coalescing what arrived meanwhile."""
import time

import gevent
import pytest

from blackhole.pump import Pump, rest_after_round
from tests.support.waiting import wait_for


class FakeSession:
    """Records when the pump flushed it and which pushes each flush carried; a flush
    can burn CPU (no yield) like a round of many socket writes."""

    def __init__(self, pump, flush_cost=0.0):
        self.id = id(self)
        self.pump = pump
        self.flush_cost = flush_cost
        self.pending = []
        self.flushes = []           # (monotonic time the flush began, pushes it carried)

    def push(self, item):
        self.pending.append(item)
        self.pump.notify(self)

    def flush(self, now):
        began = time.monotonic()
        while time.monotonic() - began < self.flush_cost:
            pass
        self.flushes.append((began, self.pending))
        self.pending = []
        return False

    def keepalive(self, now):
        pass


@pytest.fixture
def make_pump():
    pumps = []

    def make(write_interval):
        pump = Pump(write_interval, housekeeping_interval=60.0)
        pump.start()
        pumps.append(pump)
        return pump

    yield make
    for pump in pumps:
        pump.stop()


@pytest.mark.parametrize("took, interval, rest", [
    (0.0001, 0.005, 0.0001),    # cheap round: as long as itself
    (0.0016, 0.005, 0.0016),
    (0.0017, 0.005, 0.0033),    # busy round (a third of the interval or more): the
    (0.002, 0.005, 0.003),      # rest of the interval, start to start
    (0.004, 0.005, 0.004),      # long round: at least as long as the round
    (0.020, 0.005, 0.020),
])
def test_the_rest_after_a_round(took, interval, rest):
    assert rest_after_round(took, interval) == pytest.approx(rest)


def test_an_idle_pump_writes_at_once_even_right_after_a_round(make_pump):
    pump = make_pump(write_interval=10.0)
    session = FakeSession(pump)
    pump.add(session)
    gevent.sleep(0.05)                      # the pump is waiting for work
    start = time.monotonic()
    session.push("first")
    wait_for(lambda: session.flushes, timeout=5.0, message="the first event was not written")
    session.push("second")                  # right after a (cheap) round
    wait_for(lambda: len(session.flushes) == 2, timeout=5.0,
             message="the second event waited for the 10 s interval")
    assert [items for _, items in session.flushes] == [["first"], ["second"]]
    assert time.monotonic() - start < 5.0


def test_a_burst_behind_a_busy_round_waits_for_the_interval_and_shares_one_round(make_pump):
    interval = 1.0
    pump = make_pump(write_interval=interval)
    busy = FakeSession(pump, flush_cost=0.4)    # a round of many writes: >= 1/3 interval
    pump.add(busy)
    gevent.sleep(0.05)
    busy.push(0)
    wait_for(lambda: busy.flushes, timeout=5.0, message="the first event was not written")
    for item in range(1, 11):                   # arrives while the pump rests
        busy.push(item)
        gevent.sleep(0.01)
    wait_for(lambda: sum(len(items) for _, items in busy.flushes) == 11, timeout=10.0,
             message=lambda: "not all written: %r" % busy.flushes)
    starts = [began for began, _ in busy.flushes]
    # a busy round is followed by the rest of the interval, start to start
    assert all(b - a >= 0.95 * interval for a, b in zip(starts, starts[1:])), starts
    assert [items for _, items in busy.flushes[:2]] == [[0], list(range(1, 11))]
    assert pump.rounds == 2


def test_events_behind_a_cheap_round_wait_as_long_as_the_round_and_share_one_write(make_pump):
    interval = 3.0
    pump = make_pump(write_interval=interval)
    session = FakeSession(pump, flush_cost=0.2)     # cheap: under a third of the interval
    pump.add(session)
    gevent.sleep(0.05)
    session.push(0)
    wait_for(lambda: session.flushes, timeout=5.0, message="the first event was not written")
    for item in range(1, 6):                        # arrive during the round's rest
        session.push(item)
    wait_for(lambda: len(session.flushes) == 2, timeout=10.0,
             message=lambda: "the rest was not written: %r" % session.flushes)
    (first, _), (second, items) = session.flushes
    assert items == [1, 2, 3, 4, 5]                 # one write for what came meanwhile
    # start to start: the round (0.2 s) and a rest as long as it; twice the round
    # (0.6 s) or the interval (3 s) would fail
    assert 0.38 <= second - first < 0.55, second - first
