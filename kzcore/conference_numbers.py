"""The global index from a dialled number to its conference.

Conference documents live in each account's database, so a number cannot be
found with one query. The ``conference_numbers`` database holds one document
per number (``_id`` = the digits) with ``account_id`` and ``conference_id``:
crossbar writes it whenever a conference is saved or deleted, and the call-in
service reads it (one ``get`` per call, whatever the number of accounts) and
re-checks the hit against the conference document itself.

A number belongs to exactly one (account, conference) system-wide. Entries
are written create-only (the store's Conflict decides a race) and are never
moved away from a conference that still lists the number; an entry whose
conference no longer lists it (or no longer exists) is stale and may be taken,
except during ``CLAIM_GRACE`` seconds after it was written: crossbar claims a
number before it saves the conference that lists it.

Claims are a few store calls per number; runs of them yield to other greenlets
every ``YIELD_EVERY`` numbers (the embedded store's calls never yield by
themselves), and ``held_by_account`` lets crossbar cap an account's numbers.
"""
import logging
import time

import gevent

from kzcore import naming
from kzcore.errors import Conflict, DatabaseMissing, NotFound

log = logging.getLogger(__name__)

INDEX_DB = "conference_numbers"
NUMBER_FIELDS = ("conference_numbers", "member.numbers", "moderator.numbers")
CLAIM_ATTEMPTS = 3
CLAIM_GRACE = 60.0  # seconds a fresh claim counts as held before its document lists it
YIELD_EVERY = 25    # numbers claimed between two yields to other greenlets
YIELD_PAUSE = 0.0001  # a timer, not sleep(0): the hub then also polls sockets

# claim() outcomes
OURS, CREATED, TAKEN, REFUSED = "ours", "created", "taken", "refused"


def lookup(store, number):
    """The index entry for ``number`` (with ``account_id``, ``conference_id``), or None."""
    return store.get_or_none(INDEX_DB, str(number))


def cooperative(items, every=YIELD_EVERY):
    """``items``, letting other greenlets (and new connections) run after every
    ``every`` of them."""
    for index, item in enumerate(items):
        if index and index % every == 0:
            gevent.sleep(YIELD_PAUSE)
        yield item


def held_by_account(store, account_id, except_conference=None):
    """How many numbers the index holds for ``account_id``, not counting those of
    ``except_conference`` (the conference being saved: its numbers are re-counted)."""
    return sum(1 for entry in store.find(INDEX_DB, {"account_id": account_id})
               if entry.get("conference_id") != except_conference)


def doc_numbers(doc):
    """Every dialled number a conference document lists (pure)."""
    found = set()
    for field in NUMBER_FIELDS:
        value = doc
        for part in field.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, list):
            found |= {str(v) for v in value if isinstance(v, (str, int))}
    return found


def owned_by(entry, account_id, conference_id):
    return bool(entry) and entry.get("account_id") == account_id \
        and entry.get("conference_id") == conference_id


def still_holds(store, entry, now=None):
    """Whether the entry's conference lists the entry's number (or the claim is
    fresh enough that its document may not be saved yet)."""
    claimed_at = entry.get("claimed_at")
    if isinstance(claimed_at, (int, float)) \
            and (time.time() if now is None else now) - claimed_at < CLAIM_GRACE:
        return True
    return _listed(store, entry)


def _listed(store, entry):
    account_id, conference_id = entry.get("account_id"), entry.get("conference_id")
    if not naming.is_account_id(account_id) or not isinstance(conference_id, str):
        return False
    try:
        doc = store.get_or_none(naming.account_db(account_id), conference_id)
    except (DatabaseMissing, NotFound, ValueError):
        return False
    if not doc or doc.get("pvt_type") != "conference" or doc.get("pvt_deleted"):
        return False
    return entry["_id"] in doc_numbers(doc)


def claim(store, number, account_id, conference_id, pending=False):
    """``(outcome, entry)``: OURS (already ours), CREATED, TAKEN (a stale entry
    replaced) or REFUSED (``entry`` = the owner's, which still holds it).
    ``pending``: the conference document is not saved yet (the entry carries
    ``claimed_at`` so that it counts as held meanwhile)."""
    number = str(number)
    for _ in range(CLAIM_ATTEMPTS):
        mine = {"_id": number, "account_id": account_id, "conference_id": conference_id}
        if pending:
            mine["claimed_at"] = time.time()
        current = lookup(store, number)
        if owned_by(current, account_id, conference_id):
            return OURS, current
        if current and still_holds(store, current):
            return REFUSED, current
        if current:
            mine["_rev"] = current["_rev"]
        try:
            saved = store.save(INDEX_DB, mine)
        except Conflict:
            continue  # another writer got there first: look again
        if current:
            log.warning("stale number index entry taken over", extra={
                "number": number, "from": current.get("conference_id"), "to": conference_id})
        return (TAKEN if current else CREATED), saved
    return REFUSED, lookup(store, number) or {}


def release(store, number, account_id, conference_id):
    """Drop ``number``'s entry if (and only if) it belongs to that conference."""
    current = lookup(store, number)
    if owned_by(current, account_id, conference_id):
        _drop(store, current)


def index(store, account_id, conference_id, numbers):
    """Claim each number for the conference (never moving one that another
    conference still holds: that is logged as a conflict), and drop this
    conference's entries for numbers it no longer has. Returns the count indexed."""
    wanted = {str(n) for n in numbers if str(n).isdigit()}
    indexed = 0
    for number in cooperative(sorted(wanted)):
        outcome, entry = claim(store, number, account_id, conference_id)
        if outcome == REFUSED:
            log.warning("number index conflict: number kept by its owner", extra={
                "number": number, "owner_account_id": entry.get("account_id"),
                "owner_conference_id": entry.get("conference_id"),
                "account_id": account_id, "conference_id": conference_id})
        else:
            _confirm(store, entry)
            indexed += 1
    for doc in entries_of(store, account_id, conference_id):
        if doc["_id"] not in wanted:
            _drop(store, doc)
    return indexed


def unindex(store, account_id, conference_id):
    """Remove every number of a deleted conference (its own entries only)."""
    for doc in entries_of(store, account_id, conference_id):
        _drop(store, doc)


def entries_of(store, account_id, conference_id):
    return [doc for doc in store.find(INDEX_DB, {"account_id": account_id,
                                                 "conference_id": conference_id})
            if owned_by(doc, account_id, conference_id)]


def drop_entry(store, entry):
    _drop(store, entry)


def drop_if_stale(store, entry):
    """Drop an entry whose conference no longer holds its number (call-in misses)."""
    if not still_holds(store, entry):
        _drop(store, entry)


def _confirm(store, entry):
    """The document now lists the number: the entry no longer needs its grace."""
    if "claimed_at" in entry:
        try:
            store.save(INDEX_DB, {k: v for k, v in entry.items() if k != "claimed_at"})
        except Conflict:
            pass


def _drop(store, doc):
    """Delete at the revision read: an entry changed meanwhile is left alone."""
    try:
        store.delete(INDEX_DB, doc["_id"], doc["_rev"])
    except (NotFound, Conflict):
        pass
