"""Conference documents: Kazoo schema, dialled numbers unique system-wide
(one (account, conference) per number, through the global number index),
lists and documents enriched with live counts."""
import logging
import time

from crossbar import documents, listing
from crossbar.conferences import doc_events, dynamic_docs, focus, numbers, realtime
from crossbar.lifecycle.read_only import lifecycle_view
from crossbar.resource import AccountDocuments
from kzcore import conference_numbers
from kzcore.config import SETTINGS
from kzcore.lifecycle import status_doc
from kzcore.errors import NotFound, ValidationFailed

log = logging.getLogger(__name__)

LIST_FIELDS = ("name", "owner_id", "member", "moderator", "conference_numbers")


class ConferencesService(AccountDocuments):
    pvt_type = "conference"
    schema_id = "conferences"

    def __init__(self, store, schemas, live=None, max_numbers=None, events=None):
        """``max_numbers``: numbers per account (KZ_MAX_NUMBERS_PER_ACCOUNT, 0 = no
        cap); by default the live part's configuration says (the dial path builds
        this service with ``(store, schemas, live)``), else the setting's default."""
        super().__init__(store, schemas)
        self.live = live
        if max_numbers is None:
            max_numbers = getattr(getattr(live, "config", None), "max_numbers_per_account",
                                  SETTINGS["max_numbers_per_account"][1])
        self.max_numbers = max_numbers
        self.events = events        # doc_events.DocumentEvents, or None
        self._claimed = []  # index entries this save created or took over

    def after_validate(self, account_id, doc_id, doc, existing):
        focus.check_document_focus(self.live, doc)   # a configured node (issue 18)
        wanted = numbers.all_numbers(doc)
        if wanted:
            self._check_account_limit(account_id, doc_id, wanted)
            self._check_account_numbers(account_id, doc_id, doc, wanted)
            self._claim_numbers(account_id, doc_id, doc, wanted)
        return {}

    def _check_account_limit(self, account_id, doc_id, wanted):
        if not self.max_numbers:
            return
        total = len(wanted) + conference_numbers.held_by_account(self.store, account_id, doc_id)
        if total > self.max_numbers:
            log.info("conference numbers over the account limit", extra={
                "account_id": account_id, "limit": self.max_numbers, "total": total})
            raise ValidationFailed(data=numbers.account_limit_error(self.max_numbers, total))

    def _check_account_numbers(self, account_id, doc_id, doc, wanted):
        others = [other for other in self.store.find(self.db_name(account_id),
                                                     numbers.selector_using(wanted))
                  if other["_id"] != doc_id]
        clashes = numbers.collisions(doc, others)
        if clashes:
            raise ValidationFailed(data=numbers.numbers_in_use_error(clashes))

    def checked_new(self, account_id, doc_id, data):
        """The document ``create_with_id`` would save, validated and its numbers
        checked (in the account and system-wide), without saving or claiming."""
        doc = self.schemas.validate(self.schema_id, self.before_validate(account_id, data, None))
        wanted = numbers.all_numbers(doc)
        if wanted:
            self._check_account_numbers(account_id, doc_id, doc, wanted)
            held = [n for n in wanted if _held_elsewhere(self.store, n, account_id, doc_id)]
            if held:
                clashes = numbers.collisions(doc, [{"conference_numbers": held}])
                raise ValidationFailed(data=numbers.numbers_in_use_error(clashes))
        return doc

    def _claim_numbers(self, account_id, doc_id, doc, wanted):
        """Create-only index entries, before the document is saved: of two
        racing writers the store's Conflict lets only one hold a number."""
        refused = set()
        for number in conference_numbers.cooperative(sorted(n for n in wanted if n.isdigit())):
            outcome, _ = conference_numbers.claim(self.store, number, account_id, doc_id,
                                                    pending=True)
            if outcome == conference_numbers.REFUSED:
                refused.add(number)
            elif outcome != conference_numbers.OURS:
                self._claimed.append((number, account_id, doc_id))
        if refused:
            log.info("numbers held by another conference", extra={
                "account_id": account_id, "conference_id": doc_id, "numbers": sorted(refused)})
            self._release_claims()
            clashes = numbers.collisions(doc, [{"conference_numbers": sorted(refused)}])
            raise ValidationFailed(data=numbers.numbers_in_use_error(clashes))

    def _release_claims(self):
        claimed, self._claimed = self._claimed, []
        for number, account_id, doc_id in claimed:
            conference_numbers.release(self.store, number, account_id, doc_id)

    def create(self, account_id, data):
        saved = self._rolling_back_claims(super().create, account_id, data)
        self._announce(doc_events.CREATED, account_id, saved)
        return saved

    def _replace(self, account_id, existing, clean, claimed_rev):
        saved = self._rolling_back_claims(super()._replace, account_id, existing, clean,
                                          claimed_rev)
        self._announce(doc_events.EDITED, account_id, saved)
        return saved

    def delete(self, account_id, doc_id, if_match=None):
        deleted = super().delete(account_id, doc_id, if_match)
        self._announce(doc_events.DELETED, account_id, deleted)
        return deleted

    def _announce(self, action, account_id, doc):
        """The document event of a write that succeeded (see doc_events)."""
        if self.events is not None:
            self.events.publish(action, account_id, doc)

    def create_with_id(self, account_id, doc_id, data, private=None):
        """A conference document under a chosen id (a dynamic conference started
        by ``dial``): validated, numbers checked and indexed like any other."""
        def save():
            doc = self._validated(account_id, doc_id, data, None)
            doc.update(documents.new_private(account_id, self.pvt_type), **(private or {}))
            doc["_id"] = doc_id
            saved = self.store.save(self.db_name(account_id), doc)
            self.after_save(account_id, saved)
            return saved
        saved = self._rolling_back_claims(save)
        self._announce(doc_events.CREATED, account_id, saved)
        return saved

    def _rolling_back_claims(self, save, *args):
        """Run a save; if it fails after numbers were claimed, give them back."""
        self._claimed = []
        try:
            return save(*args)
        except BaseException:
            self._release_claims()
            raise
        finally:
            self._claimed = []

    def after_save(self, account_id, saved):
        """Keep the dialled-number index (read by the call-in service) in step."""
        self._claimed = []
        conference_numbers.index(self.store, account_id, saved["_id"],
                                 numbers.all_numbers(saved))

    def after_delete(self, account_id, deleted):
        conference_numbers.unindex(self.store, account_id, deleted["_id"])
        status_doc.remove(self.store, account_id, deleted["_id"])   # its lifecycle record

    def list(self, account_id, args):
        """Kazoo's list, with live counts; a dynamic conference (a dial into an id
        with no document) is listed only while its room runs."""
        states = realtime.list_counts(self.live, account_id)
        unknown = bool(getattr(states, "unreachable_nodes", None))
        docs, start_key, next_key = self.page_of_docs(
            account_id, args, also=lambda doc: dynamic_docs.listed(doc, states, unknown))
        items = self.summarize_all(account_id, docs, states)
        return items, listing.page_fields(items, start_key, next_key)

    def summarize_all(self, account_id, docs, states=None):
        if states is None:
            states = realtime.list_counts(self.live, account_id)
        items = []
        for doc in docs:
            entry = {"id": doc["_id"]}
            entry.update({key: doc[key] for key in LIST_FIELDS if key in doc})
            entry.update(realtime.counts_for(states, doc["_id"]))
            items.append(entry)
        return items

    def with_read_only(self, account_id, doc):
        """The client's view of one conference, with its live ``_read_only`` part."""
        view = documents.public_view(doc)
        view["_read_only"] = live_state = realtime.read_only(self.live, account_id, doc["_id"])
        live_state.update(lifecycle_view(self.store, account_id, doc["_id"], live_state,
                                         getattr(self.live, "clock", time.time)()))
        return view

    def load_or_id(self, account_id, conference_id):
        """The stored conference, or its id when there is no document (dynamic)."""
        try:
            return self.load(account_id, conference_id)
        except NotFound:
            return conference_id


def _held_elsewhere(store, number, account_id, conference_id):
    entry = conference_numbers.lookup(store, number)
    return bool(entry) and not conference_numbers.owned_by(entry, account_id, conference_id) \
        and conference_numbers.still_holds(store, entry)
