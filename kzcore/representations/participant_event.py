"""ecallmgr's participant event (AMQP ``conference.event.{conference_id}.{call_id}``):
seed 002's example field for field, plus ``account_id`` (DESIGN.md section 3), plus
what a few member actions say beyond the member block (``moved_from`` /
``moved_to`` of a transfer, ``hold``, ``digits``, ``volume_level``).

ecallmgr builds these payloads itself on its hot path (ecallmgr.normalize, see
bench/representations.py for why) and its tests hold every one to this schema.
"""
from marshmallow import RAISE, Schema, fields

from kzcore.representations.envelope import envelope_fields
from kzcore.representations.fields import Flag, integer, text

EVENT_NAME = "participant_event"


def _flag():
    return Flag(required=True)


class ParticipantEventSchema(Schema.from_dict({
    "custom_channel_vars": fields.Dict(keys=fields.String(), required=True),
    "channel_presence_id": text(required=True),
    "caller_id_number": text(required=True),
    "caller_id_name": text(required=True),
    "mute_detect": _flag(),
    "video": _flag(),
    "energy_level": integer(required=True),
    "current_energy": integer(required=True),
    "talking": _flag(),
    "speak": _flag(),
    "hear": _flag(),
    "floor": _flag(),
    "participant_id": integer(required=True),
    "instance_id": text(required=True),
    "conference_id": fields.String(required=True),
    "focus": text(required=True),
    "call_id": text(required=True),
    **envelope_fields(EVENT_NAME),
    "account_id": fields.String(required=True),
    # per action (ecallmgr.normalize.member_details)
    "moved_from": text(), "moved_to": text(),
    "hold": Flag(),
    "digits": text(),
    "volume_level": integer(),
})):
    class Meta:
        unknown = RAISE


PARTICIPANT_EVENT = ParticipantEventSchema()
SEED_FIELDS = tuple(name for name, field in PARTICIPANT_EVENT.fields.items()
                    if field.required and name != "account_id")
