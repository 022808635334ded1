"""Field types the representations share."""
from marshmallow import fields


class Flag(fields.Boolean):
    """A boolean that is never null: Python truthiness of the source value, the way
    the producers always read FreeSWITCH's flags (``bool(flags.get(name, default))``)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return bool(value)


class IntOrId(fields.Raw):
    """A participant id: FreeSWITCH's member id (int), or in a room running on several
    nodes the node-qualified text crossbar.live.split makes of it."""

    default_error_messages = {"invalid": "Not a participant id (integer or node-qualified text)."}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise self.make_error("invalid")
        return value


def text(**kwargs):
    """A string that may be null (FreeSWITCH leaves many headers out)."""
    return fields.String(allow_none=True, **kwargs)


def integer(**kwargs):
    return fields.Integer(allow_none=True, strict=True, **kwargs)
