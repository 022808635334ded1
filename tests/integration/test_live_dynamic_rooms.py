"""Dynamic conferences (a dial into an id with no document) leave nothing once
their room has ended, as Kazoo's: the document goes on the switch's
conference-destroy, or by the sweep when that event was missed; a room still
running, a dial still ringing, and a stored conference keep theirs; lists show a
dynamic conference only while its room runs. Against two simulator nodes over TCP."""
import logging

import gevent
import pytest

from crossbar.live import LiveConferences, create_live
from kzcore import conference_numbers
from kzcore.esl.pool import EslPool
from tests.integration.test_ecallmgr_flow import wait_for
from tests.integration.test_live_dial import dial, make_device
from tests.integration.test_live_support import make_rig

GRACE = 0.3
BOUND = 3.0  # seconds within which an ended room's document must be gone


@pytest.fixture
def rig(fssim_factory, tmp_path):
    """The live rig, started as the composition root starts it (no periodic sweep:
    each test triggers what it needs)."""
    made, _ = make_rig(fssim_factory, tmp_path, dynamic_grace=GRACE,
                       dynamic_sweep_interval=0)
    made.live.start()
    yield made
    made.close()


def second_crossbar(rig, started=True):
    """Another crossbar process on the same store and nodes."""
    pool = EslPool(rig.config.nodes, timeout=rig.config.esl_timeout).start()
    assert pool.wait_connected(5.0)
    live = LiveConferences(pool, rig.api.store, rig.config)
    return live.start() if started else live


def exists(rig, conference_id):
    status = rig.call("GET", rig.alpha, conference_id).status_code
    assert status in (200, 404), status
    return status == 200


def listed_ids(rig):
    reply = rig.api.call("GET", f"/v2/accounts/{rig.alpha.account_id}/conferences",
                         token=rig.alpha.token)
    assert reply.status_code == 200, reply.get_json()
    return {item["id"] for item in reply.get_json()["data"]}


def dial_in(rig, conference_id, username, **data):
    device_id = make_device(rig, rig.alpha, username)
    reply = dial(rig, conference_id, {"endpoints": [device_id], **data})
    assert reply.status_code == 200, reply.get_json()
    (leg,) = reply.get_json()["data"]["endpoint_responses"]
    return leg


def hang_up(rig, call_id):
    """The member (or ringing callee) hangs up, on whichever node has the call."""
    (sim,) = [sim for sim in rig.sims if sim.channel(call_id) is not None]
    sim.hangup(call_id)


def test_document_lives_while_the_room_runs_and_goes_when_the_last_member_leaves(rig):
    leg = dial_in(rig, "adhoc-ends", "8201", name="Ad hoc", member={"numbers": ["82001"]})
    assert leg["status"] == "success", leg
    gevent.sleep(GRACE + 0.2)
    assert rig.live.dynamic_rooms.sweep() == 0      # the room runs: nothing to remove
    assert exists(rig, "adhoc-ends") and "adhoc-ends" in listed_ids(rig)
    assert conference_numbers.lookup(rig.api.store, "82001")["conference_id"] == "adhoc-ends"
    hang_up(rig, leg["call_id"])
    wait_for(lambda: not exists(rig, "adhoc-ends"), BOUND, "document still there")
    assert conference_numbers.lookup(rig.api.store, "82001") is None
    assert "adhoc-ends" not in listed_ids(rig)


def test_two_crossbars_both_seeing_the_end_remove_it_once_without_error(rig, caplog):
    other = second_crossbar(rig)
    try:
        leg = dial_in(rig, "adhoc-twice", "8202", member={"numbers": ["82002"]})
        gevent.sleep(GRACE + 0.1)
        with caplog.at_level(logging.INFO, logger="crossbar.live.dynamic_rooms"):
            hang_up(rig, leg["call_id"])
            wait_for(lambda: not exists(rig, "adhoc-twice"), BOUND, "document still there")
            wait_for(lambda: len([r for r in caplog.records if "adhoc" in str(
                getattr(r, "conference_id", ""))]) >= 2, BOUND, "second crossbar did not try")
        removals = [r.getMessage() for r in caplog.records if r.name.endswith("dynamic_rooms")
                    and getattr(r, "conference_id", None) == "adhoc-twice"]
        assert sorted(removals) == ["dynamic conference left to another",
                                    "dynamic conference removed: its room has ended"]
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert conference_numbers.lookup(rig.api.store, "82002") is None
    finally:
        other.close()


