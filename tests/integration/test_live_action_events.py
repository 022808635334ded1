"""The events of the new actions on RabbitMQ: the switch's own hold-member,
unhold-member, dtmf-member, volume and transfer events carried by ecallmgr (over
real ESL from the simulator), with what each says; ``supervise``, which the switch
has no event for, published by crossbar on the same exchange."""
import pytest

from kzcore.bus.pika_publisher import PikaPublisher
from tests.integration.test_live_events import Events, ecallmgr  # noqa: F401 (fixture)
from tests.integration.test_live_participants import one
from tests.integration.test_live_support import rig  # noqa: F401 (fixture)
from tests.support.rabbit import unique_name


@pytest.fixture
def crossbar_events(rig, amqp_url, ecallmgr):  # noqa: F811
    """crossbar's own publisher on RabbitMQ (as crossbar.cli composes it), on the test's
    own exchange (the one ecallmgr publishes on)."""
    publisher = PikaPublisher(amqp_url, exchange=ecallmgr,
                              connection_name=unique_name("kz-test-crossbar"))
    assert publisher.wait_connected(5)
    rig.api.app.extensions["kz_crossbar"].events = publisher
    yield publisher
    publisher.close(timeout=2)


def test_member_action_events(rig, ecallmgr, rabbit_tap, crossbar_events):  # noqa: F811
    source_id = rig.create_conference(rig.alpha)
    other_id = rig.create_conference(rig.alpha)
    tap = Events(rabbit_tap([f"conference.event.{source_id}.*", f"conference.event.{other_id}.*"],
                            ecallmgr))
    sim, room = rig.sims[1], rig.room(rig.alpha, source_id)
    alice, bob = sim.join(room, "1001", "Alice"), sim.join(room, "1002", "Bob")
    tap.expect("add-member", call_id=bob.uuid)
    alice_key = f"conference.event.{source_id}.{alice.uuid}"

    def act(member, name, data=None):
        reply = one(rig, source_id, member.id, name, data)
        assert reply.status_code == 202, reply.get_json()

    act(alice, "hold")
    key, held = tap.expect("hold-member", call_id=alice.uuid)
    assert key == alice_key and held["hold"] is True and held["participant_id"] == alice.id
    act(alice, "unhold")
    assert tap.expect("unhold-member", call_id=alice.uuid)[1]["hold"] is False
    act(alice, "dtmf", {"digits": "42"})
    assert tap.expect("dtmf-member", call_id=alice.uuid)[1]["digits"] == "42"
    act(alice, "volume_out", {"level": 3})
    assert tap.expect("volume-out-member", call_id=alice.uuid)[1]["volume_level"] == 3
    act(alice, "energy", {"level": 500})
    assert tap.expect("energy-level-member", call_id=alice.uuid)[1]["energy_level"] == 500

    act(bob, "supervise", {"mode": "whisper", "target": alice.id})
    key, supervised = tap.expect("supervise", call_id=bob.uuid)
    assert key == f"conference.event.{source_id}.{bob.uuid}"
    assert (supervised["mode"], supervised["target_participant_id"],
            supervised["target_call_id"]) == ("whisper", alice.id, alice.uuid)
    assert supervised["account_id"] == rig.alpha.account_id

    act(alice, "move", {"conference_id": other_id})
    key, moved = tap.expect("transfer", call_id=alice.uuid)
    assert key == alice_key
    assert (moved["conference_id"], moved["moved_from"], moved["moved_to"]) == (
        source_id, source_id, other_id)
    tap.expect("del-member", call_id=alice.uuid, conference_id=source_id)
    tap.expect("conference-create", conference_id=other_id)
    key, joined = tap.expect("add-member", call_id=alice.uuid, conference_id=other_id)
    assert key == f"conference.event.{other_id}.{alice.uuid}"
    assert joined["participant_id"] == alice.id and joined["conference_id"] == other_id
