"""The shared reconnect loop (kzcore.bus.pika_supervisor), driven by scripted
connections: what each try does is a list of outcomes, one per connection."""
import logging

import gevent
import gevent.event
import pika.exceptions
from kzcore.bus.pika_supervisor import MAX_DELAY, backoff_delay, supervise


class FakeConnection:
    def __init__(self, number, journal):
        self.number, self.journal, self.is_open = number, journal, True

    def close(self):
        self.is_open = False
        self.journal.append(("close", self.number))


class Script:
    """Each try takes the next outcome: an exception class raised by ``connect``
    ("connect:X"), by ``setup`` ("setup:X") or by ``serve`` (X); "serve" serves
    until told to stop. When the outcomes run out the owner is closing."""

    def __init__(self, *outcomes, stop_after=None):
        self.outcomes = list(outcomes)
        self.journal, self.delays, self.retries = [], [], 0
        self.closing = False
        self.stop_after = stop_after if stop_after is not None else len(outcomes)
        self.tries = 0
        self.stop = gevent.event.Event()

    def connect(self):
        self.tries += 1
        if self.tries >= self.stop_after:
            self.closing = True
        self.outcome = self.outcomes.pop(0)
        self.journal.append(("connect", self.tries))
        if isinstance(self.outcome, str) and self.outcome.startswith("connect:"):
            raise _error(self.outcome)
        return FakeConnection(self.tries, self.journal)

    def setup(self, connection):
        self.journal.append(("setup", connection.number))
        if isinstance(self.outcome, str) and self.outcome.startswith("setup:"):
            raise _error(self.outcome)
        return f"channel-{connection.number}"

    def serve(self, connection, state):
        self.journal.append(("serve", state))
        if self.outcome == "serve":
            self.stop.wait()
            return
        raise self.outcome("boom")

    def cleanup(self):
        self.journal.append(("cleanup",))

    def on_retry(self):
        self.retries += 1

    def wait(self, delay):
        self.delays.append(delay)

    def run(self, **options):
        hooks = {"connect": self.connect, "setup": self.setup, "serve": self.serve,
                 "cleanup": self.cleanup, "on_retry": self.on_retry, "wait": self.wait}
        supervise("test link", closing=lambda: self.closing, **{**hooks, **options})


def _error(outcome):
    return {"OSError": OSError, "AMQP": pika.exceptions.AMQPConnectionError,
            "Value": ValueError}[outcome.split(":")[1]]("boom")


def test_backoff_doubles_per_failure_and_is_capped():
    assert [backoff_delay(n) for n in range(7)] == [0.1, 0.2, 0.4, 0.8, 1.6, 2.0, 2.0]
    # a very long outage (thousands of failures) must not overflow the float
    assert backoff_delay(5000) == MAX_DELAY


def test_failed_tries_back_off_and_a_served_connection_resets_the_backoff():
    script = Script("connect:OSError", "connect:AMQP", "setup:OSError", "connect:OSError",
                    "connect:OSError", "connect:OSError", pika.exceptions.StreamLostError,
                    "connect:OSError", "connect:OSError")
    script.run()
    assert script.tries == 9
    assert script.delays == [0.2, 0.4, 0.8, 1.6, 2.0, 2.0, 0.2, 0.4]   # none after the last
    assert script.retries == len(script.delays)


def test_cleanup_runs_once_per_connection_before_it_is_closed():
    script = Script(OSError, "connect:OSError", pika.exceptions.StreamLostError,
                    "setup:AMQP", ValueError, "serve")
    gevent.spawn_later(0.05, script.stop.set)
    script.run()
    assert script.journal.count(("cleanup",)) == 6          # one per try, connected or not
    # every connection that was opened is closed once, right after its clean-up
    for number in (1, 3, 4, 5, 6):
        at = script.journal.index(("close", number))
        assert script.journal[at - 1] == ("cleanup",)
        assert script.journal.count(("close", number)) == 1
    assert script.retries == 5 and len(script.delays) == 5  # none after the normal close


def test_unexpected_errors_are_logged_with_a_trace_and_do_not_end_the_loop(caplog):
    script = Script(ValueError, "setup:Value", KeyError, "serve")
    gevent.spawn_later(0.05, script.stop.set)
    with caplog.at_level(logging.WARNING, logger="kzcore.bus.pika_supervisor"):
        script.run()
    failures = [r for r in caplog.records if r.getMessage() == "test link failed; reconnecting"]
    assert len(failures) == 3 and all(r.exc_info for r in failures)
    assert ("serve", "channel-4") in script.journal          # the fourth try was served


def test_lost_connections_are_warnings_with_the_owner_fields(caplog):
    script = Script(pika.exceptions.StreamLostError, TimeoutError, "serve")
    gevent.spawn_later(0.05, script.stop.set)
    owner_log = logging.getLogger("test.owner")
    with caplog.at_level(logging.WARNING, logger="test.owner"):
        script.run(lost=(pika.exceptions.AMQPError, TimeoutError), log=owner_log,
                   lost_fields=lambda: {"buffered": 7})
    lost = [r for r in caplog.records if r.getMessage() == "test link connection lost"]
    assert len(lost) == 2 and {r.name for r in lost} == {"test.owner"}
    assert all(r.levelno == logging.WARNING and r.buffered == 7 and not r.exc_info
               for r in lost)
    assert "StreamLostError" in lost[0].error and "TimeoutError" in lost[1].error


def test_a_failing_cleanup_does_not_end_the_loop(caplog):
    script = Script(OSError, "serve")
    calls = []

    def cleanup():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("cleanup bug")
    gevent.spawn_later(0.05, script.stop.set)
    script.run(cleanup=cleanup)
    assert len(calls) == 2 and ("serve", "channel-2") in script.journal
    assert any(r.getMessage() == "test link clean-up failed" for r in caplog.records)


def test_close_during_an_event_wait_ends_the_loop_at_once():
    """The publisher's wait: an event that new publishes (or close) set."""
    script = Script("connect:OSError", "connect:OSError", stop_after=99)
    wakeup = gevent.event.Event()

    def wait(delay):
        script.delays.append(delay)
        wakeup.wait(delay)
    runner = gevent.spawn(script.run, wait=wait)
    gevent.sleep(0.05)                      # now in the first 0.2 s back-off
    script.closing = True
    wakeup.set()
    runner.join(timeout=0.1)
    assert runner.dead and runner.successful()
    assert script.tries == 1 and script.delays == [0.2]


def test_close_during_a_plain_sleep_makes_no_further_try():
    """The consumer's wait: ``gevent.sleep``; the loop ends when it returns."""
    script = Script("connect:OSError", "connect:OSError", stop_after=99)
    runner = gevent.spawn(script.run, wait=gevent.sleep)
    gevent.sleep(0.05)
    script.closing = True
    runner.join(timeout=1.0)
    assert runner.dead and runner.successful() and script.tries == 1
