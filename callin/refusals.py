"""Callers the call-in service turned away from a room (locked, full), kept with
the conference's recent participants (``kzcore.lifecycle.status_doc``) so the
API shows them with ``left_reason`` ``refused_locked`` / ``refused_full``. The
switch never saw them join (it refuses a locked room silently), so no event
says it. Best effort: a failed write is logged, never felt by the caller."""
import logging
import time

from kzcore import lifecycle as lc
from kzcore.errors import KzError
from kzcore.lifecycle import status_doc

log = logging.getLogger(__name__)

REASONS = {"locked": lc.REFUSED_LOCKED, "full": lc.REFUSED_FULL}


def record(store, conference, session, reason, now=None):
    left_reason = REASONS.get(reason)
    if left_reason is None or conference is None:
        return
    channel = session.channel or {}
    entry = {"participant_id": None, "call_id": session.uuid, "state": lc.LEFT,
             "caller_id_name": channel.get("Caller-Caller-ID-Name"),
             "caller_id_number": channel.get("Caller-Caller-ID-Number"),
             "left_reason": left_reason, "left_at": int(now if now is not None else time.time()),
             "event_id": f"callin:{session.uuid}"}
    try:
        status_doc.update(store, conference.account_id, conference.conference_id,
                          status_doc.add_left(entry))
    except (KzError, ValueError) as error:
        log.warning("refused caller not recorded", extra={
            "call_id": session.uuid, "conference_id": conference.conference_id,
            "error": str(error)})
