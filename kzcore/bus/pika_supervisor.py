"""The reconnect loop shared by the pika publisher and consumer.

``supervise`` runs inside the greenlet that owns the connection (it spawns
nothing): connect, set up, serve until the connection dies or the owner closes,
clean up, close the connection, back off, try again. No error ends the loop: a
dead owner greenlet would silently stop every event after it.
"""
import logging

import gevent
import pika.exceptions

from kzcore.bus.pika_tuning import close_quietly

log = logging.getLogger(__name__)

LOST_CONNECTION = (pika.exceptions.AMQPError, OSError)
FIRST_DELAY = 0.1       # seconds; doubled per failed try in a row
MAX_DELAY = 2.0


def backoff_delay(failures, first=FIRST_DELAY, cap=MAX_DELAY):
    """Seconds to wait after ``failures`` failed tries in a row (0 after a
    connection that was up and served): 0.1, 0.2, 0.4, ... capped. The exponent
    is bounded so that a long outage never overflows the float."""
    return min(first * 2 ** min(failures, 64), cap)


def supervise(name, *, connect, setup, serve, cleanup, closing, wait=gevent.sleep,
              on_retry=None, lost=LOST_CONNECTION, lost_fields=None, log=log):
    """Keep one connection up and served until ``closing()`` is true.

    ``connect()`` returns a connection; ``setup(connection)`` returns what ``serve``
    needs (and marks the owner ready); ``serve(connection, state)`` returns only
    when closing. An exception in ``lost`` is a lost connection, logged as a
    warning with ``error`` and ``lost_fields()``; any other is logged with its
    trace. Either way ``cleanup()`` runs exactly once per try, before the
    connection is closed. Then, unless closing: ``on_retry()`` and ``wait(delay)``.
    ``name`` starts the log messages; ``log`` is the owner's logger."""
    failures = 0
    while not closing():
        connection = None
        try:
            connection = connect()
            state = setup(connection)
            failures = 0
            serve(connection, state)
        except lost as exc:
            failures += 1
            fields = lost_fields() if lost_fields is not None else {}
            log.warning("%s connection lost", name, extra={"error": repr(exc), **fields})
        except Exception:  # never let the owner greenlet die
            failures += 1
            log.exception("%s failed; reconnecting", name)
        finally:
            _run_cleanup(name, cleanup, log)
            close_quietly(connection)
        if not closing():
            if on_retry is not None:
                on_retry()
            wait(backoff_delay(failures))


def _run_cleanup(name, cleanup, log):
    try:
        cleanup()
    except Exception:  # same reason: a failed clean-up must not end the loop
        log.exception("%s clean-up failed", name)


def join_or_kill(greenlet, grace):
    """Let a ``supervise`` greenlet that was told to close finish its turn (up to
    ``grace`` seconds: its connection closes cleanly), then kill it."""
    if greenlet is None:
        return
    greenlet.join(timeout=grace)
    if not greenlet.dead:
        greenlet.kill(block=True, timeout=1.0)
