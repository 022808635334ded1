"""A live participant as the API shows it (DESIGN.md section 3, seed 002's
``_read_only.participants``), read from one ``conference json_list`` member.

The source is a ``live_member``: the json_list member, its conference, the node it
runs on, the clock, and a dialled member's ``(name, number)`` (crossbar.live
.identities) or None. FreeSWITCH's json_list gives ``join_time`` as seconds *since*
joining: the API's ``join_time`` is the Unix epoch second of joining and
``duration`` the seconds since. While a member is on hold json_list lists it as
neither speaking nor hearing, and so do ``speak`` / ``hear``. json_list has no
current energy: ``current_energy`` is None here (member events carry it).
"""
from marshmallow import RAISE, Schema, fields

from kzcore import lifecycle
from kzcore.representations.fields import Flag, IntOrId, integer, text


def live_member(member, conference, node, now, identity=None):
    """The source of one participant (a dict: marshmallow reads dicts fastest)."""
    return {"member": member, "conference": conference, "node": node, "now": now,
            "identity": identity}


def _flag(name, default=False):
    return Flag(attribute=f"member.flags.{name}", dump_default=default, required=True)


class ParticipantSchema(Schema):
    class Meta:
        unknown = RAISE

    participant_id = IntOrId(attribute="member.id", required=True)
    call_id = text(attribute="member.uuid", dump_default=None, required=True)
    caller_id_name = fields.Method("_caller_id_name", deserialize="_text", allow_none=True,
                                   required=True)
    caller_id_number = fields.Method("_caller_id_number", deserialize="_text", allow_none=True,
                                     required=True)
    is_moderator = _flag("is_moderator")
    speak = _flag("can_speak", True)
    hear = _flag("can_hear", True)
    talking = _flag("talking")
    floor = _flag("has_floor")
    mute_detect = _flag("mute_detect")
    video = _flag("has_video")
    is_held = _flag("hold")
    state = fields.Method("_state", deserialize="_text", required=True)
    energy_level = integer(attribute="member.energy", dump_default=0, required=True)
    current_energy = integer(attribute="member.current_energy", dump_default=None,
                             required=True)
    join_time = fields.Method("_join_time", deserialize="_integer", required=True)
    duration = fields.Method("_since", deserialize="_integer", required=True)
    conference_name = text(attribute="conference.conference_name", dump_default=None,
                           required=True)
    conference_uuid = text(attribute="conference.conference_uuid", dump_default=None,
                           required=True)
    switch_hostname = text(attribute="node", required=True)

    @staticmethod
    def _since(source):
        return int(source["member"].get("join_time") or 0)

    def _join_time(self, source):
        return int(source["now"]) - self._since(source)

    @staticmethod
    def _caller_id(source):
        member = source["member"]
        return source["identity"] or (member.get("caller_id_name"), member.get("caller_id_number"))

    def _caller_id_name(self, source):
        return self._caller_id(source)[0]

    def _caller_id_number(self, source):
        return self._caller_id(source)[1]

    @staticmethod
    def _state(source):
        held = (source["member"].get("flags") or {}).get("hold")
        return lifecycle.ON_HOLD if held else lifecycle.JOINED

    @staticmethod
    def _text(value):
        return fields.String(allow_none=True).deserialize(value)

    @staticmethod
    def _integer(value):
        return fields.Integer(strict=True).deserialize(value)


PARTICIPANT = ParticipantSchema()


def participant(member, conference, node, now, identity=None):
    """The API's participant object of one json_list member."""
    return PARTICIPANT.dump(live_member(member, conference, node, now, identity))
