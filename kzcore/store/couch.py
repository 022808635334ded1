"""CouchDB backend on the ``CouchDB`` Python client (module ``couchdb``, 1.2).

The client quotes every path segment (``account/ab/cd`` -> ``account%2Fab%2Fcd``),
so Kazoo's slash database names work. ``Server[name]`` costs a HEAD request, so
databases are addressed as ``Database(resource(name))`` directly. ``_find`` can
only sort with a matching index, so sorting is done client-side with the same
``mango.sort_docs`` the embedded store uses; CouchDB's default ``_find`` limit
(25) is overridden and results are paged with bookmarks. Rules CouchDB and
pouchdb-server disagree on (database names, DELETE without rev) are checked
client-side so both servers behave like CouchDB. No defect of the client itself
was found (slashes, 409s, attachments, gevent all check out); pouchdb-server's
own quirks are handled here (500 instead of 409 on a stale-rev attachment
delete; CouchDB 3 itself answers 404 there when that revision lacked the attachment) or in tests/support/couch.py (it strips "/" from database names, so
``a/b`` and ``ab`` are one database there, unlike CouchDB).
"""
import contextlib
import http.client
import logging

import couchdb
from couchdb import http as couch_http

from kzcore.errors import (BadRequest, Conflict, DatabaseMissing, NotFound,
                           StoreUnavailable)
from kzcore.store import docs as docrules
from kzcore.store import mango
from kzcore.store.base import Store

log = logging.getLogger(__name__)

FIND_PAGE = 10000


def _is_db_missing(error):
    """A 404 caused by a missing database (CouchDB: "Database does not exist.",
    pouchdb-server: "no_db_file") rather than a missing document."""
    reason = error.args[0][1] if error.args and isinstance(error.args[0], tuple) else ""
    return "database" in str(reason).lower() or reason == "no_db_file"


@contextlib.contextmanager
def translate_errors(db, doc_id=None):
    """Map the client's exceptions to kzcore.errors."""
    where = {"db": db, "id": doc_id} if doc_id is not None else {"db": db}
    try:
        yield
    except couch_http.ResourceNotFound as error:
        if _is_db_missing(error):
            raise DatabaseMissing(f"database {db} does not exist", where) from error
        raise NotFound(f"document {doc_id} not found", where) from error
    except couch_http.ResourceConflict as error:
        raise Conflict("document update conflict", where) from error
    except couch_http.PreconditionFailed as error:
        raise BadRequest(str(error.args[0]), where) from error
    except (couch_http.Unauthorized, couch_http.Forbidden) as error:
        raise StoreUnavailable(f"CouchDB refused access: {error.args[0]}", where) from error
    except couch_http.ServerError as error:
        status, detail = error.args[0]
        if 400 <= status < 500:
            raise BadRequest(f"CouchDB: {detail}", where) from error
        raise StoreUnavailable(f"CouchDB answered {status}: {detail}", where) from error
    except (OSError, http.client.HTTPException, couch_http.RedirectLimit) as error:
        log.warning("couchdb unreachable", extra={"db": db, "error": repr(error)})
        raise StoreUnavailable(f"CouchDB unreachable: {error!r}", where) from error


def doc_path(doc_id):
    """URL segments of a document: ``_design/x`` keeps its slash, others are one segment."""
    if doc_id.startswith(("_design/", "_local/")):
        return doc_id.split("/", 1)
    return [doc_id]


