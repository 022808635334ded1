"""One room on several switches (issue 18, PURE): conference-destroy goes out once,
when the last copy ends.

A room should run on one FreeSWITCH node (kzcore.placement), but two copies of it
(the same room name on two nodes) can run at once. Each copy is a conference of
its own on its switch (its own instance id and conference-create), and each copy's
events carry its node as ``focus``. Subscribers, though, know the conference by
its id: a conference-destroy while another copy still runs would tell them that a
running conference ended (and crossbar would remove a dynamic conference that
still has callers). So the destroy of a copy is withheld while ecallmgr knows
another node hosting the same room (its live state covers every node, including
one in its grace period after a lost connection); the last copy's destroy is
published, with its own node as ``focus``.
"""
DESTROY = "conference-destroy"


def other_copies(state, node, room_name):
    """Nodes other than ``node`` where ``state`` knows a room named ``room_name``."""
    return sorted(other for other in state.nodes() if other != node
                  and any(room.name == room_name for room in state.conferences(other)))


def withheld(state, node, event):
    """The nodes still hosting the room when ``event`` (already applied to
    ``state``) is the destroy of one copy of several; else an empty list."""
    if event.get("Action") != DESTROY:
        return []
    return other_copies(state, node, event.get("Conference-Name"))
