"""Where finished recordings are kept (``KZ_RECORDINGS_STORAGE``).

``directory``: the file stays where the switch wrote it, under ``recordings_dir``
(per account / conference / participant). ``store``: once the recording stopped its
file becomes an attachment of the recording's document (CouchDB or the embedded
store) and the file is removed. Either way a file is only ever read from inside the
recordings directory.
"""
import logging
import os

from crossbar.recordings.docs import FORMATS
from kzcore.errors import NotFound
from kzcore.naming import account_db

log = logging.getLogger(__name__)
KINDS = ("directory", "store")


class RecordingStorage:
    def __init__(self, store, kind, root):
        if kind not in KINDS:
            raise ValueError(f"recordings_storage must be one of {KINDS}, not {kind!r}")
        self.store, self.kind, self.root = store, kind, os.path.realpath(root)

    def inside(self, path):
        """The real path if it lies inside the recordings directory, else None."""
        real = os.path.realpath(path or "")
        return real if real.startswith(self.root + os.sep) else None

    def keep(self, account_id, doc):
        """A stopped recording's file put where the configuration says; the saved doc."""
        db, path = account_db(account_id), self.inside(doc.get("path"))
        if self.kind == "directory" or path is None or not os.path.isfile(path):
            return self.store.save(db, {**doc, "storage": "directory"})
        saved = self.store.save(db, {**doc, "storage": "store"})
        with open(path, "rb") as handle:
            content = handle.read()
        rev = self.store.put_attachment(db, saved["_id"], saved["_rev"], saved["name"], content,
                                        FORMATS.get(saved.get("format"), "audio/wav"))
        os.remove(path)
        log.info("recording kept in the store", extra={"account_id": account_id,
                                                       "recording_id": saved["_id"],
                                                       "size": len(content)})
        return {**saved, "_rev": rev}

    def content(self, account_id, doc):
        """``("file", real path)`` or ``("bytes", data)``; NotFound when there is none."""
        if doc.get("storage") == "store":
            data, _ = self.store.get_attachment(account_db(account_id), doc["_id"], doc["name"])
            return "bytes", data
        path = self.inside(doc.get("path"))
        if path is None or not os.path.isfile(path):
            raise NotFound("recording file is not available", {"cause": doc["_id"]})
        return "file", path

    def remove(self, account_id, doc):
        """Delete the recording's file and its document (attachments go with it)."""
        path = self.inside(doc.get("path"))
        if path is not None and os.path.isfile(path):
            os.remove(path)
        self.store.delete(account_db(account_id), doc["_id"], doc["_rev"])
