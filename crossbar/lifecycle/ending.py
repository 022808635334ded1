"""Ending a conference on request: ``PUT .../conferences/{id}`` ``{"action": "end"}``
and ``DELETE .../conferences/{id}?end=true``.

Order matters when an end races a dial into a room that is not running yet:

1. the legs of such a dial are read from the status document, then the end request
   is stamped there (``end_requested_at``), then those legs are hung up;
2. the room, if it runs, gets ``kz_end_reason`` and ``hup all`` (kzcore.lifecycle);
3. a dial stamps its legs *before* sending them and looks for an end request
   *after* (crossbar.lifecycle.dial_marks): whichever of the two writes second
   sees the other, so a leg either is hung up here or hangs itself up there.
"""
import time

from kzcore import fs_commands, lifecycle as lc
from kzcore.errors import Conflict, NotRunning, SwitchRefused
from kzcore.lifecycle import status_doc

ALLOWED_PARAMS = ("command_id",)   # the idempotency key is handled by the action layer
GONE_POLL = 0.1


def _conference_id(conference):
    return conference if isinstance(conference, str) else conference["_id"]


def check_params(params):
    unknown = sorted(set(params) - set(ALLOWED_PARAMS))
    if unknown:
        raise fs_commands.invalid(unknown[0], "end takes no parameters", params[unknown[0]])


def hang_up_calls(live, call_ids):
    """``uuid_kill`` each call on every node; the ones some node hung up."""
    killed = []
    for call_id in call_ids:
        replies = live.pool.api_all(fs_commands.api_uuid_kill(call_id), timeout=live.timeout)
        if any(isinstance(reply, str) and reply.startswith("+OK") for reply in replies.values()):
            killed.append(call_id)
    return killed


def end_conference(live, account_id, conference, reason=lc.API, missing=None):
    """``(data, 202)``; NotRunning (or ``missing()``) when there was nothing to end."""
    conference_id = _conference_id(conference)
    now = live.clock()
    record = status_doc.load(live.store, account_id, conference_id)
    pending = status_doc.pending_dial(record, now)
    if record is not None or not isinstance(conference, str):   # an unknown id: no trace
        status_doc.update(live.store, account_id, conference_id,
                          status_doc.mark_end_request(now))
    cancelled = hang_up_calls(live, pending)
    located = live.where(account_id, conference_id)
    reply = _end_room(live, located, reason) if located is not None else None
    if reply is None:
        located = None             # it ended by itself meanwhile
    if located is None and not cancelled:
        raise missing() if missing else _not_running(conference)
    return {"end_reason": reason, "ended": located is not None, "reply": reply,
            "cancelled_calls": cancelled}, 202


def _end_room(live, located, reason):
    """The ``hup all`` reply; None if the room was gone. A refusal is SwitchRefused."""
    reply = None
    for action, args in lc.end_commands(reason):
        try:
            reply = live.send(located, action, **args)
        except NotRunning:
            return None
        except SwitchRefused as refused:
            if not lc.nobody_left(action, refused.message):
                raise
            reply = refused.message        # its last members were leaving already
    return reply


def _not_running(conference):
    from crossbar.live.service import not_running
    return not_running(conference)


def wait_until_gone(live, account_id, conference_id, timeout):
    """Bounded wait for the room to leave every node (True if it did)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if live.where(account_id, conference_id) is None:
            return True
        time.sleep(GONE_POLL)
    return False


def end_arg(value):
    """``?end=`` -> bool; anything but true/false is a 400."""
    if value is None or value.lower() in ("false", "0"):
        return False
    if value.lower() in ("true", "1"):
        return True
    raise fs_commands.invalid("end", "must be true or false", value)


def delete_conference(service, live, account_id, conference_id, if_match, end):
    """DELETE: a running room is a 409 unless ``end``; then it is ended first."""
    doc = service.load(account_id, conference_id)
    if if_match and if_match != doc["_rev"]:
        raise Conflict("conflicting document revision", {"cause": "stale revision",
                                                         "rev": if_match})
    if live is not None and live.where(account_id, conference_id) is not None:
        if not end:
            raise Conflict(f"conference {conference_id} is running: end it first "
                           "(action end) or delete with ?end=true",
                           {"cause": "running", "conference_id": conference_id,
                            "status": lc.ACTIVE})
        end_conference(live, account_id, doc)
        wait_until_gone(live, account_id, conference_id, live.timeout)
    return service.delete(account_id, conference_id, if_match)
