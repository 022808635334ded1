"""The global index from a dialled number to its conference.

Conference documents live in each account's database, so a number cannot be
found with one query. The ``conference_numbers`` database holds one document
per number (``_id`` = the digits) with ``account_id`` and ``conference_id``:
crossbar writes it whenever a conference is saved or deleted, and the call-in
service reads it (one ``get`` per call, whatever the number of accounts) and
re-checks the hit against the conference document itself.
"""
import logging

from kzcore.errors import Conflict, NotFound

log = logging.getLogger(__name__)

INDEX_DB = "conference_numbers"


def lookup(store, number):
    """The index entry for ``number`` (with ``account_id``, ``conference_id``), or None."""
    return store.get_or_none(INDEX_DB, str(number))


def index(store, account_id, conference_id, numbers):
    """Point each number at the conference; entries it no longer has are dropped."""
    wanted = {str(n) for n in numbers if str(n).isdigit()}
    entry = {"account_id": account_id, "conference_id": conference_id}
    for number in sorted(wanted):
        _upsert(store, number, entry)
    stale = [doc for doc in entries_of(store, account_id, conference_id)
             if doc["_id"] not in wanted]
    for doc in stale:
        _drop(store, doc)
    return len(wanted)


def unindex(store, account_id, conference_id):
    """Remove every number of a deleted conference."""
    for doc in entries_of(store, account_id, conference_id):
        _drop(store, doc)


def entries_of(store, account_id, conference_id):
    return store.find(INDEX_DB, {"account_id": account_id, "conference_id": conference_id})


def drop_entry(store, entry):
    _drop(store, entry)


def _upsert(store, number, entry):
    current = store.get_or_none(INDEX_DB, number)
    if current and all(current.get(k) == v for k, v in entry.items()):
        return
    if current:
        log.warning("number moves to another conference", extra={
            "number": number, "from": current.get("conference_id"),
            "to": entry["conference_id"]})
    try:
        store.save(INDEX_DB, dict(entry, _id=number,
                                  **({"_rev": current["_rev"]} if current else {})))
    except Conflict:
        log.info("number index entry changed concurrently", extra={"number": number})


def _drop(store, doc):
    try:
        store.delete(INDEX_DB, doc["_id"], doc["_rev"])
    except (NotFound, Conflict):
        pass
