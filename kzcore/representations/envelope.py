"""The Kazoo envelope every ecallmgr event ends with (seed 002's example):
``event`` (FreeSWITCH's action, or the product's recording name), ``node``,
``msg_id``, ``event_name``, ``event_category``, ``app_version``, ``app_name``,
``routing_key`` (the same word as ``event_name``)."""
from marshmallow import fields, validate

EVENT_CATEGORY = "conference"
APP_NAME = "ecallmgr"


def envelope_fields(event_name):
    """The envelope's fields for events named ``event_name`` (``participant_event``
    or ``conference_event``)."""
    return {
        "event": fields.String(required=True),
        "node": fields.String(required=True),
        "msg_id": fields.String(required=True),
        "event_name": fields.String(required=True, validate=validate.Equal(event_name)),
        "event_category": fields.String(required=True, validate=validate.Equal(EVENT_CATEGORY)),
        "app_version": fields.String(required=True),
        "app_name": fields.String(required=True, validate=validate.Equal(APP_NAME)),
        "routing_key": fields.String(required=True, validate=validate.Equal(event_name)),
    }
