"""The embedded store's index of the strings held in documents' arrays.

``find`` turns ``{"field": {"$elemMatch": {"$in": [strings]}}}`` (the
numbers-in-use check of conferences, ``pvt_tree`` lookups) into a lookup in
this table instead of parsing every document. Arrays are indexed at the top
level and one object level down (``member.numbers``); the strings of lists
inside those arrays are indexed too, because Mango's ``$in`` also matches an
item that is a list holding the value. The exact Mango match still runs on the
documents found, so the index only has to hold a superset.
"""
import json

TABLE = ("CREATE TABLE IF NOT EXISTS array_values (db TEXT NOT NULL, path TEXT NOT NULL, "
         "value TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (db, path, value, id)) WITHOUT ROWID")
BY_DOC = "CREATE INDEX IF NOT EXISTS array_values_by_doc ON array_values (db, id)"


def path_key(names):
    """The stored form of a field path (a JSON list: names may hold dots)."""
    return json.dumps(list(names))


def indexed_path(names):
    """True for the paths this index covers (one or two names)."""
    return 1 <= len(names) <= 2


def array_strings(body):
    """``{(path_key, value)}`` for the strings in ``body``'s indexed arrays."""
    found = set()
    for name, value in body.items():
        if isinstance(value, list):
            _collect(found, [name], value)
        elif isinstance(value, dict):
            for sub, inner in value.items():
                if isinstance(inner, list):
                    _collect(found, [name, sub], inner)
    return found


def _collect(found, path, items):
    key = path_key(path)
    for item in items:
        for value in item if isinstance(item, list) else (item,):
            if isinstance(value, str) and _encodable(value):
                found.add((key, value))


def _encodable(text):
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def replace(conn, db, doc_id, body):
    """Index ``body`` as the document's current content (``{}`` for none)."""
    conn.execute("DELETE FROM array_values WHERE db = ? AND id = ?", (db, doc_id))
    rows = [(db, key, value, doc_id) for key, value in array_strings(body)]
    if rows:
        conn.executemany("INSERT OR IGNORE INTO array_values VALUES (?, ?, ?, ?)", rows)


def create(conn, decode):
    """Create the table; a file made before it gets every live document indexed.
    Runs inside the caller's write transaction."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                    "name = 'array_values'").fetchone():
        return
    conn.execute(TABLE)
    conn.execute(BY_DOC)
    for db, doc_id, body in conn.execute(
            "SELECT db, id, body FROM docs WHERE deleted = 0").fetchall():
        replace(conn, db, doc_id, decode(body))
