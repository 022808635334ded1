"""The ``_read_only`` live part of conference documents.

``live`` (the live-conference service, or None) is asked through two calls:
``live.conference_state(account_id, conference_id) -> dict | None`` (members,
moderators, duration, is_locked, participants) and
``live.account_states(account_id) -> {conference_id: dict}`` (for lists: one
question per account, not one per conference; its ``unreachable_nodes``, when
some node did not answer, make the rooms it does not list unknown rather than
idle). A read never fails because a node is down: the state says so instead
(``"live": "unknown"``, ``"unreachable_nodes"``)."""

from crossbar.lifecycle.read_only import list_status

COUNT_KEYS = ("members", "moderators", "duration", "is_locked")


def empty_state():
    return {"members": 0, "ghosts": 0, "moderators": 0, "admins": 0, "duration": 0,
            "is_locked": False, "participants": []}


def _normalized(state):
    merged = {**empty_state(), **(state or {})}
    merged["admins"] = merged.get("moderators", 0)
    return merged


def read_only(live, account_id, conference_id):
    if live is None:
        return empty_state()
    return _normalized(live.conference_state(account_id, conference_id))


def list_counts(live, account_id):
    """``{conference_id: state}`` for the account's running conferences."""
    if live is None:
        return {}
    states = live.account_states(account_id)
    normalized = StatesByConference({cid: _normalized(state) for cid, state in states.items()})
    normalized.unreachable_nodes = list(getattr(states, "unreachable_nodes", None) or [])
    return normalized


class StatesByConference(dict):
    unreachable_nodes = ()


def counts_for(states, conference_id):
    state = states.get(conference_id)
    unreachable = getattr(states, "unreachable_nodes", None)
    if state is None and unreachable:
        return {"members": None, "ghosts": None, "moderators": None, "admins": None,
                "duration": None, "is_locked": None, "is_recording": None, "live": "unknown",
                "unreachable_nodes": list(unreachable), "status": None}
    status = list_status(state)
    state = state or empty_state()
    counts = {"members": state["members"], "ghosts": state.get("ghosts", 0),
              "moderators": state["moderators"],
              "admins": state["admins"], "duration": state["duration"],
              "is_locked": state["is_locked"], "is_recording": bool(state.get("is_recording")),
              "status": status}
    if state.get("split"):    # one room on several nodes (crossbar.live.split)
        counts.update(nodes=state["nodes"], split=True, warning=state["warning"])
    return counts
