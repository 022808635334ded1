"""Embedded document store on stdlib sqlite3 with CouchDB semantics.

One row per document (JSON body, current rev, attachment stubs) plus a table of
attachment bytes. Deleted documents stay as tombstones so a re-created document
continues the revision sequence, as in CouchDB. Like CouchDB, an update that
omits ``_attachments`` drops the document's attachments; listing the stubs
keeps them. The file may be shared by several processes (WAL, busy timeout,
``BEGIN IMMEDIATE`` writes); one lock serialises greenlets/threads.
"""
import json
import logging
import os
import sqlite3
import threading

from kzcore.errors import BadRequest, Conflict, DatabaseMissing, NotFound
from kzcore.store import docs as docrules
from kzcore.store import mango, sql_prefilter
from kzcore.store.base import Store

log = logging.getLogger(__name__)

try:  # optional: decodes stored bodies about twice as fast as json.loads
    import orjson
except ImportError:  # pragma: no cover - the stdlib decoder is exact too
    orjson = None


def _decode(text):
    """``json.loads`` of a stored body; orjson when present, with json.loads for
    what orjson refuses (integers beyond 64 bits, lone surrogates, NaN)."""
    if orjson is not None:
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass
    return json.loads(text)


def _encode(body, doc_id):
    """The stored JSON text; like CouchDB, NaN and Infinity are refused (400)."""
    try:
        return json.dumps(body, allow_nan=False)
    except ValueError as error:
        raise BadRequest(f"invalid JSON in document: {error}", {"id": doc_id}) from error

_SCHEMA = """
CREATE TABLE IF NOT EXISTS dbs (name TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS docs (
    db TEXT NOT NULL, id TEXT NOT NULL, rev TEXT NOT NULL, deleted INTEGER NOT NULL,
    body TEXT NOT NULL, stubs TEXT, PRIMARY KEY (db, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS attachments (
    db TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, data BLOB NOT NULL,
    PRIMARY KEY (db, id, name)) WITHOUT ROWID;
"""


