"""CouchDB document rules shared by the store backends (pure functions):
database names, reserved ``_`` members, revisions and attachment stubs."""
import base64
import hashlib
import os
import re

from kzcore.errors import BadRequest, Conflict

# CouchDB's rule for database names (slashes allowed: Kazoo's account/ab/cd/...).
DB_NAME = re.compile(r"^[a-z][a-z0-9_$()+/-]*$")
# Top-level members CouchDB accepts on a document; any other ``_x`` is a 400.
SPECIAL_MEMBERS = {"_id", "_rev", "_attachments", "_deleted", "_conflicts", "_revisions",
                   "_revs_info", "_deleted_conflicts", "_local_seq"}


ACCOUNT_DB_PREFIX = "account/"


def created_on_write(db, account_dbs_on_write=True):
    """Whether a write into the missing database ``db`` creates it. A store made
    with ``account_dbs_on_write=False`` (the product's, kzcore.store.factory)
    never creates a Kazoo account database (``account/...``) that way: those
    exist from their account's creation (an explicit ``create_db``) until its
    deletion, so no write can bring back a deleted account's database."""
    return account_dbs_on_write or not db.startswith(ACCOUNT_DB_PREFIX)


def check_db_name(db):
    if not isinstance(db, str) or not DB_NAME.fullmatch(db):
        raise BadRequest(f"illegal database name {db!r}", {"db": db})


def new_doc_id():
    return os.urandom(16).hex()


def check_doc_id(doc_id):
    if not isinstance(doc_id, str) or not doc_id:
        raise BadRequest("document id must be a non-empty string", {"id": doc_id})
    if doc_id.startswith("_") and not doc_id.startswith(("_design/", "_local/")):
        raise BadRequest("only reserved document ids may start with underscore",
                         {"id": doc_id})


def split_doc(doc):
    """``doc`` -> ``(doc_id, body, attachments)``: body holds the plain members."""
    unknown = [key for key in doc if key.startswith("_") and key not in SPECIAL_MEMBERS]
    if unknown:
        raise BadRequest(f"bad special document member {unknown[0]}", {"member": unknown[0]})
    doc_id = doc.get("_id") or new_doc_id()
    check_doc_id(doc_id)
    body = {key: value for key, value in doc.items() if not key.startswith("_")}
    return doc_id, body, doc.get("_attachments")


def rev_number(rev):
    return int(rev.split("-", 1)[0])


def bump(rev=None):
    """The revision after ``rev`` (``1-...`` for a new document)."""
    return f"{rev_number(rev) + 1 if rev else 1}-{os.urandom(16).hex()}"


def next_rev(current, rev, doc_id):
    """The new revision for a save given the stored ``(rev, deleted, ...)`` row.
    A live doc needs its current rev; a deleted one accepts none or its tombstone's."""
    if current is None:
        if rev:
            raise Conflict("document update conflict", {"id": doc_id})
        return bump()
    current_rev, deleted = current[0], current[1]
    if rev == current_rev or (deleted and not rev):
        return bump(current_rev)
    raise Conflict("document update conflict", {"id": doc_id})


def digest(content):
    return "md5-" + base64.b64encode(hashlib.md5(content).digest()).decode("ascii")


def stub_for(content, content_type, rev):
    """The stored attachment stub (without ``stub: true``)."""
    return {"content_type": content_type, "revpos": rev_number(rev),
            "digest": digest(content), "length": len(content)}


def inline_attachment(name, spec):
    """An inline ``{"content_type", "data": base64}`` attachment -> (bytes, type)."""
    try:
        content = base64.b64decode(spec["data"], validate=True)
    except (KeyError, TypeError, ValueError):
        raise BadRequest(f"attachment {name} needs base64 data or stub: true", {"name": name})
    return content, spec.get("content_type") or "application/octet-stream"
