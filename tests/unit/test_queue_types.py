"""The queue type of the three services' durable shared queues (kzcore.bus.queue_types):
one check and one way to build the arguments, used by webhooks, lifecycle and
transcribe alike. An unknown type stops the service as it builds its queue (at
start-up), naming the setting; nothing connects to build these."""
import pytest

from kzcore.bus.queue_types import checked_queue_type, clash_message, typed_arguments
from kzcore.config import load_config
from lifecycle import compose as lifecycle_compose
from transcribe import compose as transcribe_compose
from webhooks import compose as webhooks_compose

AMQP = "amqp://guest:guest@127.0.0.1:5672/"
SERVICES = {"webhooks": webhooks_compose, "lifecycle": lifecycle_compose,
            "transcribe": transcribe_compose}


def source_of(service, **settings):
    config = load_config(env={}, amqp_url=AMQP, **settings)
    return SERVICES[service].make_source(config)


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_durable_queue_defaults_to_classic_and_can_be_quorum(service):
    assert source_of(service).arguments["x-queue-type"] == "classic"
    quorum = source_of(service, **{f"{service}_queue_type": "quorum"}).arguments
    assert quorum["x-queue-type"] == "quorum" and quorum["x-single-active-consumer"] is True
    assert "x-queue-mode" not in quorum             # a classic-only argument


@pytest.mark.parametrize("service", sorted(SERVICES))
@pytest.mark.parametrize("value", ["Quorum", "stream", "", "lazy"])
def test_an_unknown_type_is_refused_naming_the_setting(service, value):
    with pytest.raises(ValueError) as refused:
        source_of(service, **{f"{service}_queue_type": value})
    assert f"KZ_{service.upper()}_QUEUE_TYPE must be one of classic, quorum" in str(refused.value)
    assert repr(value) in str(refused.value)


def test_the_environment_variables_reach_the_config():
    config = load_config(env={"KZ_LIFECYCLE_QUEUE_TYPE": "quorum",
                              "KZ_TRANSCRIBE_QUEUE_TYPE": "quorum"})
    assert (config.lifecycle_queue_type, config.transcribe_queue_type) == ("quorum", "quorum")
    assert load_config(env={}).lifecycle_queue_type == "classic"


def test_arguments_and_the_clash_message():
    assert typed_arguments("quorum", "KZ_X", x_max_length=5, x_overflow="drop-head") == {
        "x-queue-type": "quorum", "x-max-length": 5, "x-overflow": "drop-head"}
    assert checked_queue_type("classic", "KZ_X") == "classic"
    message = clash_message("kz-lifecycle", "quorum", "KZ_LIFECYCLE_QUEUE_TYPE")
    assert "KZ_LIFECYCLE_QUEUE_TYPE=quorum" in message
    assert "rabbitmqctl delete_queue kz-lifecycle" in message
