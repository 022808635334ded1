"""callin.throttle: wrong PINs cost more each time, across calls (pure, fake clock)."""
from callin.throttle import PinThrottle


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def throttle(clock, **kwargs):
    options = dict(free=2, window=60.0, base_delay=1.0, max_wait=10.0, clock=clock)
    options.update(kwargs)
    return PinThrottle(**options)


def test_free_entries_then_doubling_waits_then_refusal():
    clock = Clock()
    pins = throttle(clock)
    waits = []
    for _ in range(7):
        ticket = pins.admit(["conf", "caller"])
        waits.append(None if ticket is None else ticket.wait)
        if ticket is not None:
            clock.now += ticket.wait              # the call waits, then checks
    assert waits == [0.0, 0.0, 1.0, 2.0, 4.0, 8.0, None]   # 16 s > max_wait


def test_parallel_entries_queue_instead_of_all_being_free():
    clock = Clock()
    pins = throttle(clock)
    waits = [pins.admit(["conf"]) for _ in range(6)]
    assert [t.wait if t else None for t in waits] == [0.0, 0.0, 1.0, 3.0, 7.0, None]


def test_a_right_pin_is_taken_back():
    clock = Clock()
    pins = throttle(clock)
    for _ in range(10):
        pins.right(pins.admit(["conf", "caller"]))
    assert pins.entries("conf") == 0
    assert pins.admit(["conf"]).wait == 0.0


def test_any_key_over_its_allowance_slows_the_entry():
    clock = Clock()
    pins = throttle(clock)
    waits = [pins.admit(["conf", f"caller{number}"]).wait for number in range(3)]
    assert waits == [0.0, 0.0, 1.0]                  # three callers, one conference
    assert pins.admit(["conf", "caller9"]).wait == 3.0   # 2 s after the 3rd one's turn
    assert pins.admit(["other", "caller9"]).wait == 0.0   # caller9 has 1 entry, other 0


def test_entries_expire_after_the_window_and_refusals_do_not_count():
    clock = Clock()
    pins = throttle(clock, max_wait=0.5)
    for _ in range(2):
        pins.admit(["conf"])
    assert pins.admit(["conf"]) is None and pins.admit(["conf"]) is None
    assert pins.entries("conf") == 2
    clock.now += 60.0
    assert pins.entries("conf") == 0
    assert pins.admit(["conf"]).wait == 0.0


def test_memory_is_bounded_when_callers_cycle_numbers():
    clock = Clock()
    pins = throttle(clock, max_keys=100)
    for number in range(1000):
        pins.admit([f"caller{number}"])
    assert len(pins._keys) <= 100
