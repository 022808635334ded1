"""Dynamic conferences publish their document events like any conference document:
a dial into an id with no document -> ``doc_created``, its room ended and the document
removed -> ``doc_deleted`` (crossbar/conferences/doc_events.py), on the app's bus;
a join_existing dial the switch refuses creates nothing, so announces nothing.
Against the simulator over TCP, the events read from an in-process bus."""
import gevent
import pytest

from crossbar.app import create_app
from crossbar.live import create_blueprint
from kzcore.bus.memory import MemoryBus
from kzcore.naming import account_db
from kzcore.schemas.registry import SchemaRegistry
from kzcore.tokens import TokenSigner
from tests.integration.test_live_support import make_rig

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def rig(fssim_factory, tmp_path):
    """The live rig, its LiveConferences also behind an app that publishes on a bus."""
    made, _ = make_rig(fssim_factory, tmp_path, dynamic_grace=0.0, dynamic_sweep_interval=0)
    bus, seen = MemoryBus(), []
    bus.start(["conference.event.*.conference"], lambda key, payload: seen.append(payload))
    app = create_app(made.config, store=made.api.store, schemas=SchemaRegistry(made.api.store),
                     signer=TokenSigner("test-secret-for-crossbar", 3600), live=made.live,
                     extra_blueprints=[create_blueprint()], events=bus)
    made.client, made.seen = app.test_client(), seen
    yield made
    bus.close()
    made.close()


def dial(rig, conference_id, number, **data):
    rig.dialplan_numbers(rig.alpha, [number])
    rig.sims[0].add_extension(rf"^{number}$", lambda channel, match: channel.answer())
    return rig.client.put(rig.url(rig.alpha, conference_id),
                          headers={"X-Auth-Token": rig.alpha.token},
                          json={"action": "dial", "data": {"data": {"endpoints": [number],
                                                                    **data}}})


def doc_events(rig, conference_id):
    gevent.sleep(0.1)  # (the bus delivers on its own greenlet)
    return [(e["event"], e["account_id"]) for e in rig.seen
            if e.get("conference_id") == conference_id and e["event"].startswith("doc_")]


def test_a_dynamic_conference_announces_its_document_and_its_removal(rig):
    conference_id = "adhoc-announced"
    reply = dial(rig, conference_id, "5550301", name="Announced")
    assert reply.status_code == 200, reply.get_json()
    (leg,) = reply.get_json()["data"]["endpoint_responses"]
    assert doc_events(rig, conference_id) == [("doc_created", rig.alpha.account_id)]
    created = next(e for e in rig.seen if e["event"] == "doc_created")
    assert created["doc"]["name"] == "Announced"
    rig.sims[0].hangup(leg["call_id"])
    with gevent.Timeout(5, AssertionError("the dynamic document was not removed")):
        while not rig.live.dynamic_rooms.settle(rig.alpha.account_id, conference_id):
            gevent.sleep(0.05)
    assert rig.api.store.get_or_none(account_db(rig.alpha.account_id), conference_id) is None
    assert doc_events(rig, conference_id) == [("doc_created", rig.alpha.account_id),
                                              ("doc_deleted", rig.alpha.account_id)]


def test_a_refused_join_existing_dial_announces_nothing(rig):
    conference_id = "adhoc-never"
    reply = dial(rig, conference_id, "5550302", participant_flags=["join_existing"])
    assert reply.status_code == 422, reply.get_json()
    assert doc_events(rig, conference_id) == []