def test_a_destroy_within_the_grace_period_removes_it_once_the_grace_is_over(rig):
    rig.live.dynamic_rooms.grace = 1.5
    leg = dial_in(rig, "adhoc-short", "8203")
    hang_up(rig, leg["call_id"])
    gevent.sleep(0.3)
    assert exists(rig, "adhoc-short")                # still within the grace period
    wait_for(lambda: not exists(rig, "adhoc-short"), 1.5 + BOUND, "document still there")


def test_sweep_after_restart_removes_one_whose_end_nobody_saw(rig):
    rig.live.dynamic_rooms.close()                   # no crossbar acts on room ends
    leg = dial_in(rig, "adhoc-unseen", "8204", member={"numbers": ["82004"]})
    hang_up(rig, leg["call_id"])
    gevent.sleep(GRACE + 0.3)
    assert exists(rig, "adhoc-unseen")               # nobody saw the room end
    assert "adhoc-unseen" not in listed_ids(rig)     # yet lists show only running rooms
    restarted = second_crossbar(rig)                 # a crossbar starts: it sweeps
    try:
        wait_for(lambda: not exists(rig, "adhoc-unseen"), BOUND, "not swept")
        assert conference_numbers.lookup(rig.api.store, "82004") is None
    finally:
        restarted.close()


def test_sweep_on_reconnect_removes_one_that_ended_while_the_node_was_away(rig):
    leg = dial_in(rig, "adhoc-away", "8205")
    (sim,) = [sim for sim in rig.sims if sim.channel(leg["call_id"]) is not None]
    gevent.sleep(GRACE + 0.1)
    sim.stop()                                       # every ESL connection to it drops
    wait_for(lambda: sim.node_name not in rig.live.pool.connected_names(), BOUND)
    sim.hangup(leg["call_id"])                       # the room ends unseen
    gevent.sleep(0.2)
    assert exists(rig, "adhoc-away")
    sim.start()
    wait_for(lambda: not exists(rig, "adhoc-away"), BOUND + 2.0, "not swept on reconnect")


def test_a_ringing_dial_keeps_its_document_until_its_call_is_gone(rig):
    rig.live.dialer.wait = 0.3                       # answer while the phone still rings
    device_id = make_device(rig, rig.alpha, "8206", behaviour="no_answer")
    reply = dial(rig, "adhoc-ringing", {"endpoints": [device_id]})
    assert reply.status_code == 200, reply.get_json()
    (leg,) = reply.get_json()["data"]["endpoint_responses"]
    assert leg["status"] == "pending", leg
    gevent.sleep(GRACE + 0.2)
    assert rig.live.where(rig.alpha.account_id, "adhoc-ringing") is None  # no room yet
    assert rig.live.dynamic_rooms.sweep() == 0
    assert exists(rig, "adhoc-ringing")              # its call still rings: kept
    hang_up(rig, leg["call_id"])                     # the callee never answers
    wait_for(lambda: rig.sims[0].channel(leg["call_id"]) is None
             and rig.sims[1].channel(leg["call_id"]) is None, BOUND)
    assert rig.live.dynamic_rooms.sweep() == 1
    assert not exists(rig, "adhoc-ringing")


def test_a_second_dial_while_the_room_runs_keeps_it_until_the_room_ends(rig):
    first = dial_in(rig, "adhoc-again", "8207")
    second = dial_in(rig, "adhoc-again", "8208")
    assert second["status"] == "success", second
    hang_up(rig, first["call_id"])
    gevent.sleep(GRACE + 0.3)
    assert rig.live.dynamic_rooms.sweep() == 0
    assert exists(rig, "adhoc-again") and "adhoc-again" in listed_ids(rig)
    hang_up(rig, second["call_id"])
    wait_for(lambda: not exists(rig, "adhoc-again"), BOUND, "document still there")


