"""Where a dial puts its legs, and whether it may: the room's node or the
conference's focus for a new room (kzcore.placement), and the lock.

- A room that runs stays where it runs: the legs go to its node (the primary
  copy of a room on several nodes, crossbar.live.split).
- A room that runs nowhere starts on the focus: the document's ``focus`` if that
  node is connected, else the first connected node of the conference's ranking.
  A node that is not connected is left out of the look (its rooms cannot be
  reached: the next node by the rule takes the new room, as the call-in service
  does); a connected node that does not answer still makes it a 503, since the
  room may run there.
- A locked room takes nobody new, whatever the path: the switch applies its lock
  to dialplan joins only (dial-outs bypass it), so a dial into a locked room is
  refused here (409 ``conference_locked``) unless the request says ``"force": true``.
"""
import logging

from kzcore.errors import Conflict, SwitchUnavailable

log = logging.getLogger(__name__)


class ConferenceLocked(Conflict):
    error_id = "conference_locked"
    default_message = "conference is locked"


def document_focus(conference):
    """The stored conference's ``focus`` (None for a dynamic conference or none set)."""
    return conference.get("focus") if isinstance(conference, dict) else None


def room_for_dial(live, account_id, conference_id, preferred=None):
    """Located (the running room) or None (a new room); SwitchUnavailable when a
    connected node did not answer."""
    try:
        return live.locate(account_id, conference_id, preferred)
    except SwitchUnavailable as unknown:
        silent = unknown.data.get("nodes") or []
        connected = set(live.pool.connected_names())
        if not silent or any(node in connected for node in silent):
            raise
        log.warning("dial: nodes not connected are left out of the room's look-up",
                    extra={"account_id": account_id, "conference_id": conference_id,
                           "unreachable_nodes": silent})
        return None


def refuse_locked(located, params):
    """ConferenceLocked when any copy of the running room is locked and the dial
    does not force its way in."""
    if params.get("force") is True:
        return
    locked = [copy.node for copy in located.all_copies
              if (copy.conference or {}).get("locked")]
    if locked:
        raise ConferenceLocked(
            f"conference {located.conference_id} is locked: nobody new joins "
            "(send \"force\": true to dial into it anyway)",
            {"conference_id": located.conference_id, "nodes": locked})

