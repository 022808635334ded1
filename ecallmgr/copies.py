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
published, with its own node as ``focus``. The lifecycle follows the same rule:
``conference-started`` comes with the first copy and ``conference-ended`` with the
last one (``derived_withheld``).
"""
from kzcore import lifecycle as lc

DESTROY = "conference-destroy"
CREATE = "conference-create"
# the room's own event -> the lifecycle message said once for all its copies
ONCE_PER_ROOM = {CREATE: lc.CONFERENCE_STARTED, DESTROY: lc.CONFERENCE_ENDED}


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


def derived_withheld(state, node, event):
    """The lifecycle message not to derive from ``event`` (already applied to
    ``state``): a second copy's start or a copy's end while another runs; else None."""
    name = ONCE_PER_ROOM.get(event.get("Action"))
    if name is None or not other_copies(state, node, event.get("Conference-Name")):
        return None
    return name
