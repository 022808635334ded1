"""Conference document events: after a successful write the conference service
publishes ``doc_created``, ``doc_edited`` or ``doc_deleted`` (Kazoo's names) on
the ``conference`` exchange, key ``conference.event.{conference_id}.conference``,
shaped like ecallmgr's room events (``event_name: conference_event``), so the
websocket and webhooks carry them beside the room's live events.

The PINs are left out of the document the event carries. Publishing never
blocks and never fails the write it follows (a failure is logged).
"""
import copy
import logging
import uuid

import kzcore
from crossbar import documents
from kzcore.bus.keys import conference_routing_key

log = logging.getLogger(__name__)

CREATED, EDITED, DELETED = "doc_created", "doc_edited", "doc_deleted"
EVENT_NAME, CATEGORY, APP_NAME = "conference_event", "conference", "crossbar"


def event_document(doc):
    """The conference as the event shows it: public fields without PINs."""
    view = copy.deepcopy(documents.public_view(doc))
    for role in ("member", "moderator"):
        if isinstance(view.get(role), dict):
            view[role].pop("pins", None)
    return view


def document_event(action, account_id, doc, *, node, msg_id):
    """``(routing_key, payload)`` of one document event (PURE)."""
    payload = {"event": action, "account_id": account_id, "conference_id": doc["_id"],
               "name": doc.get("name"), "rev": doc.get("_rev"), "doc": event_document(doc),
               "node": node, "msg_id": msg_id, "event_name": EVENT_NAME,
               "event_category": CATEGORY, "app_version": kzcore.APP_VERSION,
               "app_name": APP_NAME, "routing_key": EVENT_NAME}
    return conference_routing_key(doc["_id"]), payload


class DocumentEvents:
    def __init__(self, publisher, node):
        self.publisher = publisher
        self.node = node

    def publish(self, action, account_id, doc):
        try:
            key, payload = document_event(action, account_id, doc, node=self.node,
                                          msg_id=uuid.uuid4().hex)
            self.publisher.publish(key, payload)
        except Exception:  # noqa: BLE001 - the write succeeded; the event is best effort
            log.exception("conference document event not published", extra={
                "account_id": account_id, "conference_id": doc.get("_id"), "event": action})


def for_services(svc):
    """The DocumentEvents of the app's publisher, or None without one."""
    return DocumentEvents(svc.events, svc.node) if svc.events is not None else None
