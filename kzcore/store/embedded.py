"""Embedded document store on stdlib sqlite3 with CouchDB semantics.

One row per document (JSON body, current rev, attachment stubs) plus a table of
attachment bytes. Deleted documents stay as tombstones so a re-created document
continues the revision sequence, as in CouchDB. Like CouchDB, an update that
omits ``_attachments`` drops the document's attachments; listing the stubs
keeps them. The file may be shared by several processes (WAL, busy timeout,
``BEGIN IMMEDIATE`` writes); one lock serialises greenlets/threads. ``find``
narrows rows in SQL (kzcore.store.sql_prefilter: the ``pvt_type`` column index
and kzcore.store.field_index) before the exact Mango match.
"""
import logging
import threading

from kzcore.errors import BadRequest, Conflict, DatabaseMissing, NotFound
from kzcore.store import docs as docrules
from kzcore.store import field_index, mango, sql_prefilter
from kzcore.store import sqlite_file
from kzcore.store.base import Store

log = logging.getLogger(__name__)

class EmbeddedStore(Store):
    # find() with a top-level pvt_type equality reads only that type's rows, in
    # _id order, by index (crossbar's lists use it to page one document type)
    type_indexed = True

    def __init__(self, path=":memory:", account_dbs_on_write=True):
        """``account_dbs_on_write=False``: a save never creates an ``account/...``
        database (kzcore.store.docs.created_on_write)."""
        self.path = path
        self.account_dbs_on_write = account_dbs_on_write
        self._conn = sqlite_file.connect(path)
        self._lock = threading.RLock()

    # --- plumbing ----------------------------------------------------------
    def _read(self, sql, args=()):
        with self._lock:
            return self._conn.execute(sql, args).fetchall()

    def _write(self, work):
        """Run ``work(conn)`` in one immediate transaction."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                result = work(self._conn)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
            return result

    def _require_db(self, db):
        if not self.db_exists(db):
            raise DatabaseMissing(f"database {db} does not exist", {"db": db})

    # --- databases ---------------------------------------------------------
    def db_exists(self, db):
        return bool(self._read("SELECT 1 FROM dbs WHERE name = ?", (db,)))

    def create_db(self, db):
        docrules.check_db_name(db)
        self._write(lambda conn: conn.execute("INSERT OR IGNORE INTO dbs VALUES (?)", (db,)))

    def delete_db(self, db):
        def work(conn):
            for table, column in (("dbs", "name"), ("docs", "db"), ("attachments", "db"),
                                  ("field_values", "db")):
                conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (db,))
        self._write(work)

    def list_dbs(self):
        return [row[0] for row in self._read("SELECT name FROM dbs ORDER BY name")]

    # --- documents ---------------------------------------------------------
    def get(self, db, doc_id):
        rows = self._read("SELECT rev, deleted, body, stubs FROM docs WHERE db = ? AND id = ?",
                          (db, doc_id))
        if not rows or rows[0][1]:
            if not rows:
                self._require_db(db)
            raise NotFound(f"document {doc_id} not found", {"db": db, "id": doc_id})
        return sqlite_file.assemble(doc_id, *rows[0])

    def save(self, db, doc):
        docrules.check_db_name(db)
        doc_id, body, attachments = docrules.split_doc(doc)
        if doc.get("_deleted"):
            return {**doc, "_id": doc_id, "_rev": self.delete(db, doc_id, doc.get("_rev"))}
        text = sqlite_file.encode(body, doc_id)  # outside the write transaction
        saved = self._write(lambda conn: self._save_in(conn, db, doc_id, doc.get("_rev"),
                                                       (body, text), attachments))
        return {**doc, "_id": doc_id, "_rev": saved}

    def _save_in(self, conn, db, doc_id, rev, encoded, attachments):
        body, text = encoded
        if docrules.created_on_write(db, self.account_dbs_on_write):
            conn.execute("INSERT OR IGNORE INTO dbs VALUES (?)", (db,))
        elif not conn.execute("SELECT 1 FROM dbs WHERE name = ?", (db,)).fetchone():
            raise DatabaseMissing(f"database {db} does not exist", {"db": db})
        current = sqlite_file.current(conn, db, doc_id)
        new_rev = docrules.next_rev(current, rev, doc_id)
        stubs = sqlite_file.merge_attachments(conn, db, doc_id, current, attachments, new_rev)
        conn.execute("INSERT OR REPLACE INTO docs VALUES (?, ?, ?, 0, ?, ?)",
                     (db, doc_id, new_rev, text, sqlite_file.dump_stubs(stubs)))
        # a tombstone's entries were dropped by delete(); a live doc's are its body's
        previous = sqlite_file.decode(current[2]) if current and not current[1] else {}
        field_index.replace(conn, db, doc_id, body, previous)
        return new_rev

    def delete(self, db, doc_id, rev):
        def work(conn):
            current = self._live(conn, db, doc_id, rev)
            new_rev = docrules.bump(current[0])
            conn.execute("UPDATE docs SET rev = ?, deleted = 1, body = '{}', stubs = NULL "
                         "WHERE db = ? AND id = ?", (new_rev, db, doc_id))
            conn.execute("DELETE FROM attachments WHERE db = ? AND id = ?", (db, doc_id))
            field_index.replace(conn, db, doc_id, {}, sqlite_file.decode(current[2]))
            return new_rev
        return self._write(work)

    def _live(self, conn, db, doc_id, rev):
        """The (rev, deleted, body, stubs) row of a live doc whose rev is ``rev``."""
        current = sqlite_file.current(conn, db, doc_id)
        if current is None or current[1]:
            if current is None and not conn.execute(
                    "SELECT 1 FROM dbs WHERE name = ?", (db,)).fetchone():
                raise DatabaseMissing(f"database {db} does not exist", {"db": db})
            raise NotFound(f"document {doc_id} not found", {"db": db, "id": doc_id})
        if rev != current[0]:
            raise Conflict("document update conflict", {"db": db, "id": doc_id})
        return current

    def _live_or_created(self, conn, db, doc_id, rev):
        """Like ``_live``, but without a rev a missing doc is created empty first
        (CouchDB creates the document when an attachment is put without rev)."""
        current = sqlite_file.current(conn, db, doc_id)
        if rev is None and (current is None or current[1]) and \
                conn.execute("SELECT 1 FROM dbs WHERE name = ?", (db,)).fetchone():
            return (current[0] if current else None), 0, "{}", None
        return self._live(conn, db, doc_id, rev)

    def all_docs(self, db, start_key=None, limit=None):
        sql = "SELECT id, rev, deleted, body, stubs FROM docs WHERE db = ? AND deleted = 0"
        args = [db]
        if start_key is not None:
            sql += " AND id >= ?"
            args.append(start_key)
        sql += " AND NOT (id >= '_design/' AND id < '_design0') ORDER BY id"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(int(limit))
        return [sqlite_file.assemble(row[0], *row[1:]) for row in self._read(sql, args)]

    def find(self, db, selector, limit=None, sort=None):
        """SQLite narrows the rows (sql_prefilter: a superset of the matches, by
        index where it can); the exact Mango match runs on those, and without a
        sort reading stops once ``limit`` documents matched."""
        where, args, by_type = sql_prefilter.prefilter(selector, db)
        index = " INDEXED BY docs_by_type" if by_type else ""
        sql = (f"SELECT id, rev, deleted, body, stubs FROM docs{index} WHERE db = ?"
               " AND deleted = 0"
               " AND NOT (id >= '_design/' AND id < '_design0')"
               + (f" AND {where}" if where else "") + " ORDER BY id")
        try:
            lazy = limit if not sort and isinstance(limit, int) and limit > 0 else None
            with self._lock:
                found = sqlite_file.matching(self._conn.execute(sql, [db, *args]), selector, lazy)
            if sort:
                found = mango.sort_docs(found, sort)
            return found if limit is None else found[:limit]
        except (ValueError, TypeError, AttributeError) as error:
            raise BadRequest(f"invalid selector: {error}", {"selector": selector}) from error

    # --- attachments -------------------------------------------------------
    def put_attachment(self, db, doc_id, rev, name, content, content_type):
        content = bytes(content)

        def work(conn):
            current = self._live_or_created(conn, db, doc_id, rev)
            new_rev = docrules.bump(current[0])
            stubs = sqlite_file.load_stubs(current[3])
            stubs[name] = docrules.stub_for(content, content_type, new_rev)
            sqlite_file.store_attachment(conn, db, doc_id, name, content)
            conn.execute("INSERT OR REPLACE INTO docs VALUES (?, ?, ?, 0, ?, ?)",
                         (db, doc_id, new_rev, current[2], sqlite_file.dump_stubs(stubs)))
            return new_rev
        return self._write(work)

    def get_attachment(self, db, doc_id, name):
        doc = self.get(db, doc_id)
        stub = doc.get("_attachments", {}).get(name)
        rows = self._read("SELECT data FROM attachments WHERE db = ? AND id = ? AND name = ?",
                          (db, doc_id, name))
        if stub is None or not rows:
            raise NotFound(f"attachment {name} not found", {"db": db, "id": doc_id})
        return bytes(rows[0][0]), stub["content_type"]

    def delete_attachment(self, db, doc_id, rev, name):
        def work(conn):
            current = self._live(conn, db, doc_id, rev)
            stubs = sqlite_file.load_stubs(current[3])
            if name not in stubs:
                raise NotFound(f"attachment {name} not found", {"db": db, "id": doc_id})
            del stubs[name]
            new_rev = docrules.bump(current[0])
            conn.execute("DELETE FROM attachments WHERE db = ? AND id = ? AND name = ?",
                         (db, doc_id, name))
            sqlite_file.update_rev_and_stubs(conn, db, doc_id, new_rev, stubs)
            return new_rev
        return self._write(work)

    def close(self):
        with self._lock:
            self._conn.close()
