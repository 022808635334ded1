"""Conference focus: which FreeSWITCH node runs a conference's room (PURE).

One room runs on one node at a time. Crossbar (new rooms, dial-outs) and the
call-in service (callers who reach another node are bridged there) agree on the
node with the same rule, so both ask this module:

- **rendezvous** (the default, ``KZ_FOCUS_RULE``): every configured node gets a
  score for the conference, the first 8 bytes (big-endian) of
  ``sha256("<conference_id>\\n<node name>")``; nodes are ranked by score, highest
  first (ties, which need a hash collision, by name). Each conference has its own
  order of the nodes, so rooms spread evenly, and taking a node away moves only
  the rooms that ranked it first (to their second node; they come back when it
  returns).
- **ordered**: the nodes in their configured order (``KZ_ESL_NODES``): one active
  node and standbys.

The focus is the first *healthy* node of that ranking (connected and answering);
a conference document's ``focus``, when it names a healthy node, comes first.
A room that already runs stays where it runs: the rule only places new rooms
(``primary`` picks the copy to treat as the room when one has run on two nodes).
"""
import hashlib

RENDEZVOUS, ORDERED = "rendezvous", "ordered"
RULES = (RENDEZVOUS, ORDERED)


def score(conference_id, node):
    """The node's rendezvous weight for the conference (an unsigned 64-bit int)."""
    digest = hashlib.sha256(f"{conference_id}\n{node}".encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


class Placement:
    """The rule over the configured ``nodes`` (names, in configured order)."""

    def __init__(self, nodes, rule=RENDEZVOUS):
        if rule not in RULES:
            raise ValueError(f"unknown focus rule {rule!r} (one of {', '.join(RULES)})")
        self.nodes, self.rule = list(nodes), rule

    def ranking(self, conference_id, nodes=None):
        """The nodes (default: every configured one) in the rule's order for this conference."""
        nodes = list(self.nodes if nodes is None else nodes)
        if self.rule == ORDERED:
            position = {name: index for index, name in enumerate(self.nodes)}
            return sorted(nodes, key=lambda node: (position.get(node, len(position)), node))
        return sorted(nodes, key=lambda node: (-score(conference_id, node), node))

    def choose(self, conference_id, healthy, preferred=None):
        """Where a new room of the conference goes: ``preferred`` (the document's
        ``focus``) if healthy, else the first healthy node of the ranking; None
        when no node is healthy."""
        healthy = set(healthy)
        if preferred in healthy:
            return preferred
        for node in self.ranking(conference_id):
            if node in healthy:
                return node
        return None

    def primary(self, conference_id, hosting, preferred=None):
        """Of the nodes that host a copy of the room, the one to treat as the room
        (new legs go there): the same order as ``choose``, over ``hosting``."""
        hosting = list(hosting)
        if not hosting:
            return None
        if preferred in hosting:
            return preferred
        return self.ranking(conference_id, hosting)[0]
