"""ecallmgr's composition root: an ESL pool on every node feeding one EventStream
that publishes on the bus it is given, directly (one instance) or through a
per-switch lease and handover (several instances, ``ha=True``)."""
import logging
import socket

from ecallmgr import events
from ecallmgr.handover import DirectOutlet, Handover
from ecallmgr.lease import LeaseKeeper
from ecallmgr.stream import EventStream
from kzcore.esl.pool import EslPool

log = logging.getLogger(__name__)


def default_node_name():
    return f"ecallmgr@{socket.gethostname()}"


class EcallmgrDaemon:
    def __init__(self, config, *, publisher, pool_factory=EslPool, ha=False,
                 lease_factory=LeaseKeeper):
        self.config = config
        self.publisher = publisher
        self.node = config.node_name or default_node_name()
        self.switches = [node.name for node in config.nodes]
        self.outlet = (Handover(publisher, self.switches,
                                max_pending=config.ecallmgr_standby_buffer)
                       if ha else DirectOutlet(publisher))
        self.stream = EventStream(publisher=publisher, node=self.node,
                                  participant_events=config.participant_events,
                                  grace=config.node_grace, api_timeout=config.esl_timeout,
                                  outlet=self.outlet)
        self.pool = pool_factory(config.nodes, timeout=config.esl_timeout,
                                 events=events.SUBSCRIPTION, on_event=self.stream.on_event,
                                 event_format=events.EVENT_FORMAT,
                                 on_connect=self.stream.on_connect,
                                 on_disconnect=self.stream.on_disconnect)
        self.stream.api = self.pool.api
        self.lease = lease_factory(
            config.amqp_url, exchange=config.amqp_exchange, switches=self.switches,
            handover=self.outlet, eligible=self.eligible, on_promoted=self.stream.request_resync,
            poll=config.ecallmgr_lease_poll, heartbeat=config.ecallmgr_lease_heartbeat,
            connection_name=f"kz-ecallmgr-lease {self.node}") if ha else None

    def eligible(self, switch):
        """May this instance hold ``switch``? When its view of the switch is current,
        or when the switch is gone past its grace period and the node-lost events
        this instance made have not been seen published by anyone."""
        if self.stream.is_live(switch):
            return True
        return self.stream.is_expired(switch) and self.outlet.pending_count(switch) > 0

    def start(self):
        self.stream.start()
        self.pool.start()
        if self.lease is not None:
            self.lease.start()
        log.info("ecallmgr started", extra={"node": self.node, "freeswitch_nodes": self.switches,
                                            "high_availability": self.lease is not None})
        return self

    def stop(self, flush_timeout=5.0):
        """Stop reading FreeSWITCH, hand what is queued to the publisher, flush it,
        then give the leases up (standby instances take over at once)."""
        self.pool.close()
        self.stream.drain(flush_timeout)
        self.stream.stop()
        self.publisher.flush(flush_timeout)
        if self.lease is not None:
            self.lease.close()
        log.info("ecallmgr stopped", extra={"node": self.node, **self.stream.stats()})

    def roles(self):
        """{switch: "active" | "standby"}; without a lease this instance is active for all."""
        return {switch: self.outlet.role(switch) for switch in self.switches}

    def broker_connected(self):
        connected = self.publisher.stats().get("connected", True)
        return connected and (self.lease is None or self.lease.connected)

    def stats(self):
        return {"node": self.node, "connected_nodes": self.pool.connected_names(),
                "stream": self.stream.stats(), "publisher": self.publisher.stats(),
                "ha": {**self.outlet.stats(), "lease_connected": self.lease.connected,
                       "lease_reconnects": self.lease.reconnects}
                if self.lease is not None else {}}


def create_daemon(config, *, publisher, pool_factory=EslPool, ha=False):
    """Build (not start) ecallmgr for ``config`` publishing on ``publisher``; ``ha``
    takes a RabbitMQ lease per switch (``config.amqp_url`` must be amqp://)."""
    return EcallmgrDaemon(config, publisher=publisher, pool_factory=pool_factory, ha=ha)
