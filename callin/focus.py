"""Which node a caller's conference runs on, seen from the call-in service (issue 18).

With several FreeSWITCH nodes, a caller may reach any of them (a SIP proxy that
cannot know the conference behind a number, a failover). The room must run on
one node: the conference's *focus*, by the rule crossbar uses too
(kzcore.placement). Once the caller's conference and role are known, the router
asks every node at once (ESL, ``KZ_ESL_NODES``) which one carries this call
(``uuid_exists <call id>``) and which ones host the room (``conference <room>
list count``):

- the room runs on this call's node, or on no node and this node is the focus:
  the caller joins here;
- the room runs elsewhere: that node (the primary of several); it runs nowhere:
  the focus among the connected nodes (the document's ``focus`` first). The
  caller is bridged there (callin.bridge);
- the call's node cannot be told (it did not answer): the caller joins here.
"""
import dataclasses
import logging

import gevent

from kzcore import fs_commands, placement
from kzcore.naming import fs_conference_name

log = logging.getLogger(__name__)
SIP_PORT = 5060


def sip_addresses(setting, nodes):
    """``{node name: "host:port"}`` from KZ_FOCUS_SIP_ADDRESSES (``node=host:port,...``);
    a node not listed: its ESL host, port 5060."""
    listed = {}
    for item in filter(None, (part.strip() for part in str(setting or "").split(","))):
        name, separator, address = item.rpartition("=")
        if not separator or not name or not address:
            raise ValueError(f"KZ_FOCUS_SIP_ADDRESSES: {item!r} is not node=host:port")
        listed[name] = address if ":" in address else f"{address}:{SIP_PORT}"
    return {node.name: listed.get(node.name, f"{node.host}:{SIP_PORT}") for node in nodes}


@dataclasses.dataclass(frozen=True)
class Destination:
    node: str
    endpoint: str     # the bridge's dial string (kzcore.fs_commands.apps.bridge)


class FocusRouter:
    def __init__(self, pool, rule, addresses, tokens, profile="internal", timeout=5.0):
        """``pool``: an EslPool over every node; ``addresses``: ``sip_addresses()``;
        ``tokens``: callin.focus_token.FocusTokens."""
        self.pool, self.addresses, self.tokens = pool, addresses, tokens
        self.placement = placement.Placement(pool.names(), rule)
        self.profile, self.timeout = profile, timeout

    def destination(self, conference, call_id, number):
        """Destination of the node to bridge to, or None: join on this call's node."""
        here, hosting = self._look(conference, call_id)
        if here is None:
            log.warning("call-in: the node carrying the call did not say so; joining here",
                        extra={"call_id": call_id, "conference_id": conference.conference_id})
            return None
        if here in hosting:
            return None
        if hosting:
            target = self.placement.primary(conference.conference_id, hosting, conference.focus)
        else:
            target = self.placement.choose(conference.conference_id,
                                           self.pool.connected_names(), conference.focus)
        if target is None or target == here:
            return None
        endpoint = f"sofia/{self.profile}/{number}@{self.addresses[target]}"
        log.info("call-in: conference focus is another node", extra={
            "call_id": call_id, "conference_id": conference.conference_id, "node": here,
            "focus": target, "room_running": bool(hosting)})
        return Destination(target, endpoint)

    def _look(self, conference, call_id):
        """``(this call's node or None, [nodes hosting the room])``, asked at once."""
        name = fs_conference_name(conference.account_id, conference.conference_id)
        calls = gevent.spawn(self.pool.api_all, fs_commands.api_uuid_exists(call_id),
                             self.timeout)
        rooms = gevent.spawn(self.pool.api_all, fs_commands.build(name, "count"), self.timeout)
        gevent.joinall([calls, rooms])
        here = [node for node, reply in (calls.value or {}).items()
                if isinstance(reply, str) and reply.strip() == "true"]
        hosting = [node for node, reply in (rooms.value or {}).items()
                   if isinstance(reply, str) and reply.strip().isdigit()]
        return (here[0] if len(here) == 1 else None), hosting

    def close(self):
        self.pool.close()
