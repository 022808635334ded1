"""``KZ_LIFECYCLE_QUEUE_TYPE`` and ``KZ_TRANSCRIBE_QUEUE_TYPE`` on the real
RabbitMQ: with ``quorum`` each service declares its durable queue as a quorum
queue (as the broker lists it, ``rabbitmqctl list_queues``) and work still flows
through it: a connect room ended by the lifecycle service on the events it
consumed, a transcription job done. The lifecycle's lease stays a classic
(exclusive) queue. A queue already there with the other type is not consumed,
and the error says which setting and what to do. Every queue has a name of
its own and is deleted afterwards."""
import logging

import gevent
import pika
import pytest

from crossbar.recordings.transcripts import JOB_ROUTING_KEY
from kzcore import lifecycle as lc
from kzcore.bus.pika_publisher import PikaPublisher
from kzcore.config import load_config
from kzcore.naming import account_db
from kzcore.store.embedded import EmbeddedStore
from lifecycle import compose as lifecycle_compose
from lifecycle.source import lease_queue
from tests.integration.lifecycle_rig import (events_of, lifecycle_rig, named,  # noqa: F401
                                             wait_for)
from tests.integration.test_transcribe_health import WordEngine, seed
from tests.support.rabbit import delete_queues, queue_types, unique_name
from transcribe import compose as transcribe_compose

pytestmark = [pytest.mark.rabbitmq, pytest.mark.slow, pytest.mark.timeout(120)]


def test_the_lifecycle_consumes_a_quorum_queue_and_ends_a_connect_room(lifecycle_rig):
    rig = lifecycle_rig(lifecycle_queue_type="quorum")
    assert queue_types(rig.queue, lease_queue(rig.queue)) == {
        rig.queue: "quorum", lease_queue(rig.queue): "classic"}
    conference_id = rig.create(conference_type="connect")
    tap = rig.tap(conference_id)
    _, alice = rig.join(conference_id, "1001", "Alice")
    _, bob = rig.join(conference_id, "1002", "Bob")
    wait_for(lambda: rig.wire_room(conference_id)["member_count"] == 2)
    rig.hang_up(bob)       # seen only through the queue: no sweep runs (FAST)
    wait_for(lambda: rig.wire_room(conference_id) is None, message="the room did not end")
    assert not rig.call_alive(alice)
    (end,) = named(events_of(tap, lambda ps: any(p["event"] == lc.CONFERENCE_ENDED
                                                 for p in ps)), lc.CONFERENCE_ENDED)
    assert end["end_reason"] == lc.CONNECT_COMPLETED


@pytest.fixture
def transcribe_config(amqp_url, temp_exchange, tmp_path):
    config = load_config(env={}, amqp_url=amqp_url, amqp_exchange=temp_exchange,
                         transcribe_queue=unique_name("kz-test-transcribe-q"),
                         transcribe_queue_type="quorum", recordings_dir=str(tmp_path))
    yield config
    delete_queues(amqp_url, config.transcribe_queue)


def test_a_transcription_job_goes_through_a_quorum_queue(transcribe_config, tmp_path):
    config, store = transcribe_config, EmbeddedStore(":memory:")
    publisher = PikaPublisher(config.amqp_url, exchange=config.amqp_exchange,
                              connection_name=unique_name("kz-test-transcribe-pub"))
    source = transcribe_compose.make_source(config)
    service = transcribe_compose.build_service(config, store=store, publisher=publisher,
                                               source=source, node="transcribe@test",
                                               engine=WordEngine()).start()
    try:
        assert source.wait_ready(10)
        assert queue_types(config.transcribe_queue) == {config.transcribe_queue: "quorum"}
        account_id, transcript_id = seed(store, tmp_path)
        publisher.publish(JOB_ROUTING_KEY, {"account_id": account_id, "conference_id": "room-1",
                                            "transcript_id": transcript_id})
        doc = wait_for(lambda: (lambda d: d if d["status"] == "ready" else None)(
            store.get(account_db(account_id), transcript_id)), timeout=30)
        assert doc["segments"][0]["text"] == "hello"
        assert source.received == 1
    finally:
        service.stop()
        publisher.close()
        store.close()


def lifecycle_source(config):
    source = lifecycle_compose.make_source(config, exchange=config.amqp_exchange)
    return source, lambda source: source.connected


def transcribe_source(config):
    return transcribe_compose.make_source(config), lambda source: source.wait_ready(0)


@pytest.mark.parametrize("service, make", [("lifecycle", lifecycle_source),
                                           ("transcribe", transcribe_source)])
def test_a_queue_of_the_other_type_is_not_consumed_and_the_log_says_what_to_do(
        amqp_url, temp_exchange, caplog, service, make):
    queue = unique_name(f"kz-test-{service}-q")
    settings = dict(env={}, amqp_url=amqp_url, amqp_exchange=temp_exchange,
                    **{f"{service}_queue": queue})
    before, _ = make(load_config(**settings))          # the classic queue of an older start
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        connection.channel().queue_declare(queue, durable=True, arguments=before.arguments)
        source, consuming = make(load_config(**settings, **{f"{service}_queue_type": "quorum"}))
        callbacks = (lambda *a: None,) * (3 if service == "lifecycle" else 1)
        with caplog.at_level(logging.ERROR):
            source.start(*callbacks)
            try:
                clash = wait_for(lambda: [r for r in caplog.records if r.levelno == logging.ERROR
                                          and queue in r.getMessage()])
                gevent.sleep(0.3)
                assert not consuming(source)
            finally:
                source.stop()
        message = clash[0].getMessage()
        setting = f"KZ_{service.upper()}_QUEUE_TYPE=quorum"
        assert setting in message and f"rabbitmqctl delete_queue {queue}" in message
        assert "PRECONDITION_FAILED" in clash[0].error    # the broker's own words
        assert queue_types(queue) == {queue: "classic"}          # left as it was
    finally:
        connection.channel().queue_delete(queue)
        connection.close()
