"""Bring every node's gateways in line with the resources, without a restart.

Per node (all nodes at once): ``sofia status gateway`` lists what the external
profile holds; every ``kz_`` gateway no resource names any more is killed
(``sofia profile external killgw <name>``); then ``sofia profile external
rescan`` makes the switch fetch sofia.conf from crossbar and add the gateways
it does not have (rescan adds, but neither changes nor removes: round 5); with
nothing wanted and nothing killed there is nothing to fetch and no rescan.
Gateways the operator configured by hand (not ``kz_``) are left alone.

Every reply is checked; the result says, per node, what happened, so a save
whose switch side failed is never reported as a plain success.
"""
import logging

import gevent
import gevent.pool
import gevent.queue

from crossbar.resources import catalog
from kzcore import carriers, sofia_status
from kzcore.errors import SwitchRefused, SwitchUnavailable
from kzcore.fs_commands import sofia

log = logging.getLogger(__name__)


class GatewaySync:
    def __init__(self, pool, store, profile, timeout=5.0):
        self.pool, self.store, self.profile, self.timeout = pool, store, profile, timeout

    def sync(self):
        """``{node: {"status": "success"|"error", "killed": [...], "message"?}}``."""
        wanted = {gateway.name for gateway in catalog.all_gateways(self.store)}
        calls = {node: gevent.spawn(self.sync_node, node, wanted) for node in self.pool.names()}
        gevent.joinall(list(calls.values()))
        return {node: call.value if call.successful() else _error(call.exception)
                for node, call in calls.items()}

    def _api(self, node, command):
        return self.pool.api(node, command, timeout=self.timeout)

    def sync_node(self, node, wanted):
        """One node: kill what is not wanted, rescan; its result entry."""
        try:
            listing = self._api(node, sofia.status_gateways())
            names = sofia_status.gateway_names(listing, self.profile)
            if names is None:
                raise SwitchRefused(f"unexpected reply to sofia status gateway: {listing!r}")
            killed = []
            for name in names:
                if carriers.is_ours(name) and name not in wanted:
                    reply = self._api(node, sofia.profile_command(self.profile, "killgw", name))
                    if not sofia_status.killgw_ok(reply):
                        raise SwitchRefused(f"killgw {name}: {reply.strip()}")
                    killed.append(name)
            if wanted or killed:   # nothing to add, nothing removed: no fetch needed
                reply = self._api(node, sofia.profile_command(self.profile, "rescan"))
                if not sofia_status.rescan_ok(reply):
                    raise SwitchRefused(f"rescan: {reply.strip()}")
        except (SwitchRefused, SwitchUnavailable) as failure:
            log.warning("gateway sync failed", extra={"node": node, "error": failure.message})
            return _error(failure)
        log.info("gateways synced", extra={"node": node, "killed": killed,
                                           "wanted": len(wanted)})
        return {"status": "success", "killed": killed}


def _error(failure):
    return {"status": "error", "message": getattr(failure, "message", None) or str(failure)}


class ResyncOnReconnect:
    """A node that comes back (crossbar's event connection to it is ready again)
    may have missed rescans while it was away: bring its gateways in line. The
    watcher's callback only enqueues; one greenlet takes the nodes, one per node
    does the work.

    The sync goes over the command pool, a connection of its own with its own
    reconnection back-off: it may not be back yet when the event connection is, or
    not know yet that the one it holds died. So each resync waits for that
    connection (``connect_timeout``), and a sync that failed because it was lost
    meanwhile is tried again once it is back (up to ``attempts``); a node that
    refuses while connected is not asked again."""

    def __init__(self, sync, watcher, *, connect_timeout=30.0, attempts=3):
        self.sync, self.queue = sync, gevent.queue.Queue()
        self.connect_timeout, self.attempts = connect_timeout, attempts
        watcher.on_node_ready(self.queue.put)
        self.worker = None
        self.running = gevent.pool.Group()

    def start(self):
        self.worker = gevent.spawn(self._run)
        return self

    def _run(self):
        while True:
            self.running.spawn(self.resync, self.queue.get())

    def resync(self, node):
        """The node's result entry (the last attempt's), or None if the command
        connection did not come back in time."""
        client = self.sync.pool.client(node)
        result = None
        for _ in range(self.attempts):
            if not client.wait_connected(self.connect_timeout):
                log.warning("gateway resync skipped: no command connection",
                            extra={"node": node, "waited": self.connect_timeout})
                return result
            wanted = {gateway.name for gateway in catalog.all_gateways(self.sync.store)}
            result = self.sync.sync_node(node, wanted)
            if result["status"] == "success" or client.connected:
                return result
        return result

    def close(self):
        if self.worker is not None:
            self.worker.kill(block=False)
        self.running.kill(block=False)
