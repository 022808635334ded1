"""Issue 17 item 4: no PIN oracle.

Call after call, a client tried 60 PINs in 7 seconds. Now wrong PINs count per
conference and per caller number across calls: after ``free`` of them each
further try waits twice as long as the one before, then tries are refused
(hang-up cause CALL_REJECTED), even with the right PIN, even from another
number. The throttle here is the production one with short delays (production:
1 s, doubling, KZ_CALLIN_PIN_FAILURES free per KZ_CALLIN_PIN_WINDOW)."""
import time

import gevent
import pytest

from callin.throttle import PinThrottle
from tests.support.callin_rig import callin_rig
from tests.support.fake_switch import FakeSwitch

RIGHT = "4242"
BASE = 0.25


class Guesser:
    """play_and_get_digits answers from a list; records when each entry was handed over."""

    def __init__(self, entries):
        self.entries, self.handed = list(entries), []

    def __call__(self, arg):
        self.handed.append(time.monotonic())
        variable = arg.split()[7]
        return {"variable_read_result": "success", f"variable_{variable}": self.entries.pop(0)}


def make_rig(tmp_path, base=BASE, max_wait=2.5 * BASE):
    throttle = PinThrottle(free=2, window=60.0, base_delay=base, max_wait=max_wait)
    rig = callin_rig(tmp_path, throttle=throttle)
    return rig


@pytest.fixture
def rig(tmp_path):
    with make_rig(tmp_path) as rig:
        rig.conference("vault", member={"numbers": ["7300"], "pins": [RIGHT]})
        yield rig


def call(rig, entries, caller="5550001"):
    guesser = Guesser(entries)
    switch = FakeSwitch(rig.port, channel={"variable_kz_callin_number": "7300",
                                           "Caller-Caller-ID-Number": caller},
                        apps={"play_and_get_digits": guesser})
    switch.wait_closed(timeout=10)
    return switch, guesser


def checked_at(switch, guesser):
    """When the service answered each PIN entry (its next command after the entry)."""
    return [moment + switch.next_command_after(moment) for moment in guesser.handed]


def test_wrong_pins_cost_growing_time_then_are_refused_across_calls(rig):
    first, g1 = call(rig, ["1111", "2222", "3333"])
    assert first.hungup_with == "NORMAL_CLEARING"            # bad PIN three times
    second, g2 = call(rig, ["4444", "5555", "6666"])
    assert second.hungup_with == "CALL_REJECTED"             # the 5th entry is refused
    assert len(g2.handed) == 2
    handed = g1.handed + g2.handed
    answered = checked_at(first, g1) + checked_at(second, g2)
    waited = [a - h for a, h in zip(answered, handed)]
    gaps = [b - a for a, b in zip(answered, answered[1:])]
    # entries 1 and 2 are free; then each check comes 0.25 s, 0.5 s after the previous one;
    # the 5th would come 1 s after the 4th, over max_wait: refused at once
    assert waited[0] < BASE and waited[1] < BASE
    assert gaps[1] >= BASE * 0.95
    assert gaps[2] >= 2 * BASE * 0.95
    assert waited[3] > waited[2] > BASE / 2
    assert waited[4] < 2 * BASE
    assert rig.stats["wrong_pins"] == 4 and rig.stats["pin_throttled"] == 1


def test_a_throttled_conference_refuses_even_the_right_pin_from_another_number(tmp_path):
    with make_rig(tmp_path, base=1.0, max_wait=1.0) as rig:
        rig.conference("vault", member={"numbers": ["7300"], "pins": [RIGHT]})
        call(rig, ["1111", "2222", "3333"])                  # 2 free, the 3rd waited 1 s
        started = time.monotonic()
        with_right_pin, _ = call(rig, [RIGHT, RIGHT, RIGHT], caller="5559999")
        assert with_right_pin.hungup_with == "CALL_REJECTED"
        assert with_right_pin.apps_run("conference") == []   # the oracle says nothing
        assert time.monotonic() - started < 3                # refused, not kept waiting
        assert rig.stats["pin_throttled"] == 1


def test_guesses_in_three_seconds_fall_from_about_25_to_a_handful(rig):
    started = time.monotonic()
    while time.monotonic() - started < 3:
        call(rig, ["0000", "0001", "0002"], caller=f"555{int(time.monotonic() * 1000) % 10000}")
    # free 2, then 0.25, 0.5 s apart, then refused until 1 s later...: at most 6 in 3 s
    assert rig.stats["wrong_pins"] <= 6
    assert rig.stats["pin_throttled"] >= 1


def test_parallel_calls_do_not_get_parallel_free_guesses(rig):
    results = []
    calls = [gevent.spawn(lambda n=n: results.append(call(rig, ["9999"], caller=f"55500{n}")))
             for n in range(8)]
    gevent.joinall(calls, timeout=15, raise_error=True)
    # one conference: 2 free, one 0.25 s later, maybe one 0.5 s after that, the rest refused
    assert rig.stats["wrong_pins"] <= 4
    assert rig.stats["pin_throttled"] >= 4
    assert len(results) == 8
