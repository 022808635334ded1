"""The embedded store's index of the strings held in documents' fields.

``find`` turns string equality (``{"account_id": "..."}``) and
``{"field": {"$elemMatch": {"$in": [strings]}}}`` (the numbers-in-use check of
conferences, ``pvt_tree`` lookups) into lookups in this table instead of
reading every document. Indexed: string values and the strings in arrays at
the top level and one object level down (``member.numbers``), including the
strings of lists inside those arrays, because Mango's ``$in`` also matches an
item that is a list holding the value. Scalars and array items share a path,
so a lookup may return a few documents too many: the exact Mango match runs on
the documents found, so the index only has to hold a superset. Strings longer
than ``MAX_VALUE`` are not indexed (and not looked up here).
"""
import functools
import json

MAX_VALUE = 256
TABLE = ("CREATE TABLE IF NOT EXISTS field_values (db TEXT NOT NULL, path TEXT NOT NULL, "
         "value TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (db, path, value, id)) WITHOUT ROWID")


def path_key(names):
    """The stored form of a field path (a JSON list: names may hold dots)."""
    return _path_key(tuple(names))


@functools.lru_cache(maxsize=4096)
def _path_key(names):
    return json.dumps(list(names))


def indexed(names, value):
    """True when documents holding ``value`` at this path are all in the index."""
    return 1 <= len(names) <= 2 and indexable(value)


def indexable(value):
    if type(value) is not str or len(value) > MAX_VALUE:
        return False
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def field_strings(body):
    """``{(path_key, value)}`` for the indexed strings of ``body`` (runs on every
    save, hence the type tests by hand)."""
    found = set()
    for name, value in body.items():
        if name == "pvt_type":  # a column of its own (kzcore.store.sqlite_file)
            continue
        if type(value) is dict:
            for sub, inner in value.items():
                if type(inner) is str or (type(inner) is list and inner):
                    _collect(found, (name, sub), inner)
        elif type(value) is str or (type(value) is list and value):
            _collect(found, (name,), value)
    return found


def _collect(found, path, value):
    if type(value) is str:
        values = (value,)
    else:
        values = [v for item in value for v in (item if type(item) is list else (item,))]
    key = None
    for text in values:
        if indexable(text):
            key = key or _path_key(path)
            found.add((key, text))


def replace(conn, db, doc_id, body, old_body):
    """Index ``body`` in place of ``old_body`` (``{}`` for none): only the
    differences are written, by primary key (no second index to maintain)."""
    new, old = field_strings(body), field_strings(old_body)
    if old - new:
        conn.executemany("DELETE FROM field_values WHERE db = ? AND path = ? AND value = ? "
                         "AND id = ?", [(db, k, v, doc_id) for k, v in old - new])
    if new - old:
        conn.executemany("INSERT OR IGNORE INTO field_values VALUES (?, ?, ?, ?)",
                         [(db, k, v, doc_id) for k, v in new - old])


def create(conn, decode):
    """Create the table; a file made before it gets every live document indexed.
    Runs inside the caller's write transaction."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                    "name = 'field_values'").fetchone():
        return
    conn.execute("DROP TABLE IF EXISTS array_values")  # this index's first form
    conn.execute(TABLE)
    for db, doc_id, body in conn.execute(
            "SELECT db, id, body FROM docs WHERE deleted = 0").fetchall():
        replace(conn, db, doc_id, decode(body), {})
