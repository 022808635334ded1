"""Media documents; the audio itself is one attachment of the document."""
import base64
import logging

from crossbar import documents
from crossbar.media import audio
from crossbar.resource import AccountDocuments
from kzcore.errors import BadRequest, NotFound
from kzcore.naming import account_db

log = logging.getLogger(__name__)

LIST_FIELDS = ("name", "description", "media_source", "language", "is_prompt",
               "content_type", "content_length", "streamable")


def attachment_name(content_type):
    return "media" + audio.EXTENSIONS.get(content_type, ".bin")


def audio_attachment(doc):
    """The name of the document's audio attachment, or None before any upload."""
    names = list((doc.get("_attachments") or {}).keys())
    if doc.get("pvt_media_attachment") in names:
        return doc["pvt_media_attachment"]
    return names[0] if names else None


class MediaService(AccountDocuments):
    pvt_type = "media"
    schema_id = "media"

    def summarize(self, doc):
        entry = {"id": doc["_id"]}
        entry.update({key: doc[key] for key in LIST_FIELDS if key in doc})
        return entry

    def store_raw(self, account_id, media_id, content, content_type):
        """Replace the media's audio with ``content`` in one document write;
        ``content_type``: the declared type, None when the upload named none."""
        if not content:
            raise BadRequest("media upload is empty")
        content_type = audio.upload_type(content_type, content)
        existing = self.load(account_id, media_id)
        name = attachment_name(content_type)
        doc = {**existing, "content_type": content_type, "content_length": len(content),
               "media_source": existing.get("media_source") or "upload",
               "pvt_media_attachment": name,
               "_attachments": {name: {"content_type": content_type,
                                       "data": base64.b64encode(content).decode("ascii")}}}
        saved = self.store.save(account_db(account_id), documents.touched(doc))
        log.info("media uploaded", extra={"account_id": account_id, "media_id": media_id,
                                          "bytes": len(content), "content_type": content_type})
        return saved

    def raw(self, account_id, media_id):
        """``(bytes, stored content_type, attachment_name)``; NotFound if no audio yet.
        The stored type is as it was saved: serve it through ``audio.download_headers``."""
        doc = self.load(account_id, media_id)
        name = audio_attachment(doc)
        if name is None:
            raise NotFound("media has no audio uploaded", {"cause": media_id})
        content, content_type = self.store.get_attachment(account_db(account_id), media_id, name)
        return content, content_type, name
