"""What the lifecycle service writes and reads in the store: the conference
document's rules, and the status document of each conference (runs, who left,
flagged participants: ``kzcore.lifecycle.status_doc``)."""
import logging

from kzcore import lifecycle as lc
from kzcore.errors import KzError
from kzcore.lifecycle import status_doc
from kzcore.naming import account_db

from lifecycle import settings

log = logging.getLogger(__name__)
CONFERENCE_TYPE = "conference"


def left_entry(payload):
    """The recent-participants entry of a ``left`` event."""
    entry = {key: payload.get(key) for key in (
        "participant_id", "call_id", "caller_id_name", "caller_id_number", "left_reason",
        "left_at", "is_moderator", "instance_id")}
    entry.update({"state": lc.LEFT, "event_id": payload.get("msg_id")})
    if payload.get("moved_to"):
        entry["moved_to"] = payload["moved_to"]
    return entry


class Records:
    def __init__(self, store, recent=status_doc.DEFAULT_RECENT):
        self.store, self.recent = store, recent

    def conference(self, account_id, conference_id):
        """The conference document, or None (none, deleted, or not a conference)."""
        try:
            doc = self.store.get_or_none(account_db(account_id), conference_id)
        except (KzError, ValueError):
            return None
        if not doc or doc.get("pvt_type") != CONFERENCE_TYPE or doc.get("pvt_deleted"):
            return None
        return doc

    def settings(self, account_id, conference_id):
        """The rules of the conference's document (none if it has no document)."""
        doc = self.conference(account_id, conference_id)
        return settings.from_document(doc) if doc else settings.NO_RULES

    def load(self, account_id, conference_id):
        return status_doc.load(self.store, account_id, conference_id)

    def _update(self, account_id, conference_id, change):
        """Write, if the conference still has a document (a deleted one's status
        document went with it: a late event must not make it again)."""
        if self.conference(account_id, conference_id) is None:
            return None
        try:
            return status_doc.update(self.store, account_id, conference_id, change)
        except (KzError, ValueError) as error:
            log.warning("lifecycle document not written", extra={
                "account_id": account_id, "conference_id": conference_id, "error": str(error)})
            return None

    def started(self, account_id, conference_id, instance_id, node, started_at):
        self._update(account_id, conference_id,
                     status_doc.start_run(instance_id, node, started_at))

    def ended(self, account_id, conference_id, instance_id, ended_at, end_reason):
        self._update(account_id, conference_id,
                     status_doc.end_run(instance_id, ended_at, end_reason))

    def left(self, account_id, conference_id, payload):
        self._update(account_id, conference_id,
                     status_doc.add_left(left_entry(payload), self.recent))

    def run_field(self, account_id, conference_id, instance_id, field, value):
        self._update(account_id, conference_id,
                     status_doc.run_field(instance_id, field, value))

    def flagged(self, account_id, conference_id):
        return status_doc.flagged_calls(self.load(account_id, conference_id))

    def forget(self, account_id, conference_id):
        try:
            status_doc.remove(self.store, account_id, conference_id)
        except (KzError, ValueError):
            pass
