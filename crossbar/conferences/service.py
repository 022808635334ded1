"""Conference documents: Kazoo schema, numbers unique within the account,
lists and documents enriched with live counts."""
from crossbar import documents
from crossbar.conferences import numbers, realtime
from crossbar.resource import AccountDocuments
from kzcore import conference_numbers
from kzcore.errors import NotFound, ValidationFailed

LIST_FIELDS = ("name", "owner_id", "member", "moderator", "conference_numbers")


class ConferencesService(AccountDocuments):
    pvt_type = "conference"
    schema_id = "conferences"

    def __init__(self, store, schemas, live=None):
        super().__init__(store, schemas)
        self.live = live

    def after_validate(self, account_id, doc_id, doc, existing):
        wanted = numbers.all_numbers(doc)
        if wanted:
            others = [other for other in self.store.find(self.db_name(account_id),
                                                         numbers.selector_using(wanted))
                      if other["_id"] != doc_id]
            clashes = numbers.collisions(doc, others)
            if clashes:
                raise ValidationFailed(data=numbers.numbers_in_use_error(clashes))
        return {}

    def after_save(self, account_id, saved):
        """Keep the dialled-number index (read by the call-in service) in step."""
        conference_numbers.index(self.store, account_id, saved["_id"],
                                 numbers.all_numbers(saved))

    def after_delete(self, account_id, deleted):
        conference_numbers.unindex(self.store, account_id, deleted["_id"])

    def summarize_all(self, account_id, docs):
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
        view["_read_only"] = realtime.read_only(self.live, account_id, doc["_id"])
        return view

    def load_or_id(self, account_id, conference_id):
        """The stored conference, or its id when there is no document (dynamic)."""
        try:
            return self.load(account_id, conference_id)
        except NotFound:
            return conference_id
