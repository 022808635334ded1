"""Transcripts (crossbar side): the conference ``transcribe`` action (``start`` /
``stop``, ``language``), ``transcribe: true`` on a recording start, and the job for
the ``kz-transcribe`` worker (``transcribe/``) once the tracks are stopped.

A transcript document (``pvt_type: transcript``) holds ``conference_id``,
``language``, ``engine``, ``status`` (``recording`` while its tracks are being made,
then ``queued``, ``running``, ``ready`` or ``failed`` with ``error``), ``progress``
(``done`` / ``total`` tracks), ``conference_started`` (Unix seconds: segment times are
relative to it) and, when ready, ``segments``: ``start``, ``end``, ``participant``
(``participant_id``, ``call_id``, ``caller_id_name``, ``caller_id_number``),
``text``, ``confidence``. Each participant's track is transcribed on its own: that
is who said it.
"""
import logging

from crossbar import documents
from kzcore.errors import Conflict, NotFound, ValidationFailed
from kzcore.naming import account_db, new_id

log = logging.getLogger(__name__)
PVT_TYPE = "transcript"
JOB_ROUTING_KEY = "transcribe.job"


def languages(config):
    return [name.strip().lower() for name in config.transcribe_languages.split(",") if name.strip()]


def public(doc):
    return documents.public_view(doc)


class Transcripts:
    def __init__(self, live, parts):
        self.live, self.parts, self.store = live, parts, live.store
        self.languages = languages(parts.config)

    def language(self, requested):
        """The language to transcribe in: the request's if configured (else a 400),
        or the first configured one."""
        if requested is None:
            return self.languages[0]
        if str(requested).lower() not in self.languages:
            raise ValidationFailed(data={"language": {"enum": {
                "message": "Value not found in enumerated list of values",
                "target": self.languages, "value": requested}}})
        return str(requested).lower()

    def create(self, located, language):
        conference = located.conference or {}
        now = round(self.live.clock(), 3)
        doc = {"_id": new_id(), "conference_id": located.conference_id, "language": language,
               "engine": self.parts.config.transcribe_engine, "status": "recording",
               "conference_started": round(now - int(conference.get("run_time") or 0), 3),
               "created": now, "progress": {"done": 0, "total": 0}, "segments": [],
               **documents.new_private(located.account_id, PVT_TYPE)}
        return public(self.store.save(account_db(located.account_id), doc))

    def action(self, ctx, live, account_id, conference, params):
        """The conference ``transcribe`` action: ``(data, 202)``."""
        conference_id = conference if isinstance(conference, str) else conference["_id"]
        if params["action"] == "stop":
            ended = self.parts.participants.end_session(account_id, conference_id)
            if ended is None or not ended.get("transcript_id"):
                raise Conflict("the conference is not being transcribed",
                               {"conference_id": conference_id})
            return {"transcript": public(self.load(account_id, conference_id,
                                                   ended["transcript_id"])),
                    "recordings": ended["recordings"]}, 202
        language = self.language(params.get("language"))
        located = live.running(account_id, conference)
        return self.parts.participants.start_session(
            ctx, located, transcript=self.create(located, language)), 202

    def queue(self, account_id, conference_id, transcript_id):
        """The tracks are stopped: hand the transcript to the worker."""
        db = account_db(account_id)
        doc = self.store.get(db, transcript_id)
        doc.update(status="queued", queued=round(self.live.clock(), 3))
        self.store.save(db, documents.touched(doc))
        job = {"account_id": account_id, "conference_id": conference_id,
               "transcript_id": transcript_id}
        if not self.parts.publish("transcribe-job", account_id, conference_id, job,
                                  routing_key=JOB_ROUTING_KEY):
            log.warning("no event bus: transcript not queued", extra=job)
        log.info("transcript queued", extra=job)

    # --- reading ----------------------------------------------------------------------
    def list(self, account_id, conference_id):
        found = self.store.find(account_db(account_id),
                                {"pvt_type": PVT_TYPE, "conference_id": conference_id})
        return sorted((public(doc) for doc in found), key=lambda doc: doc.get("created", 0))

    def load(self, account_id, conference_id, transcript_id):
        doc = self.store.get_or_none(account_db(account_id), transcript_id) \
            if transcript_id and not transcript_id.startswith("_") else None
        if doc is None or doc.get("pvt_type") != PVT_TYPE \
                or doc.get("conference_id") != conference_id:
            raise NotFound("bad identifier", {"cause": transcript_id})
        return doc
