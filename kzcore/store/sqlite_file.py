"""The embedded store's SQLite file: tables, connection set-up (WAL, the
indexed ``pvt_type`` column) and row helpers (pure or taking a connection)."""
import json
import os
import sqlite3

from kzcore import private_paths
from kzcore.errors import BadRequest
from kzcore.store import docs as docrules
from kzcore.store import field_index, mango

try:  # optional: decodes stored bodies about twice as fast as json.loads
    import orjson
except ImportError:  # pragma: no cover - the stdlib decoder is exact too
    orjson = None


def decode(text):
    """``json.loads`` of a stored body; orjson when present, with json.loads for
    what orjson refuses (integers beyond 64 bits, lone surrogates, NaN)."""
    if orjson is not None:
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass
    return json.loads(text)


def encode(body, doc_id):
    """The stored JSON text; like CouchDB, NaN and Infinity are refused (400)."""
    try:
        return json.dumps(body, allow_nan=False)
    except ValueError as error:
        raise BadRequest(f"invalid JSON in document: {error}", {"id": doc_id}) from error

SCHEMA = """
CREATE TABLE IF NOT EXISTS dbs (name TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS docs (
    db TEXT NOT NULL, id TEXT NOT NULL, rev TEXT NOT NULL, deleted INTEGER NOT NULL,
    body TEXT NOT NULL, stubs TEXT, PRIMARY KEY (db, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS attachments (
    db TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, data BLOB NOT NULL,
    PRIMARY KEY (db, id, name)) WITHOUT ROWID;
"""


def connect(path):
    if path != ":memory:":
        _private_files(path)
    conn = sqlite3.connect(path, timeout=30.0, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 30000")
    if path != ":memory:":
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    conn.executescript(SCHEMA)
    migrate(conn)
    return conn


def _private_files(path):
    """The store's directory 0700 if we make it, the file 0600 (SQLite creates
    its -wal and -shm with the database file's mode; older ones are tightened)."""
    private_paths.private_dirs(os.path.dirname(os.path.abspath(path)))
    private_paths.private_file(path)
    for suffix in ("-wal", "-shm"):
        private_paths.tighten(path + suffix)


# Files made before the indexes get them on open (ALTER TABLE may only add
# a VIRTUAL generated column); BEGIN IMMEDIATE makes the check-and-add atomic
# between processes opening the same file.
TYPE_COLUMN = ("ALTER TABLE docs ADD COLUMN pvt_type TEXT "
                "GENERATED ALWAYS AS (json_extract(body, '$.pvt_type')) VIRTUAL")
TYPE_INDEX = "CREATE INDEX IF NOT EXISTS docs_by_type ON docs (db, pvt_type, id) WHERE deleted = 0"


def migrate(conn):
    """The indexed ``pvt_type`` column and the array index (find() pushes
    selectors to them), added to files made before them."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        if "pvt_type" not in {row[1] for row in conn.execute("PRAGMA table_xinfo(docs)")}:
            conn.execute(TYPE_COLUMN)
        conn.execute(TYPE_INDEX)
        field_index.create(conn, decode)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")



def current(conn, db, doc_id):
    return conn.execute("SELECT rev, deleted, body, stubs FROM docs WHERE db = ? AND id = ?",
                        (db, doc_id)).fetchone()


def matching(cursor, selector, limit):
    """Decode rows in ``_id`` order, keeping Mango matches, up to ``limit``."""
    found = []
    while rows := cursor.fetchmany(256 if limit is None else limit - len(found)):
        for row in rows:
            doc = assemble(*row)
            if mango.matches(doc, selector):
                found.append(doc)
                if limit is not None and len(found) >= limit:
                    return found
    return found


def assemble(doc_id, rev, _deleted, body, stubs):
    doc = {"_id": doc_id, "_rev": rev, **decode(body)}
    if stubs:
        doc["_attachments"] = {name: {**stub, "stub": True}
                               for name, stub in json.loads(stubs).items()}
    return doc


def load_stubs(text):
    return json.loads(text) if text else {}


def dump_stubs(stubs):
    return json.dumps(stubs) if stubs else None


def store_attachment(conn, db, doc_id, name, content):
    conn.execute("INSERT OR REPLACE INTO attachments VALUES (?, ?, ?, ?)",
                 (db, doc_id, name, sqlite3.Binary(content)))


def update_rev_and_stubs(conn, db, doc_id, rev, stubs):
    conn.execute("UPDATE docs SET rev = ?, stubs = ? WHERE db = ? AND id = ?",
                 (rev, dump_stubs(stubs), db, doc_id))


def merge_attachments(conn, db, doc_id, current, attachments, new_rev):
    """Apply a saved doc's ``_attachments``: stubs keep, inline data replaces,
    anything not listed is removed (CouchDB drops attachments an update omits)."""
    old = load_stubs(current[3]) if current and not current[1] else {}
    stubs = {}
    for name, spec in (attachments or {}).items():
        if spec.get("stub"):
            if name not in old:
                raise BadRequest(f"missing attachment stub {name}", {"id": doc_id})
            stubs[name] = old[name]
        else:
            content, content_type = docrules.inline_attachment(name, spec)
            stubs[name] = docrules.stub_for(content, content_type, new_rev)
            store_attachment(conn, db, doc_id, name, content)
    for name in set(old) - set(stubs):
        conn.execute("DELETE FROM attachments WHERE db = ? AND id = ? AND name = ?",
                     (db, doc_id, name))
    return stubs
