"""One active recording per conference, across processes and hosts.

Starting creates the document ``active_recording-{conference_id}`` without
``_rev`` (a second creator gets Conflict -> 409); stopping, or a start that failed
or that the switch refused, deletes it. A guard whose conference FreeSWITCH lists
as not recording, and that is older than ``STALE_AFTER``, is left over by a crash
and is replaced.
"""
import logging

from crossbar.live import state
from kzcore.errors import Conflict, NotFound
from kzcore.naming import account_db

log = logging.getLogger(__name__)
GUARD_TYPE = "active_recording"
STALE_AFTER = 30.0  # a guard younger than this is never taken for a crash's leftover


def guard_id(conference_id):
    return f"{GUARD_TYPE}-{conference_id}"


def is_recording(located):
    """Whether json_list shows the room recording (a recording node or its flag)."""
    conference = located.conference or {}
    return bool(state.recording_paths(conference) or conference.get("recording"))


class RecordingGuard:
    """``claim(live, located, recording_id)`` (Conflict when held) and ``release``."""

    def __init__(self, store, clock):
        self.store, self.clock = store, clock

    def claim(self, live, located, recording_id):
        db, guard = account_db(located.account_id), guard_id(located.conference_id)
        doc = {"_id": guard, "pvt_type": GUARD_TYPE, "conference_id": located.conference_id,
               "recording_id": recording_id, "node": located.node, "claimed": self.clock()}
        if self._create(db, doc):
            return
        held = self.store.get_or_none(db, guard)
        if held is None or self._stale(live, located, held):
            if held is not None:
                log.warning("replacing a stale recording guard", extra={
                    "account_id": located.account_id, "conference_id": located.conference_id,
                    "held_by": held.get("recording_id")})
                self._delete(db, held)
            if self._create(db, doc):
                return
        raise Conflict("conference is already recording", {"conference_id": located.conference_id})

    def _create(self, db, doc):
        try:
            self.store.save(db, doc)  # no _rev: only the first creator succeeds
            return True
        except Conflict:
            return False

    def _stale(self, live, located, held):
        if self.clock() - float(held.get("claimed") or 0) < STALE_AFTER:
            return False
        fresh = live.locate(located.account_id, located.conference_id)
        return fresh is None or not is_recording(fresh)

    def _delete(self, db, doc):
        try:
            self.store.delete(db, doc["_id"], doc["_rev"])
        except (Conflict, NotFound):
            pass  # somebody else removed or replaced it first

    def release(self, account_id, conference_id):
        db = account_db(account_id)
        held = self.store.get_or_none(db, guard_id(conference_id))
        if held is not None:
            self._delete(db, held)
