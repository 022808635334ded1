"""The documents of dynamic conferences (a dial into an id with no document).

Kazoo keeps nothing for a dynamic conference. Here the dial saves a document,
marked ``pvt_dynamic``, because mod_xml_curl serves the room's profile from it;
it goes again once the room has ended (``crossbar.live.dynamic_rooms``). Every
dial into it stamps the document with when it was dialled (``pvt_dialled_at``,
epoch seconds) and the call ids of its legs (``pvt_dial_calls``): a bgdial into
a room that does not exist yet creates the room only when a callee answers, so
until then the document is kept by those calls, not by the room.
"""
import logging

from crossbar import documents
from kzcore.errors import Conflict, KzError, NotFound

log = logging.getLogger(__name__)

DYNAMIC = "pvt_dynamic"
DIALLED_AT = "pvt_dialled_at"
DIAL_CALLS = "pvt_dial_calls"
MAX_CALLS = 20     # call ids kept per document (the most recent dials' legs)
ATTEMPTS = 3       # stamping retries when concurrent dials or a removal meet


def is_dynamic(doc):
    return isinstance(doc, dict) and doc.get(DYNAMIC) is True and not doc.get("pvt_deleted")


def dial_stamp(call_ids, previous=(), now=None):
    """The private fields one dial leaves on the document (pure)."""
    calls = [c for c in previous if c not in call_ids] + list(call_ids)
    return {DYNAMIC: True, DIALLED_AT: float(now), DIAL_CALLS: calls[-MAX_CALLS:]}


def dialled_at(doc):
    """Epoch seconds of the last dial (documents saved before the stamp existed:
    their last modification)."""
    stamp = doc.get(DIALLED_AT)
    if isinstance(stamp, (int, float)):
        return float(stamp)
    return float(doc.get("pvt_modified") or 0) - documents.GREGORIAN_OFFSET


def grace_left(doc, now, grace):
    """Seconds until a room running nowhere may count as ended (0: it may now)."""
    return max(0.0, dialled_at(doc) + grace - now)


def dial_calls(doc):
    return [c for c in doc.get(DIAL_CALLS) or () if isinstance(c, str) and c]


def listed(doc, running_ids, live_unknown):
    """Whether a conference shows in lists: a dynamic one only while its room runs
    (or while a node that did not answer may be hosting it)."""
    return not is_dynamic(doc) or doc["_id"] in running_ids or bool(live_unknown)


def public_fields(doc):
    """The client fields of a document, to save it again under the same id."""
    fields = documents.public_view(doc)
    fields.pop("id", None)
    return fields


def record_dial(service, account_id, conference_id, fields, call_ids, now):
    """After FreeSWITCH accepted legs of a dial into an id with no document, or
    into a dynamic conference: the document exists and carries this dial's stamp.
    Created from ``fields`` when missing (also when a removal just took it); a
    stored conference is left alone. True if this call created the document."""
    db = service.db_name(account_id)
    for _ in range(ATTEMPTS):
        doc = service.store.get_or_none(db, conference_id)
        if doc is None or doc.get("pvt_deleted"):
            created = _create(service, account_id, conference_id, fields,
                              dial_stamp(call_ids, (), now))
            if created is not None:
                return created
        elif not is_dynamic(doc):
            return False
        elif _stamp(service, db, doc, call_ids, now):
            return False
    log.warning("dynamic conference not stamped after retries", extra={
        "account_id": account_id, "conference_id": conference_id})
    return False


def _stamp(service, db, doc, call_ids, now):
    stamped = {**doc, **documents.touched({}, now),
               **dial_stamp(call_ids, dial_calls(doc), now)}
    try:
        service.store.save(db, stamped)
    except (Conflict, NotFound):
        return False  # another dial stamped it, or a removal took it: look again
    return True


def _create(service, account_id, conference_id, fields, private):
    """True if created, None if it appeared meanwhile, False if it cannot be saved."""
    try:
        service.create_with_id(account_id, conference_id, fields, private)
    except Conflict:
        return None
    except KzError as exc:
        log.warning("dynamic conference document not created", extra={
            "account_id": account_id, "conference_id": conference_id, "error": exc.message})
        return False
    log.info("dynamic conference created", extra={"account_id": account_id,
                                                  "conference_id": conference_id})
    return True


def remove_dynamic(service, account_id, conference_id):
    """Every leg of the dial that created it failed: the document goes (and its numbers)."""
    try:
        service.delete(account_id, conference_id)
    except KzError as exc:
        log.warning("dynamic conference document not removed", extra={
            "account_id": account_id, "conference_id": conference_id, "error": exc.message})
