"""CRUD of one document type inside an account database (users, devices,
media, conferences share it; each resource's service subclasses it)."""
import logging

from crossbar import documents, listing
from kzcore.errors import Conflict, NotFound
from kzcore.naming import account_db, new_id

log = logging.getLogger(__name__)


class AccountDocuments:
    pvt_type = None     # e.g. "user"
    schema_id = None    # e.g. "users"

    def __init__(self, store, schemas):
        self.store = store
        self.schemas = schemas

    # --- hooks for subclasses -------------------------------------------------
    def before_validate(self, account_id, data, existing):
        """Adjust client data before schema validation (``existing`` is None on create)."""
        return data

    def after_validate(self, account_id, doc_id, doc, existing):
        """Checks needing the store; returns extra private fields to store."""
        return {}

    def after_save(self, account_id, saved):
        """Called with each saved document (create, update, patch)."""

    def after_delete(self, account_id, deleted):
        """Called with each deleted document."""

    def db_name(self, account_id):
        return account_db(account_id)

    def summarize(self, doc):
        """One list entry (Kazoo's list view of the document)."""
        return documents.public_view(doc)

    # --- operations -------------------------------------------------------
    def load(self, account_id, doc_id):
        if not doc_id or doc_id.startswith("_"):
            raise NotFound("bad identifier", {"cause": doc_id})
        try:
            doc = self.store.get(self.db_name(account_id), doc_id)
        except NotFound:
            raise NotFound("bad identifier", {"cause": doc_id}) from None
        if doc.get("pvt_type") != self.pvt_type or doc.get("pvt_deleted"):
            raise NotFound("bad identifier", {"cause": doc_id})
        return doc

    def list(self, account_id, args):
        """``(summaries, page_fields)`` honouring Kazoo filters and pagination."""
        docs, start_key, next_key = self.page_of_docs(account_id, args)
        items = self.summarize_all(account_id, docs)
        return items, listing.page_fields(items, start_key, next_key)

    def page_of_docs(self, account_id, args, also=None):
        """``(docs, start_key, next_start_key)``: the stored documents of one list
        page (``also(doc)``: a further condition a listed document must meet)."""
        page_size, start_key = listing.page_request(args)
        filters = listing.filters_from(args)
        db = self.db_name(account_id)

        def keep(doc):
            return doc.get("pvt_type") == self.pvt_type and not doc.get("pvt_deleted") \
                and listing.doc_passes(doc, filters) and (also is None or also(doc))

        fetch, typed = self._page_fetch(db)
        docs, next_key = listing.collect_page(
            fetch, keep, page_size, start_key,
            batch=listing.batch_size(page_size, filters, typed=typed))
        return docs, start_key, next_key

    def _page_fetch(self, db):
        """``(fetch(start_key, limit) -> docs in _id order, only_this_type)``. A store
        with an indexed ``pvt_type`` (``type_indexed``: the embedded one) reads only
        this type's rows; elsewhere a type-filtered find may scan the whole
        database per page, so all documents are walked instead."""
        if not getattr(self.store, "type_indexed", False):
            return (lambda key, limit: self.store.all_docs(db, start_key=key, limit=limit)), False

        def fetch(key, limit):
            selector = {"pvt_type": self.pvt_type}
            if key is not None:
                selector["_id"] = {"$gte": key}
            return self.store.find(db, selector, limit=limit)
        return fetch, True

    def summarize_all(self, account_id, docs):
        return [self.summarize(doc) for doc in docs]

    def create(self, account_id, data):
        clean, _rev = documents.client_data(data)
        doc_id = new_id()
        doc = self._validated(account_id, doc_id, clean, None)
        doc.update(documents.new_private(account_id, self.pvt_type), _id=doc_id)
        saved = self.store.save(self.db_name(account_id), doc)
        self.after_save(account_id, saved)
        log.info("document created", extra={"account_id": account_id, "doc_id": doc_id,
                                            "pvt_type": self.pvt_type})
        return saved

    def update(self, account_id, doc_id, data, if_match=None):
        """POST: the request replaces the document's public fields."""
        existing = self.load(account_id, doc_id)
        clean, rev = documents.client_data(data)
        return self._replace(account_id, existing, clean, if_match or rev)

    def patch(self, account_id, doc_id, data, if_match=None):
        """PATCH: the request is merged into the document's public fields."""
        existing = self.load(account_id, doc_id)
        clean, rev = documents.client_data(data)
        current = documents.public_view(existing)
        current.pop("id", None)
        return self._replace(account_id, existing, documents.deep_merge(current, clean),
                             if_match or rev)

    def delete(self, account_id, doc_id, if_match=None):
        existing = self.load(account_id, doc_id)
        _check_revision(existing, if_match)
        self.store.delete(self.db_name(account_id), doc_id, existing["_rev"])
        self.after_delete(account_id, existing)
        log.info("document deleted", extra={"account_id": account_id, "doc_id": doc_id,
                                            "pvt_type": self.pvt_type})
        return existing

    # --- internals --------------------------------------------------------
    def _validated(self, account_id, doc_id, clean, existing):
        prepared = self.before_validate(account_id, clean, existing)
        doc = self.schemas.validate(self.schema_id, prepared)
        extras = self.after_validate(account_id, doc_id, doc, existing)
        return {**doc, **extras}

    def _replace(self, account_id, existing, clean, claimed_rev):
        _check_revision(existing, claimed_rev)
        doc = self._validated(account_id, existing["_id"], clean, existing)
        private = documents.touched(documents.private_fields(existing))
        private.update({k: v for k, v in doc.items() if documents.is_private(k)})
        public = {k: v for k, v in doc.items() if not documents.is_private(k)}
        saved = self.store.save(self.db_name(account_id), {**public, **private})
        self.after_save(account_id, saved)
        return saved


def _check_revision(existing, claimed_rev):
    """A client that names a revision must hold the current one (409 otherwise)."""
    if claimed_rev and claimed_rev != existing["_rev"]:
        raise Conflict("conflicting document revision",
                       {"cause": "stale revision", "rev": claimed_rev})
