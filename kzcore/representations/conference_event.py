"""ecallmgr's room event (AMQP ``conference.event.{conference_id}.conference``,
``event_name: "conference_event"``) and the recording events published under the
same name: the room's (``recording-started`` ... on the room key) and one
participant's (RECORD_START / RECORD_STOP, on the participant's key).

Every event has the room, the switch and the envelope; the rest depends on the
action (ecallmgr.normalize.room_details, ecallmgr.recording_events). A header
FreeSWITCH sent in an unexpected form is passed on as its text (normalize's
converters fall back), hence the ``Raw`` fields beside the typed ones. Recordings
are named (``recording_id``, ``name``), never by their path on the server.
"""
from marshmallow import RAISE, Schema, fields

from kzcore.representations.envelope import envelope_fields
from kzcore.representations.fields import integer, text

EVENT_NAME = "conference_event"


def _int_or_text():
    return fields.Raw(allow_none=True)


class ConferenceEventSchema(Schema.from_dict({
    "conference_id": fields.String(required=True),
    "account_id": fields.String(required=True),
    "instance_id": text(),
    "focus": text(required=True),
    # the room (normalize.conference_payload; not on a participant's recording)
    "conference_size": integer(),
    "locked": fields.Boolean(allow_none=True),
    "recording": fields.Boolean(allow_none=True),
    # what the action's headers say (normalize.room_details)
    "file": text(), "async": fields.Raw(), "text": text(), "result": text(),
    "job_uuid": text(), "call_id": text(),
    "milliseconds_elapsed": _int_or_text(), "record_file_size": _int_or_text(),
    "other_recordings": fields.Raw(),
    "old_participant_id": _int_or_text(), "new_participant_id": _int_or_text(),
    "seconds": _int_or_text(), "milliseconds": _int_or_text(), "error": text(),
    # recordings (ecallmgr.recording_events)
    "recording_id": text(), "name": text(), "reason": text(),
    "participant_id": integer(), "caller_id_name": text(), "caller_id_number": text(),
    "completion_cause": text(),
    **envelope_fields(EVENT_NAME),
})):
    class Meta:
        unknown = RAISE


CONFERENCE_EVENT = ConferenceEventSchema()
