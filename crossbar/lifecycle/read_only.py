"""The lifecycle part of a conference's ``_read_only`` (GET): ``status``,
``started_at``, ``ended_at``, ``end_reason`` of the current or last run,
participants' ``end_conference_on_exit``, ``recent_participants`` (who left, why)
and ``pending_participants`` (legs of a dial that may start the room).

A running room's status comes from the switch (``crossbar.live.state``: ``active``,
or ``ending`` once its ``kz_end_reason`` is set); the rest from the status
document the lifecycle service and the requests write (kzcore.lifecycle.status_doc).
"""
from kzcore import lifecycle as lc
from kzcore.lifecycle import status_doc


def _running(state):
    return bool((state or {}).get("conference_uuid"))


def lifecycle_view(store, account_id, conference_id, state, now):
    doc = status_doc.load(store, account_id, conference_id) or {}
    flagged = set(status_doc.flagged_calls(doc))
    view = {"recent_participants": list(doc.get("recent_participants") or []),
            "pending_participants": []}
    for person in state.get("participants") or []:
        person["end_conference_on_exit"] = person.get("call_id") in flagged
    if _running(state):
        view.update(status=state.get("status", lc.ACTIVE), started_at=state.get("started_at"),
                    ended_at=None, end_reason=None)
        return view
    if state.get("live") == "unknown":
        view.update(status=None, started_at=None, ended_at=None, end_reason=None)
        return view
    pending = status_doc.pending_dial(doc, now)
    last = doc.get("last_run") or {}
    view.update(status=lc.STARTING if pending else lc.IDLE, started_at=last.get("started_at"),
                ended_at=last.get("ended_at"), end_reason=last.get("end_reason"),
                pending_participants=[{"call_id": call, "state": lc.JOINING}
                                      for call in pending])
    return view


def list_status(state):
    """A listed conference's status (lists show no ``starting``: it needs a document read)."""
    if state is None:
        return lc.IDLE
    if state.get("live") == "unknown":
        return None
    return state.get("status", lc.ACTIVE)
