"""Building the worker from the configuration (``kz-transcribe``, ``kz-all``, tests).
Jobs arrive on the event exchange with the key ``transcribe.job``: from a durable
RabbitMQ queue (``KZ_TRANSCRIBE_QUEUE``, single active consumer, one job in flight,
of type ``KZ_TRANSCRIBE_QUEUE_TYPE``) or from the in-process bus."""
from crossbar.recordings.transcripts import JOB_ROUTING_KEY
from transcribe.engines import make_engine
from transcribe.worker import Worker
from kzcore.bus.event_sources import DurableQueue, MemorySource

BINDINGS = (JOB_ROUTING_KEY,)


def make_source(config, *, memory_bus=None, exchange=None):
    exchange = exchange or config.amqp_exchange
    if config.amqp_url.startswith("memory://"):
        if memory_bus is None:
            raise ValueError("amqp_url is memory:// but no MemoryBus was passed in")
        return MemorySource(memory_bus, exchange=exchange, bindings=BINDINGS)
    return DurableQueue(config.amqp_url, queue=config.transcribe_queue, exchange=exchange,
                        bindings=BINDINGS, prefetch=1, max_length=100000,
                        queue_type=config.transcribe_queue_type,
                        type_setting="KZ_TRANSCRIBE_QUEUE_TYPE",
                        connection_name="kz-transcribe")


class Service:
    """The worker and its job source, started and stopped together."""

    def __init__(self, worker, source):
        self.worker, self.source = worker, source

    def start(self):
        self.worker.start()
        self.source.start(self.worker.on_job)
        return self

    def stop(self):
        self.source.stop()
        self.worker.stop()


def build_service(config, *, store, publisher, source, node="", engine=None, **worker_options):
    worker = Worker(store=store, engine=engine or make_engine(config.transcribe_engine),
                    publisher=publisher, config=config, node=node, **worker_options)
    return Service(worker, source)
