"""Media documents; the audio itself is one attachment of the document."""
import base64
import logging
import mimetypes

from crossbar import documents
from crossbar.resource import AccountDocuments
from kzcore.errors import BadRequest, NotFound
from kzcore.naming import account_db

log = logging.getLogger(__name__)

LIST_FIELDS = ("name", "description", "media_source", "language", "is_prompt",
               "content_type", "content_length", "streamable")
EXTENSIONS = {"audio/mpeg": ".mp3", "audio/mp3": ".mp3", "audio/wav": ".wav",
              "audio/x-wav": ".wav", "audio/wave": ".wav", "audio/ogg": ".ogg"}


def attachment_name(content_type):
    base = content_type.split(";", 1)[0].strip().lower()
    return "media" + (EXTENSIONS.get(base) or mimetypes.guess_extension(base) or ".bin")


def check_audio_type(content_type):
    base = (content_type or "").split(";", 1)[0].strip().lower()
    if not base.startswith("audio/") or any(ch in base for ch in " \r\n\"'{}"):
        raise BadRequest("media upload needs an audio/* Content-Type",
                         {"content_type": {"type": {"message": "expected audio/*",
                                                    "value": content_type}}})
    return base


class MediaService(AccountDocuments):
    pvt_type = "media"
    schema_id = "media"

    def summarize(self, doc):
        entry = {"id": doc["_id"]}
        entry.update({key: doc[key] for key in LIST_FIELDS if key in doc})
        return entry

    def store_raw(self, account_id, media_id, content, content_type):
        """Replace the media's audio with ``content`` in one document write."""
        if not content:
            raise BadRequest("media upload is empty")
        content_type = check_audio_type(content_type)
        existing = self.load(account_id, media_id)
        name = attachment_name(content_type)
        doc = {**existing, "content_type": content_type, "content_length": len(content),
               "media_source": existing.get("media_source") or "upload",
               "pvt_media_attachment": name,
               "_attachments": {name: {"content_type": content_type,
                                       "data": base64.b64encode(content).decode("ascii")}}}
        saved = self.store.save(account_db(account_id), documents.touched(doc))
        log.info("media uploaded", extra={"account_id": account_id, "media_id": media_id,
                                          "bytes": len(content)})
        return saved

    def raw(self, account_id, media_id):
        """``(bytes, content_type, attachment_name)``; NotFound if no audio yet."""
        doc = self.load(account_id, media_id)
        names = list((doc.get("_attachments") or {}).keys())
        name = doc.get("pvt_media_attachment") if doc.get("pvt_media_attachment") in names \
            else (names[0] if names else None)
        if name is None:
            raise NotFound("media has no audio uploaded", {"cause": media_id})
        content, content_type = self.store.get_attachment(account_db(account_id), media_id, name)
        return content, content_type, name
