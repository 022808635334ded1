"""The document store contract every backend implements (CouchDB semantics).

Documents are dicts with ``_id`` and ``_rev``. Database names may contain
slashes (Kazoo's ``account/ab/cd/...``). Databases are created on first write,
except, in a store made with ``account_dbs_on_write=False`` (the product's:
kzcore.store.factory), account databases (``account/...``): only ``create_db``
makes those, so a write into a deleted account's database fails with
``DatabaseMissing`` instead of recreating it.
Errors: ``NotFound`` (missing doc or attachment), ``DatabaseMissing`` (reading a
database that does not exist), ``Conflict`` (stale or missing ``_rev`` on an
existing doc), ``StoreUnavailable`` (backend unreachable).
"""
import abc


class Store(abc.ABC):
    # --- databases -------------------------------------------------------
    @abc.abstractmethod
    def db_exists(self, db): ...

    @abc.abstractmethod
    def create_db(self, db):
        """Create if missing; no error if it exists."""

    @abc.abstractmethod
    def delete_db(self, db):
        """Delete if present; no error if missing."""

    # --- documents -------------------------------------------------------
    @abc.abstractmethod
    def get(self, db, doc_id):
        """The current document (with ``_id``, ``_rev``, ``_attachments`` stubs)."""

    @abc.abstractmethod
    def save(self, db, doc):
        """Create or update. A new doc without ``_id`` gets a 32-hex id. Updating
        needs the current ``_rev``. Returns the saved doc with its new ``_rev``
        (a new dict; the argument is not mutated). Creates the database."""

    @abc.abstractmethod
    def delete(self, db, doc_id, rev):
        """Delete; ``rev`` must be current (Conflict otherwise)."""

    @abc.abstractmethod
    def all_docs(self, db, start_key=None, limit=None):
        """Documents ordered by ``_id`` starting at ``start_key`` (inclusive),
        excluding design docs. A missing database yields []."""

    @abc.abstractmethod
    def find(self, db, selector, limit=None, sort=None):
        """Mango-style query, ordered by ``_id`` unless ``sort`` (list of field
        names, ascending) is given. Operators: implicit equality on dotted
        fields, ``$eq $ne $gt $gte $lt $lte $in $nin $exists $elemMatch $and
        $or $not $all $size``. A missing database yields []."""

    # --- attachments -----------------------------------------------------
    @abc.abstractmethod
    def put_attachment(self, db, doc_id, rev, name, content, content_type):
        """Attach bytes; returns the document's new ``_rev``."""

    @abc.abstractmethod
    def get_attachment(self, db, doc_id, name):
        """Returns ``(bytes, content_type)``; NotFound if absent."""

    @abc.abstractmethod
    def delete_attachment(self, db, doc_id, rev, name):
        """Returns the document's new ``_rev``."""

    # --- helpers shared by all backends ----------------------------------
    def get_or_none(self, db, doc_id):
        from kzcore.errors import NotFound
        try:
            return self.get(db, doc_id)
        except NotFound:
            return None

    def find_one(self, db, selector):
        found = self.find(db, selector, limit=1)
        return found[0] if found else None

    def close(self):
        """Release connections; default nothing."""
