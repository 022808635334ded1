"""Building the delivery service from the configuration (used by ``kz-webhooks``,
the one-process stack and the tests; dependencies are passed in)."""
import dataclasses
import random

from kzcore import netpolicy
from kzcore.bus.base import CONFERENCE_EXCHANGE
from webhooks.delivery import Deliverer, RetryPolicy
from webhooks.destinations import Destinations, system_resolver
from webhooks.directory import Directory
from webhooks.health import Health
from webhooks.journal import Journal
from webhooks.sender import Sender, urllib3_pool
from webhooks.service import WebhookService
from kzcore.bus.event_sources import DurableQueue, MemorySource


@dataclasses.dataclass(frozen=True)
class Settings:
    timeout: float = 10.0
    retry_delay: float = 2.0
    retry_max_delay: float = 60.0
    disable_after: int = 6
    max_body: int = 65536
    pool_size: int = 10
    cache_ttl: float = 5.0
    log_size: int = 100
    allow_networks: tuple = ()
    flush_interval: float = 1.0

    @classmethod
    def from_config(cls, config, **overrides):
        values = {field.name: getattr(config, f"webhooks_{field.name}")
                  for field in dataclasses.fields(cls)
                  if hasattr(config, f"webhooks_{field.name}")}
        values["allow_networks"] = netpolicy.parse_networks(config.webhooks_allow_networks)
        values.update(overrides)
        return cls(**values)


def make_source(config, *, memory_bus=None, exchange=None):
    """The durable RabbitMQ queue, or the in-process bus for ``memory://``, on
    ``exchange`` (default: the configured ``amqp_exchange``)."""
    exchange = exchange or getattr(config, "amqp_exchange", CONFERENCE_EXCHANGE)
    if config.amqp_url.startswith("memory://"):
        if memory_bus is None:
            raise ValueError("amqp_url is memory:// but no MemoryBus was passed in")
        return MemorySource(memory_bus, exchange=exchange)
    return DurableQueue(config.amqp_url, queue=config.webhooks_queue, exchange=exchange,
                        prefetch=config.webhooks_prefetch,
                        max_length=config.webhooks_queue_length,
                        queue_type=config.webhooks_queue_type,
                        type_setting="KZ_WEBHOOKS_QUEUE_TYPE", connection_name="kz-webhooks")


def build_service(settings, *, store, source, publisher, node="", resolver=system_resolver,
                  pool_factory=urllib3_pool, rng=random):
    directory = Directory(store, ttl=settings.cache_ttl)
    journal = Journal(store, log_size=settings.log_size, flush_interval=settings.flush_interval)
    health = Health(store, publisher=publisher, directory=directory, journal=journal,
                    disable_after=settings.disable_after, node=node)
    sender = Sender(Destinations(settings.allow_networks, resolver), timeout=settings.timeout,
                    pool_size=settings.pool_size, pool_factory=pool_factory)
    deliverer = Deliverer(sender=sender, journal=journal, directory=directory, health=health,
                          retry=RetryPolicy(settings.retry_delay, settings.retry_max_delay),
                          max_body=settings.max_body, rng=rng)
    return WebhookService(source=source, directory=directory, journal=journal,
                          deliverer=deliverer)
