"""One room running on several nodes at once (a *split*), as the API shows it (PURE).

A room should run on one node (kzcore.placement), but a caller routed to another
node, or a node that was unreachable when a room started, can leave two copies of
one conference (same FreeSWITCH name) on two switches. Member ids come from each
switch's own counter, so id 2 may be one caller on node A and another on node B.

So when listings show a room on more than one node:

- ``_read_only`` sums the copies (members, ghosts, moderators; locked or recording
  if any copy is), lists every copy's participants, and says so: ``nodes`` (every
  node hosting a copy, the primary first: where new legs go), ``split: true`` and
  a ``warning``;
- participant ids are *node-qualified*, ``<node>:<member id>`` (e.g.
  ``freeswitch@fs2:7``), in the listing and in the URLs that act on one; a bare id
  is refused (409 ``conference_split``, naming the nodes) because it could reach
  the wrong member. Events carry the node as ``focus``: ``{focus}:{participant_id}``
  is the same id. A qualified id is accepted for a room on one node too.
"""
from kzcore import fs_commands
from kzcore.errors import Conflict

SEPARATOR = ":"


class ConferenceSplit(Conflict):
    """The room runs on several nodes and the request cannot tell which copy it means."""

    error_id = "conference_split"
    default_message = "conference runs on several FreeSWITCH nodes"


def split_error(conference_id, nodes, why):
    listed = ", ".join(nodes)
    return ConferenceSplit(f"conference {conference_id} runs on several FreeSWITCH nodes "
                           f"({listed}): {why}", {"conference_id": conference_id,
                                                  "nodes": list(nodes)})


def warning(nodes):
    return (f"this conference runs on {len(nodes)} FreeSWITCH nodes at once "
            f"({', '.join(nodes)}): its participants cannot hear each other across nodes; "
            "participant ids are node-qualified")


def qualify(node, member_id):
    return f"{node}{SEPARATOR}{member_id}"


def parse_participant_id(text, field="participant_id"):
    """``(node or None, member id)`` from ``"7"`` or ``"<node>:7"``; 400 otherwise."""
    text = str(text)
    node, separator, member = text.rpartition(SEPARATOR)
    if not member.isascii() or not member.isdigit() or int(member) < 1 \
            or (separator and not node):
        raise fs_commands.invalid(field, f"must be an integer >= 1 or '<node>{SEPARATOR}<id>'",
                                  text)
    return (node if separator else None), int(member)


def qualified_participants(people, node):
    return [{**person, "participant_id": qualify(node, person["participant_id"])}
            for person in people]


def merged_state(states):
    """``[(node, state)]`` of every copy, primary first -> one ``_read_only``.
    One copy: its state with ``nodes``; several: the sums described above."""
    nodes = [node for node, _ in states]
    first = dict(states[0][1])
    first["nodes"] = nodes
    if len(states) == 1:
        return first
    each = [state for _, state in states]
    for key in ("members", "ghosts", "moderators", "admins"):
        first[key] = sum(state.get(key) or 0 for state in each)
    first["duration"] = max(state.get("duration") or 0 for state in each)
    first["is_locked"] = any(state.get("is_locked") for state in each)
    first["is_recording"] = any(state.get("is_recording") for state in each)
    first["participants"] = [person for node, state in states
                             for person in qualified_participants(state["participants"], node)]
    first["split"] = True
    first["warning"] = warning(nodes)
    first["copies"] = [{"node": node, "members": state.get("members"),
                        "conference_uuid": state.get("conference_uuid")}
                       for node, state in states]
    return first


def member_node(located, node, member_id):
    """The node an action on ``member_id`` goes to, for a room found as ``located``
    (crossbar.live.service.Located): the qualified node, which must host a copy
    (None: no such participant), or the only node; a bare id in a split room is
    ConferenceSplit."""
    if node is not None:
        return node if node in located.nodes else None
    if located.split:
        raise split_error(located.conference_id, located.nodes,
                          f"participant id {member_id} is ambiguous; use "
                          f"'<node>{SEPARATOR}<id>' ({qualify(located.nodes[0], member_id)})")
    return located.node
