"""Where a conference's room runs, from the nodes' answers (PURE).

Every lookup asks every node (``conference <room> json_list`` or ``... list
count``, concurrently) and keeps every node that hosts the room: a room should
run on one node, but may run on two (crossbar.live.split). The copy on the
*primary* node (kzcore.placement: the conference's focus among the hosting
nodes) stands for the room; ``copies`` holds them all, the primary first.
"""
import dataclasses

from kzcore import fs_replies


@dataclasses.dataclass(frozen=True)
class Located:
    """A running conference: where it is and (when asked for) what json_list said
    about it; ``conference`` is None when only its node was looked up."""
    account_id: str
    conference_id: str
    name: str
    node: str
    conference: dict = None
    copies: tuple = ()

    @property
    def all_copies(self):
        return self.copies or (self,)

    @property
    def nodes(self):
        return [copy.node for copy in self.all_copies]

    @property
    def split(self):
        return len(self.all_copies) > 1

    def on(self, node):
        """The copy on ``node``, or None."""
        return next((copy for copy in self.all_copies if copy.node == node), None)


def listed_copies(account_id, conference_id, name, replies):
    """``{node: json_list reply | Exception}`` -> [Located] of the nodes listing the room."""
    found = []
    for node, reply in replies.items():
        if isinstance(reply, Exception):
            continue
        for conference in fs_replies.parse_json_list(reply):
            if conference.get("conference_name") == name:
                found.append(Located(account_id, conference_id, name, node, conference))
                break
    return found


def counted_copies(account_id, conference_id, name, replies):
    """``{node: list count reply | Exception}`` -> [Located] of the nodes counting it."""
    return [Located(account_id, conference_id, name, node) for node, reply in replies.items()
            if not isinstance(reply, Exception) and reply.strip().isdigit()]


def combine(copies, placement, preferred=None):
    """The primary copy with ``copies`` (primary first), or None for no copy."""
    if not copies:
        return None
    by_node = {copy.node: copy for copy in copies}
    first = placement.primary(copies[0].conference_id, list(by_node), preferred)
    ordered = [by_node[first]] + [copy for node, copy in by_node.items() if node != first]
    if len(ordered) == 1:
        return ordered[0]
    return dataclasses.replace(ordered[0], copies=tuple(ordered))