def _connect(path):
    if path != ":memory:":
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    conn = sqlite3.connect(path, timeout=30.0, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 30000")
    if path != ":memory:":
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    conn.executescript(_SCHEMA)
    _add_type_index(conn)
    return conn


# Files made before the index get the column on open (ALTER TABLE may only add
# a VIRTUAL generated column); BEGIN IMMEDIATE makes the check-and-add atomic
# between processes opening the same file.
_TYPE_COLUMN = ("ALTER TABLE docs ADD COLUMN pvt_type TEXT "
                "GENERATED ALWAYS AS (json_extract(body, '$.pvt_type')) VIRTUAL")
_TYPE_INDEX = "CREATE INDEX IF NOT EXISTS docs_by_type ON docs (db, pvt_type, id) WHERE deleted = 0"


def _add_type_index(conn):
    """The indexed ``pvt_type`` column (find() pushes ``pvt_type`` equality to it)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        if "pvt_type" not in {row[1] for row in conn.execute("PRAGMA table_xinfo(docs)")}:
            conn.execute(_TYPE_COLUMN)
        conn.execute(_TYPE_INDEX)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


class EmbeddedStore(Store):
    # find() with a top-level pvt_type equality reads only that type's rows, in
    # _id order, by index (crossbar's lists use it to page one document type)
    type_indexed = True

    def __init__(self, path=":memory:"):
        self.path = path
        self._conn = _connect(path)
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
            for table, column in (("dbs", "name"), ("docs", "db"), ("attachments", "db")):
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
        return _assemble(doc_id, *rows[0])

    def save(self, db, doc):
        docrules.check_db_name(db)
        doc_id, body, attachments = docrules.split_doc(doc)
        if doc.get("_deleted"):
            return {**doc, "_id": doc_id, "_rev": self.delete(db, doc_id, doc.get("_rev"))}
        text = _encode(body, doc_id)  # outside the write transaction
        saved = self._write(lambda conn: self._save_in(conn, db, doc_id, doc.get("_rev"),
                                                       text, attachments))
        return {**doc, "_id": doc_id, "_rev": saved}

    def _save_in(self, conn, db, doc_id, rev, text, attachments):
        conn.execute("INSERT OR IGNORE INTO dbs VALUES (?)", (db,))
        current = _current(conn, db, doc_id)
        new_rev = docrules.next_rev(current, rev, doc_id)
        stubs = _merge_attachments(conn, db, doc_id, current, attachments, new_rev)
        conn.execute("INSERT OR REPLACE INTO docs VALUES (?, ?, ?, 0, ?, ?)",
                     (db, doc_id, new_rev, text, _dump_stubs(stubs)))
        return new_rev

    def delete(self, db, doc_id, rev):
        def work(conn):
            current = self._live(conn, db, doc_id, rev)
            new_rev = docrules.bump(current[0])
            conn.execute("UPDATE docs SET rev = ?, deleted = 1, body = '{}', stubs = NULL "
                         "WHERE db = ? AND id = ?", (new_rev, db, doc_id))
            conn.execute("DELETE FROM attachments WHERE db = ? AND id = ?", (db, doc_id))
            return new_rev
        return self._write(work)

    def _live(self, conn, db, doc_id, rev):
        """The (rev, deleted, body, stubs) row of a live doc whose rev is ``rev``."""
        current = _current(conn, db, doc_id)
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
        current = _current(conn, db, doc_id)
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
        return [_assemble(row[0], *row[1:]) for row in self._read(sql, args)]

    def find(self, db, selector, limit=None, sort=None):
        """SQLite narrows the rows (sql_prefilter: a superset of the matches, by
        index where it can); the exact Mango match runs on those, and without a
        sort reading stops once ``limit`` documents matched."""
        where, args, by_type = sql_prefilter.prefilter(selector)
        index = " INDEXED BY docs_by_type" if by_type else ""
        sql = (f"SELECT id, rev, deleted, body, stubs FROM docs{index} WHERE db = ?"
               " AND deleted = 0"
               " AND NOT (id >= '_design/' AND id < '_design0')"
               + (f" AND {where}" if where else "") + " ORDER BY id")
        try:
            lazy = limit if not sort and isinstance(limit, int) and limit > 0 else None
            with self._lock:
                found = _matching(self._conn.execute(sql, [db, *args]), selector, lazy)
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
            stubs = _load_stubs(current[3])
            stubs[name] = docrules.stub_for(content, content_type, new_rev)
            _store_attachment(conn, db, doc_id, name, content)
            conn.execute("INSERT OR REPLACE INTO docs VALUES (?, ?, ?, 0, ?, ?)",
                         (db, doc_id, new_rev, current[2], _dump_stubs(stubs)))
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
            stubs = _load_stubs(current[3])
            if name not in stubs:
                raise NotFound(f"attachment {name} not found", {"db": db, "id": doc_id})
            del stubs[name]
            new_rev = docrules.bump(current[0])
            conn.execute("DELETE FROM attachments WHERE db = ? AND id = ? AND name = ?",
                         (db, doc_id, name))
            _update_rev_and_stubs(conn, db, doc_id, new_rev, stubs)
            return new_rev
        return self._write(work)

    def close(self):
        with self._lock:
            self._conn.close()


# --- row helpers ------------------------------------------------------------

def _current(conn, db, doc_id):
    return conn.execute("SELECT rev, deleted, body, stubs FROM docs WHERE db = ? AND id = ?",
                        (db, doc_id)).fetchone()


def _matching(cursor, selector, limit):
    """Decode rows in ``_id`` order, keeping Mango matches, up to ``limit``."""
    found = []
    while rows := cursor.fetchmany(256 if limit is None else limit - len(found)):
        for row in rows:
            doc = _assemble(*row)
            if mango.matches(doc, selector):
                found.append(doc)
                if limit is not None and len(found) >= limit:
                    return found
    return found


def _assemble(doc_id, rev, _deleted, body, stubs):
    doc = {"_id": doc_id, "_rev": rev, **_decode(body)}
    if stubs:
        doc["_attachments"] = {name: {**stub, "stub": True}
                               for name, stub in json.loads(stubs).items()}
    return doc


def _load_stubs(text):
    return json.loads(text) if text else {}


def _dump_stubs(stubs):
    return json.dumps(stubs) if stubs else None


def _store_attachment(conn, db, doc_id, name, content):
    conn.execute("INSERT OR REPLACE INTO attachments VALUES (?, ?, ?, ?)",
                 (db, doc_id, name, sqlite3.Binary(content)))


def _update_rev_and_stubs(conn, db, doc_id, rev, stubs):
    conn.execute("UPDATE docs SET rev = ?, stubs = ? WHERE db = ? AND id = ?",
                 (rev, _dump_stubs(stubs), db, doc_id))


def _merge_attachments(conn, db, doc_id, current, attachments, new_rev):
    """Apply a saved doc's ``_attachments``: stubs keep, inline data replaces,
    anything not listed is removed (CouchDB drops attachments an update omits)."""
    old = _load_stubs(current[3]) if current and not current[1] else {}
    stubs = {}
    for name, spec in (attachments or {}).items():
        if spec.get("stub"):
            if name not in old:
                raise BadRequest(f"missing attachment stub {name}", {"id": doc_id})
            stubs[name] = old[name]
        else:
            content, content_type = docrules.inline_attachment(name, spec)
            stubs[name] = docrules.stub_for(content, content_type, new_rev)
            _store_attachment(conn, db, doc_id, name, content)
    for name in set(old) - set(stubs):
        conn.execute("DELETE FROM attachments WHERE db = ? AND id = ? AND name = ?",
                     (db, doc_id, name))
    return stubs
