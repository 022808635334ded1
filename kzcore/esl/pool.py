"""Several FreeSWITCH nodes, one EslClient each, keyed by node name."""
import logging

import gevent

from kzcore.errors import SwitchUnavailable
from kzcore.esl.client import DEFAULT_EVENTS, EslClient

log = logging.getLogger(__name__)


class EslPool:
    def __init__(self, nodes, *, timeout=5.0, events=DEFAULT_EVENTS, filters=(), on_event=None,
                 on_connect=None, on_disconnect=None, client_factory=EslClient, event_format="plain"):
        self._clients = {}
        extra = {"filters": filters} if filters else {}  # factories without filters still work
        if event_format != "plain":
            extra["event_format"] = event_format
        for node in nodes:
            if node.name in self._clients:
                raise ValueError(f"two FreeSWITCH nodes are named {node.name}")
            self._clients[node.name] = client_factory(
                node.host, node.port, node.password, name=node.name, timeout=timeout, events=events,
                on_event=on_event, on_connect=on_connect, on_disconnect=on_disconnect, **extra)

    def start(self):
        for client in self._clients.values():
            client.start()
        return self

    def names(self):
        return list(self._clients)

    def client(self, name):
        try:
            return self._clients[name]
        except KeyError:
            raise SwitchUnavailable(f"no FreeSWITCH node named {name}") from None

    def connected_names(self):
        return [name for name, client in self._clients.items() if client.connected]

    def round_trips(self):
        """``{node: {outcome: histogram}}`` of the command/reply exchanges (metrics)."""
        return {name: client.round_trips.snapshot() for name, client in self._clients.items()
                if hasattr(client, "round_trips")}

    def wait_connected(self, timeout=None):
        """True once every node is connected (each waits within the same overall timeout)."""
        waits = [gevent.spawn(client.wait_connected, timeout) for client in self._clients.values()]
        gevent.joinall(waits)
        return all(wait.value for wait in waits)

    def api(self, name, command, timeout=None):
        return self.client(name).api(command, timeout=timeout)

    def bgapi(self, name, command, timeout=None):
        return self.client(name).bgapi(command, timeout=timeout)

    def command(self, name, line, timeout=None):
        return self.client(name).command(line, timeout=timeout)

    def api_all(self, command, timeout=None):
        """``{name: reply text | Exception}`` from every node, asked concurrently;
        each node that fails is logged once, with its name."""
        calls = {name: gevent.spawn(_reply_or_exception, client, command, timeout)
                 for name, client in self._clients.items()}
        gevent.joinall(list(calls.values()))
        results = {name: call.value for name, call in calls.items()}
        for name, result in results.items():
            if isinstance(result, Exception):
                log.info("api_all: node failed", extra={
                    "node": name, "command": command, "error": str(result),
                    "error_type": type(result).__name__})
        return results

    def close(self):
        for client in self._clients.values():
            client.close()


def _reply_or_exception(client, command, timeout):
    """One node's answer, or the exception it raised: returned, not raised, so
    that the greenlet does not die with it (gevent would print its traceback to
    stderr, outside the structured log)."""
    try:
        return client.api(command, timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - every failure is that node's answer
        return exc
