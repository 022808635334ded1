"""CommandLedger on the embedded store: a command_id's first answer is replayed
(successes and the switch's refusals), never carried out twice, also when two
requests race; invalid requests and an unreachable switch keep nothing; records
expire. The two-process case over HTTP: tests/integration/test_command_id_processes."""
import gevent
import gevent.event
import pytest

from crossbar.idempotency import DB, CommandLedger, record_id
from kzcore import errors as kz
from kzcore.store.embedded import EmbeddedStore

KEY = ("a" * 32, "conf1", "cmd-1")


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class Action:
    """A perform() that counts its calls; answers or raises what it is given."""

    def __init__(self, *outcomes):
        self.outcomes, self.calls = list(outcomes), 0

    def __call__(self):
        self.calls += 1
        outcome = self.outcomes[min(self.calls, len(self.outcomes)) - 1]
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


@pytest.fixture
def store():
    made = EmbeddedStore(":memory:")
    yield made
    made.close()


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def ledger(store, clock):
    return CommandLedger(store, ttl=600, wait=1.0, sweep_interval=0, clock=clock, poll=0.01)


def test_a_repeat_gets_the_first_answer_without_running_again(ledger):
    action = Action(("+OK mute 3", 202), ("+OK mute 3 again", 202))
    assert ledger.run(KEY, "f1", action) == ("+OK mute 3", 202, False)
    assert ledger.run(KEY, "f1", action) == ("+OK mute 3", 202, True)
    assert action.calls == 1


def test_the_same_id_on_another_conference_is_another_command(ledger):
    action = Action(("ok", 202))
    ledger.run(KEY, "f1", action)
    ledger.run((KEY[0], "conf2", KEY[2]), "f1", action)
    assert action.calls == 2


def test_the_same_id_for_another_command_is_400(ledger):
    ledger.run(KEY, "f1", Action(("ok", 202)))
    other = Action(("never", 202))
    with pytest.raises(kz.ValidationFailed) as refused:
        ledger.run(KEY, "f2", other)
    assert "unique" in refused.value.data["command_id"] and other.calls == 0


def test_the_switch_s_refusal_is_replayed(ledger):
    action = Action(kz.SwitchRefused("-ERR Nothing is playing", {"command": "x"}), ("ok", 202))
    for _ in range(2):
        with pytest.raises(kz.SwitchRefused) as refused:
            ledger.run(KEY, "f1", action)
        assert refused.value.message == "-ERR Nothing is playing"
        assert refused.value.data == {"command": "x"}
    assert action.calls == 1


def test_a_not_found_keeps_its_error_id(ledger):
    action = Action(kz.DatabaseMissing("gone"))
    for _ in range(2):
        with pytest.raises(kz.NotFound) as missing:
            ledger.run(KEY, "f1", action)
        assert missing.value.error_id == "database_missing"
    assert action.calls == 1


@pytest.mark.parametrize("error", [kz.ValidationFailed("bad", {}), kz.SwitchUnavailable("down"),
                                   RuntimeError("bug")])
def test_invalid_requests_and_unreachable_switches_keep_nothing(ledger, store, error):
    action = Action(error, ("ok", 202))
    with pytest.raises(type(error)):
        ledger.run(KEY, "f1", action)
    assert store.get_or_none(DB, record_id(*KEY)) is None
    assert ledger.run(KEY, "f1", action) == ("ok", 202, False)


def test_a_record_expires(ledger, clock):
    action = Action(("first", 202), ("second", 202))
    ledger.run(KEY, "f1", action)
    clock.now += 599
    assert ledger.run(KEY, "f1", action)[0] == "first"
    clock.now += 2
    assert ledger.run(KEY, "f1", action) == ("second", 202, False)


def test_racing_requests_run_once_and_share_the_answer(ledger):
    release = gevent.event.Event()
    calls = []

    def slow():
        calls.append(1)
        release.wait(2)
        return "+OK hold 3", 202

    first = gevent.spawn(ledger.run, KEY, "f1", slow)
    gevent.sleep(0.02)
    second = gevent.spawn(ledger.run, KEY, "f1", slow)
    gevent.sleep(0.05)
    assert not second.ready()          # waiting for the first answer, not running
    release.set()
    assert first.get(timeout=2) == ("+OK hold 3", 202, False)
    assert second.get(timeout=2) == ("+OK hold 3", 202, True)
    assert len(calls) == 1


def test_a_first_request_still_running_makes_the_repeat_409(store, clock):
    ledger = CommandLedger(store, wait=0.05, sweep_interval=0, poll=0.01)
    release = gevent.event.Event()
    first = gevent.spawn(ledger.run, KEY, "f1", lambda: (release.wait(2), ("ok", 202))[1])
    gevent.sleep(0.02)
    with pytest.raises(kz.Conflict):
        ledger.run(KEY, "f1", Action(("never", 202)))
    release.set()
    assert first.get(timeout=2)[0] == "ok"


def test_a_sweep_runs_in_the_background_at_most_every_interval(store, clock):
    ledger = CommandLedger(store, ttl=30, sweep_interval=60, clock=clock)
    ledger.run(KEY, "f1", Action(("old", 202)))                       # swept at 1000
    clock.now += 31
    ledger.run((KEY[0], KEY[1], "cmd-2"), "f1", Action(("new", 202)))
    gevent.sleep(0.05)
    assert store.get_or_none(DB, record_id(*KEY)) is not None     # expired, not swept yet
    clock.now += 30
    ledger.run((KEY[0], KEY[1], "cmd-3"), "f1", Action(("newer", 202)))
    gevent.sleep(0.05)
    assert store.get_or_none(DB, record_id(*KEY)) is None
    assert store.get_or_none(DB, record_id(KEY[0], KEY[1], "cmd-2")) is not None


def test_sweep_removes_expired_records_only(ledger, store, clock):
    ledger.run(KEY, "f1", Action(("old", 202)))
    clock.now += 700
    ledger.run((KEY[0], KEY[1], "cmd-2"), "f1", Action(("new", 202)))
    assert ledger.sweep() == 1
    assert store.get_or_none(DB, record_id(*KEY)) is None
    assert store.get_or_none(DB, record_id(KEY[0], KEY[1], "cmd-2"))["state"] == "done"
