"""Building the lifecycle service from the configuration (``kz-lifecycle``, the
one-process stack and the tests; dependencies are passed in)."""
from kzcore.bus.base import CONFERENCE_EXCHANGE
from kzcore.esl.pool import EslPool

from lifecycle.records import Records
from lifecycle.service import LifecycleService
from lifecycle.source import LeasedQueue, MemorySource
from lifecycle.switch import Switch

# Commands only: the service learns what happens from the bus, not from ESL events.
COMMAND_EVENTS = ("BACKGROUND_JOB",)


def make_source(config, *, memory_bus=None, exchange=CONFERENCE_EXCHANGE):
    """The leased durable queue on RabbitMQ, or the in-process bus for ``memory://``."""
    if config.amqp_url.startswith("memory://"):
        if memory_bus is None:
            raise ValueError("amqp_url is memory:// but no MemoryBus was passed in")
        return MemorySource(memory_bus, exchange=exchange)
    return LeasedQueue(config.amqp_url, queue=config.lifecycle_queue, exchange=exchange,
                       poll=config.lifecycle_lease_poll,
                       queue_type=config.lifecycle_queue_type,
                       connection_name=f"kz-lifecycle {config.node_name}".strip())


def command_pool(config):
    pool = EslPool(config.nodes, timeout=config.esl_timeout, events=COMMAND_EVENTS).start()
    pool.wait_connected(config.esl_timeout)
    return pool


def build_service(config, *, store, source, pool, clock=None):
    options = {"clock": clock} if clock is not None else {}
    return LifecycleService(records=Records(store, config.lifecycle_recent_participants),
                            switch=Switch(pool, config.esl_timeout), source=source,
                            retry=config.lifecycle_retry,
                            sweep_interval=config.lifecycle_sweep_interval,
                            gone_grace=config.lifecycle_gone_grace,
                            sounds_dir=config.fs_sounds_dir, **options)
