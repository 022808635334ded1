"""ecallmgr's composition root: an ESL pool on every node feeding one EventStream
that publishes on the bus it is given."""
import logging
import socket

from ecallmgr import events
from ecallmgr.stream import EventStream
from kzcore.esl.pool import EslPool

log = logging.getLogger(__name__)


def default_node_name():
    return f"ecallmgr@{socket.gethostname()}"


class EcallmgrDaemon:
    def __init__(self, config, *, publisher, pool_factory=EslPool):
        self.config = config
        self.publisher = publisher
        self.node = config.node_name or default_node_name()
        self.stream = EventStream(publisher=publisher, node=self.node,
                                  participant_events=config.participant_events,
                                  grace=config.node_grace, api_timeout=config.esl_timeout)
        self.pool = pool_factory(config.nodes, timeout=config.esl_timeout,
                                 events=events.SUBSCRIPTION, on_event=self.stream.on_event,
                                 event_format=events.EVENT_FORMAT,
                                 on_connect=self.stream.on_connect,
                                 on_disconnect=self.stream.on_disconnect)
        self.stream.api = self.pool.api

    def start(self):
        self.stream.start()
        self.pool.start()
        log.info("ecallmgr started", extra={"node": self.node,
                                            "freeswitch_nodes": [n.name for n in self.config.nodes]})
        return self

    def stop(self, flush_timeout=5.0):
        """Stop reading FreeSWITCH, hand what is queued to the publisher, flush it."""
        self.pool.close()
        self.stream.drain(flush_timeout)
        self.stream.stop()
        self.publisher.flush(flush_timeout)
        log.info("ecallmgr stopped", extra={"node": self.node, **self.stats()["stream"]})

    def stats(self):
        return {"node": self.node, "connected_nodes": self.pool.connected_names(),
                "stream": self.stream.stats(), "publisher": self.publisher.stats()}


def create_daemon(config, *, publisher, pool_factory=EslPool):
    """Build (not start) ecallmgr for ``config`` publishing on ``publisher``."""
    return EcallmgrDaemon(config, publisher=publisher, pool_factory=pool_factory)
