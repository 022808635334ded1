"""The persisted part of a conference's lifecycle: one document per conference,
``lifecycle:{conference_id}`` (``pvt_type`` ``conference_lifecycle``) in the
account's database, beside the conference document but never in its revisions
(a status change must not make a client's ``If-Match`` stale). The ``:`` cannot
occur in a conference id, so no dynamic conference can take this id.

Fields (all written through ``update``, which retries on a stale revision):

- ``run``: the current run as the lifecycle service saw it start: ``instance_id``
  (FreeSWITCH's conference uuid), ``node``, ``started_at``, ``peak`` (most
  participants at once, for ``connect`` rooms), ``empty_since``;
- ``last_run``: the last finished run: ``started_at``, ``ended_at``, ``end_reason``;
- ``recent_participants``: who left, newest first, bounded;
- ``end_on_exit``: call ids whose leaving ends the room (``end_conference_on_exit``);
- ``dial``: legs of a dial into a room that was not running (``at``, ``until``,
  ``calls``): the conference is ``starting`` meanwhile, and ``end`` hangs them up;
- ``end_requested_at``: the last ``end`` request (a dial that raced it checks it).

The mutators are pure: ``change(doc) -> doc`` or None when nothing changes.
"""
import copy
import logging

from kzcore.errors import Conflict, DatabaseMissing, NotFound
from kzcore.naming import account_db

log = logging.getLogger(__name__)

DOC_TYPE = "conference_lifecycle"
ATTEMPTS = 8
MAX_FLAGGED_CALLS = 100
MAX_DIAL_CALLS = 100
DEFAULT_RECENT = 50


def doc_id(conference_id):
    return f"lifecycle:{conference_id}"


def empty(account_id, conference_id):
    return {"_id": doc_id(conference_id), "pvt_type": DOC_TYPE, "pvt_account_id": account_id,
            "conference_id": conference_id, "run": None, "last_run": None,
            "recent_participants": [], "end_on_exit": [], "dial": None,
            "end_requested_at": None}


def load(store, account_id, conference_id):
    """The document, or None (none yet, or the account's database is gone)."""
    try:
        return store.get_or_none(account_db(account_id), doc_id(conference_id))
    except (DatabaseMissing, NotFound):
        return None


def update(store, account_id, conference_id, change, attempts=ATTEMPTS):
    """Apply ``change`` to the current document (a copy; a fresh one if missing)
    and save it, again on a stale revision. Returns the saved document, or None
    when ``change`` had nothing to do or the account's database is gone."""
    db = account_db(account_id)
    for _ in range(attempts):
        try:
            current = store.get_or_none(db, doc_id(conference_id))
        except DatabaseMissing:
            return None
        changed = change(copy.deepcopy(current) if current else empty(account_id,
                                                                         conference_id))
        if changed is None:
            return None
        try:
            return store.save(db, changed)
        except Conflict:
            continue        # another writer was first: apply the change to its version
        except DatabaseMissing:
            return None
    log.warning("lifecycle document not saved after retries", extra={
        "account_id": account_id, "conference_id": conference_id})
    return None


def remove(store, account_id, conference_id):
    """Delete the document (its conference was deleted); False if there was none."""
    db = account_db(account_id)
    for _ in range(ATTEMPTS):
        try:
            current = store.get_or_none(db, doc_id(conference_id))
            if current is None:
                return False
            store.delete(db, current["_id"], current["_rev"])
            return True
        except Conflict:
            continue
        except (DatabaseMissing, NotFound):
            return False
    return False


# --- pure mutators -----------------------------------------------------------------
def start_run(instance_id, node, started_at):
    def change(doc):
        run = doc.get("run") or {}
        if run.get("instance_id") == instance_id:
            return None
        doc["run"] = {"instance_id": instance_id, "node": node, "started_at": started_at,
                      "peak": 0, "empty_since": None}
        return doc
    return change


def run_field(instance_id, field, value):
    """Set one field of the current run (only if it is still ``instance_id``)."""
    def change(doc):
        run = doc.get("run") or {}
        if run.get("instance_id") != instance_id or run.get(field) == value:
            return None
        run[field] = value
        return doc
    return change


def end_run(instance_id, ended_at, end_reason):
    """The run ``instance_id`` is over; a repeat (or an older run's end) changes nothing."""
    def change(doc):
        last = doc.get("last_run") or {}
        if last.get("instance_id") == instance_id:
            return None
        run = doc.get("run") or {}
        current = run.get("instance_id") == instance_id
        doc["last_run"] = {"instance_id": instance_id,
                           "started_at": run.get("started_at") if current else None,
                           "ended_at": ended_at, "end_reason": end_reason}
        if current or not run:
            doc["run"] = None        # flagged calls stay: a dial may have flagged the next run's
        return doc
    return change


def add_left(entry, limit=DEFAULT_RECENT):
    """One participant who left; the same event (``event_id``) twice counts once."""
    def change(doc):
        recent = doc.get("recent_participants") or []
        if entry.get("event_id") and any(e.get("event_id") == entry["event_id"] for e in recent):
            return None
        doc["recent_participants"] = ([entry] + recent)[:max(1, limit)]
        return doc
    return change


def flag_end_on_exit(call_ids, on=True):
    def change(doc):
        flagged = list(doc.get("end_on_exit") or [])
        updated = [c for c in flagged if c not in call_ids] + (list(call_ids) if on else [])
        if updated == flagged:
            return None
        doc["end_on_exit"] = updated[-MAX_FLAGGED_CALLS:]
        return doc
    return change


def mark_dial(call_ids, at, until):
    """A dial into a room that is not running: ``starting`` until ``until``."""
    def change(doc):
        doc["dial"] = {"at": at, "until": until, "calls": list(call_ids)[-MAX_DIAL_CALLS:]}
        return doc
    return change


def mark_end_request(at):
    def change(doc):
        doc["end_requested_at"] = at
        return doc
    return change


# --- readers -----------------------------------------------------------------------
def pending_dial(doc, now):
    """The calls of a dial into a room not yet running that may still join, or []."""
    dial = (doc or {}).get("dial") or {}
    if not dial or now >= float(dial.get("until") or 0):
        return []
    ended = (doc.get("last_run") or {}).get("ended_at") or 0
    started = (doc.get("run") or {}).get("started_at") or 0
    requested = doc.get("end_requested_at") or 0
    if max(ended, started, requested) >= float(dial.get("at") or 0):
        return []
    return [c for c in dial.get("calls") or () if isinstance(c, str)]


def end_requested_since(doc, at):
    """True if an ``end`` was requested at or after ``at``."""
    requested = (doc or {}).get("end_requested_at")
    return isinstance(requested, (int, float)) and requested >= at


def flagged_calls(doc):
    return [c for c in (doc or {}).get("end_on_exit") or () if isinstance(c, str)]