class CouchStore(Store):
    def __init__(self, url, user="", password="", timeout=10.0, account_dbs_on_write=True):
        """``account_dbs_on_write=False``: a save never creates an ``account/...``
        database (kzcore.store.docs.created_on_write)."""
        self.url = url
        self.account_dbs_on_write = account_dbs_on_write
        session = couch_http.Session(timeout=timeout)
        self._server = couchdb.Server(url, session=session)
        if user:
            self._server.resource.credentials = (user, password)

    def _db(self, db):
        return couchdb.Database(self._server.resource(db), db)

    # --- databases ---------------------------------------------------------
    def db_exists(self, db):
        with translate_errors(db):
            try:
                self._server.resource.head(db)
                return True
            except couch_http.ResourceNotFound:
                return False

    def create_db(self, db):
        docrules.check_db_name(db)
        with translate_errors(db):
            try:
                self._server.resource.put_json(db)
            except couch_http.PreconditionFailed:
                pass  # file_exists: already there

    def delete_db(self, db):
        with translate_errors(db):
            try:
                self._server.resource.delete_json(db)
            except couch_http.ResourceNotFound:
                pass

    # --- documents ---------------------------------------------------------
    def get(self, db, doc_id):
        with translate_errors(db, doc_id):
            return dict(self._db(db)[doc_id])

    def save(self, db, doc):
        docrules.check_db_name(db)
        doc_id, _body, _attachments = docrules.split_doc(doc)
        payload = {key: value for key, value in doc.items() if key != "_rev"}
        payload["_id"] = doc_id
        if doc.get("_rev"):
            payload["_rev"] = doc["_rev"]
        with translate_errors(db, doc_id):
            try:
                _, rev = self._db(db).save(dict(payload))
            except couch_http.ResourceNotFound as error:
                if not _is_db_missing(error):
                    raise
                if not docrules.created_on_write(db, self.account_dbs_on_write):
                    raise DatabaseMissing(f"database {db} does not exist", {"db": db}) \
                        from error
                self.create_db(db)
                _, rev = self._db(db).save(dict(payload))
        return {**doc, "_id": doc_id, "_rev": rev}

    def delete(self, db, doc_id, rev):
        with translate_errors(db, doc_id):
            if not rev:
                self._db(db).resource.head(*doc_path(doc_id))
                raise Conflict("document update conflict", {"db": db, "id": doc_id})
            _, _, data = self._db(db).resource(*doc_path(doc_id)).delete_json(rev=rev)
            return data["rev"]

    def all_docs(self, db, start_key=None, limit=None):
        docs, skip = [], 0
        while limit is None or len(docs) < limit:
            wanted = None if limit is None else limit - len(docs)
            rows = self._all_docs_page(db, start_key, wanted, skip)
            docs.extend(row["doc"] for row in rows if not row["id"].startswith("_design/"))
            if wanted is None or len(rows) < wanted or not rows:
                break
            start_key, skip = rows[-1]["id"], 1
        return docs

    def _all_docs_page(self, db, start_key, limit, skip):
        options = {"include_docs": True, "skip": skip or None, "limit": limit}
        if start_key is not None:
            options["startkey"] = start_key
        options = {key: value for key, value in options.items() if value is not None}
        with translate_errors(db):
            try:
                view = self._db(db).view("_all_docs", **options)
                return [{"id": row.id, "doc": dict(row.doc)} for row in view]
            except couch_http.ResourceNotFound:
                return []

    def find(self, db, selector, limit=None, sort=None):
        if sort or limit is None:
            return mango.select(self._find_all(db, selector), {}, limit=limit, sort=sort)
        return mango.select(self._find_page(db, {"selector": selector, "limit": limit})[0],
                            {}, limit=limit)

    def _find_all(self, db, selector):
        query, found = {"selector": selector, "limit": FIND_PAGE}, []
        while True:
            docs, bookmark = self._find_page(db, query)
            found.extend(docs)
            if len(docs) < FIND_PAGE:
                return found
            if not bookmark:
                log.warning("find truncated: server gives no bookmark",
                            extra={"db": db, "count": len(found)})
                return found
            query = {**query, "bookmark": bookmark}

    def _find_page(self, db, query):
        with translate_errors(db):
            try:
                _, _, data = self._db(db).resource.post_json("_find", body=query)
            except couch_http.ResourceNotFound:
                return [], None
        docs = [doc for doc in data.get("docs", []) if not doc["_id"].startswith("_design/")]
        return docs, data.get("bookmark")

    # --- attachments -------------------------------------------------------
    def put_attachment(self, db, doc_id, rev, name, content, content_type):
        doc = {"_id": doc_id, "_rev": rev}
        with translate_errors(db, doc_id):
            self._db(db).put_attachment(doc, bytes(content), name, content_type)
        return doc["_rev"]

    def get_attachment(self, db, doc_id, name):
        with translate_errors(db, doc_id):
            resource = self._db(db).resource(*doc_path(doc_id), name)
            _, headers, body = resource.get()
            content = body.read()
        return content, headers.get("content-type", "application/octet-stream")

    def delete_attachment(self, db, doc_id, rev, name):
        doc = {"_id": doc_id, "_rev": rev}
        with translate_errors(db, doc_id):
            try:
                self._db(db).delete_attachment(doc, name)
            except (couch_http.ServerError, couch_http.ResourceNotFound):
                # A stale rev is a conflict, as on a document. CouchDB 3 answers 404
                # "Document is missing attachment" when that older revision had no such
                # attachment; pouchdb-server answers 500 in some cases.
                if self._current_rev(db, doc_id) != rev:
                    raise Conflict("document update conflict", {"db": db, "id": doc_id})
                raise
        return doc["_rev"]

    def _current_rev(self, db, doc_id):
        _, headers, _ = self._db(db).resource.head(*doc_path(doc_id))
        return headers.get("etag", "").strip('"')

    def close(self):
        pool = self._server.resource.session.connection_pool
        with pool.lock:
            idle = [conn for conns in pool.conns.values() for conn in conns]
            pool.conns.clear()
        for conn in idle:
            conn.close()