def test_a_dial_after_the_room_ended_starts_it_again_with_its_document(rig):
    first = dial_in(rig, "adhoc-reuse", "8209", name="Reused")
    hang_up(rig, first["call_id"])
    wait_for(lambda: not exists(rig, "adhoc-reuse"), BOUND, "document still there")
    again = dial_in(rig, "adhoc-reuse", "8210", name="Reused again")
    assert again["status"] == "success", again
    assert rig.call("GET", rig.alpha, "adhoc-reuse").get_json()["data"]["name"] == "Reused again"


def test_a_stored_conference_is_never_removed(rig):
    stored_id = rig.create_conference(rig.alpha, name="Stored", conference_numbers=["82011"])
    member = rig.sims[0].join(rig.room(rig.alpha, stored_id), "1001", "Alice")
    leg = dial_in(rig, "adhoc-beside", "8211")
    gevent.sleep(GRACE + 0.1)
    rig.sims[0].hangup(member.uuid)
    hang_up(rig, leg["call_id"])
    wait_for(lambda: not exists(rig, "adhoc-beside"), BOUND, "dynamic one still there")
    assert rig.live.dynamic_rooms.sweep() == 0
    assert exists(rig, stored_id) and stored_id in listed_ids(rig)
    assert conference_numbers.lookup(rig.api.store, "82011")["conference_id"] == stored_id


def test_the_composition_root_starts_the_cleanup(fssim_factory, tmp_path):
    """``create_live`` (what every entry point uses) removes ended dynamic rooms."""
    from tests.support.api import build_app
    sims = [fssim_factory(hostname="solo", recordings_dir=None)]
    nodes = f"{sims[0].node_name}=127.0.0.1:{sims[0].port}:ClueCon"
    settings = dict(esl_nodes=nodes, esl_timeout=2.0, dynamic_grace=GRACE,
                    dynamic_sweep_interval=0, token_secret="dyn-secret",
                    recordings_dir=str(tmp_path / "rec"))
    from kzcore.config import load_config
    from kzcore.store.embedded import EmbeddedStore
    store = EmbeddedStore(":memory:")
    live = create_live(load_config(env={}, **settings), store=store, signer=None)
    try:
        api = build_app(store=store, live=live, extra_blueprints=live.blueprints(), **settings)
        account = api.create_account(api.root, "Solo")
        realm = api.call("GET", f"/v2/accounts/{account.account_id}",
                         token=account.token).get_json()["data"]["realm"]
        device = api.call("PUT", f"/v2/accounts/{account.account_id}/devices",
                          {"name": "p", "sip": {"username": "8299", "password": "pw12345"}},
                          token=account.token).get_json()["data"]["id"]
        sims[0].register_device("8299", realm)
        url = f"/v2/accounts/{account.account_id}/conferences/adhoc-root"
        reply = api.call("PUT", url, body={"action": "dial",
                                           "data": {"data": {"endpoints": [device]}}},
                         token=account.token)
        assert reply.status_code == 200, reply.get_json()
        call_id = reply.get_json()["data"]["endpoint_responses"][0]["call_id"]
        assert api.call("GET", url, token=account.token).status_code == 200
        sims[0].hangup(call_id)
        wait_for(lambda: api.call("GET", url, token=account.token).status_code == 404, BOUND)
    finally:
        live.close()
        store.close()


def test_a_room_that_ends_while_a_later_dial_still_rings_keeps_its_document(rig):
    first = dial_in(rig, "adhoc-overlap", "8212")
    rig.live.dialer.wait = 0.3
    ringing = make_device(rig, rig.alpha, "8213", behaviour="no_answer")
    reply = dial(rig, "adhoc-overlap", {"endpoints": [ringing]})
    assert reply.status_code == 200, reply.get_json()
    (pending,) = reply.get_json()["data"]["endpoint_responses"]
    assert pending["status"] == "pending", pending
    gevent.sleep(GRACE + 0.1)
    hang_up(rig, first["call_id"])                   # the room ends; the second leg rings
    wait_for(lambda: rig.live.where(rig.alpha.account_id, "adhoc-overlap") is None, BOUND)
    gevent.sleep(0.3)
    assert rig.live.dynamic_rooms.sweep() == 0
    assert exists(rig, "adhoc-overlap")
    hang_up(rig, pending["call_id"])
    wait_for(lambda: all(sim.channel(pending["call_id"]) is None for sim in rig.sims), BOUND)
    assert rig.live.dynamic_rooms.sweep() == 1
    assert not exists(rig, "adhoc-overlap")
