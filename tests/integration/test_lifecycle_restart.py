"""Timers are not lost: restarts of the lifecycle service, crossbar and ecallmgr,
and a standby lifecycle instance taking over (RabbitMQ lease), against the
simulator over TCP and the real broker."""
import time

import gevent
import pytest

from crossbar.live import LiveConferences, create_blueprint
from crossbar.live.compose import COMMAND_EVENTS
from kzcore import lifecycle as lc
from kzcore.esl.pool import EslPool
from kzcore.lifecycle import status_doc
from tests.integration.lifecycle_rig import (events_of, lifecycle_rig, named,  # noqa: F401
                                             wait_for)
from tests.support.api import ApiHarness

pytestmark = [pytest.mark.rabbitmq, pytest.mark.slow]


def ended(payloads):
    return any(p["event"] == lc.CONFERENCE_ENDED for p in payloads)


def end_commands_sent(rig, conference_id):
    name = rig.room_name(conference_id)
    return [c for c in rig.sim.command_log if c.startswith(f"conference {name} setvar "
                                                           f"{lc.END_REASON_VARIABLE}")]


def test_max_duration_survives_a_lifecycle_service_restart(lifecycle_rig):
    rig = lifecycle_rig()
    conference_id = rig.create(max_duration_s=3)
    tap = rig.tap(conference_id)
    rig.join(conference_id, "1001", "Alice")
    joined = time.monotonic()
    gevent.sleep(1.0)
    rig.stop_lifecycle()
    gevent.sleep(0.5)
    if time.monotonic() - joined < 2.5:      # (a loaded machine may oversleep)
        assert rig.wire_room(conference_id) is not None    # still running: the deadline is ahead
    rig.start_lifecycle()                    # a new instance: nothing in memory
    wait_for(lambda: rig.wire_room(conference_id) is None, timeout=20,
             message="the restarted service lost the deadline")
    (end,) = named(events_of(tap, ended), lc.CONFERENCE_ENDED)
    assert end["end_reason"] == lc.MAX_DURATION


def test_a_connect_room_ends_after_a_restart_that_missed_its_second_last_leaving(lifecycle_rig):
    """The peak is kept in the status document; the ``left`` published while no
    instance ran waits in the durable queue."""
    rig = lifecycle_rig()
    conference_id = rig.create(conference_type="connect")
    tap = rig.tap(conference_id)
    rig.join(conference_id, "1001", "Alice")
    _, bob = rig.join(conference_id, "1002", "Bob")
    wait_for(lambda: ((status_doc.load(rig.store, rig.alpha.account_id, conference_id) or {})
                      .get("run") or {}).get("peak") == 2, message="peak not kept")
    rig.stop_lifecycle()
    rig.hang_up(bob)
    gevent.sleep(1.0)
    assert rig.wire_room(conference_id)["member_count"] == 1     # nobody acts meanwhile
    rig.start_lifecycle()
    wait_for(lambda: rig.wire_room(conference_id) is None, message="the room did not end")
    (end,) = named(events_of(tap, ended), lc.CONFERENCE_ENDED)
    assert end["end_reason"] == lc.CONNECT_COMPLETED


def test_a_crossbar_restart_changes_nothing_for_the_timers(lifecycle_rig):
    rig = lifecycle_rig()
    conference_id = rig.create(max_duration_s=2)
    rig.join(conference_id, "1001", "Alice")
    rig.live.close()                         # crossbar goes away...
    gevent.sleep(0.5)
    pool = EslPool(rig.config.nodes, timeout=2.0, events=COMMAND_EVENTS).start()
    assert pool.wait_connected(5)
    live = LiveConferences(pool, rig.store, rig.config)     # ...and a new one comes up
    from crossbar.app import create_app
    from kzcore.schemas.registry import SchemaRegistry
    from kzcore.tokens import TokenSigner
    app = create_app(rig.config, store=rig.store, schemas=SchemaRegistry(rig.store),
                     signer=TokenSigner("test-secret-for-crossbar", 3600), live=live,
                     extra_blueprints=[create_blueprint()])
    api = ApiHarness(app, rig.store, {**rig.api.admin})
    try:
        wait_for(lambda: rig.wire_room(conference_id) is None, timeout=4)
        url = rig.url(conference_id)

        def last_end():
            view = api.call("GET", url, token=rig.alpha.token).get_json()["data"]["_read_only"]
            return view if view["end_reason"] else None
        view = wait_for(last_end)
        assert (view["status"], view["end_reason"]) == (lc.IDLE, lc.MAX_DURATION)
    finally:
        live.close()
        pool.close()
        rig.live = LiveConferences(rig.parts["crossbar_pool"], rig.store, rig.config)


def test_a_standby_instance_takes_over_and_the_room_is_ended_once(lifecycle_rig):
    rig = lifecycle_rig()
    standby = rig.start_lifecycle("lifecycle-standby", wait_active=False)
    gevent.sleep(0.6)
    assert not standby.active                 # the first instance holds the lease
    conference_id = rig.create(max_duration_s=3)
    tap = rig.tap(conference_id)
    rig.join(conference_id, "1001", "Alice")
    gevent.sleep(1.0)
    rig.stop_lifecycle()                      # the active one goes
    wait_for(lambda: standby.active, timeout=20, message="the standby did not take over")
    wait_for(lambda: rig.wire_room(conference_id) is None, timeout=20)
    payloads = events_of(tap, ended)
    assert [p["end_reason"] for p in named(payloads, lc.CONFERENCE_ENDED)] == [lc.MAX_DURATION]
    assert len(end_commands_sent(rig, conference_id)) == 1


def test_an_ecallmgr_restart_keeps_a_connect_room_ending(lifecycle_rig):
    rig = lifecycle_rig()
    conference_id = rig.create(conference_type="connect")
    tap = rig.tap(conference_id)
    rig.join(conference_id, "1001", "Alice")
    _, bob = rig.join(conference_id, "1002", "Bob")
    gevent.sleep(0.5)
    rig.stop_ecallmgr()
    rig.start_ecallmgr()                      # resyncs: the room and its members again
    rig.hang_up(bob)
    wait_for(lambda: rig.wire_room(conference_id) is None, message="the room did not end")
    (end,) = named(events_of(tap, ended), lc.CONFERENCE_ENDED)
    assert end["end_reason"] == lc.CONNECT_COMPLETED
