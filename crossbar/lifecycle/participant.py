"""The ``end_conference_on_exit`` participant action: ``PUT .../participants/{id}``
``{"action": "end_conference_on_exit", "data": {"enabled": true}}`` (default true).

FreeSWITCH's own ``endconf`` member flag cannot be set on a member who has
joined (mod_conference has no command for it) and ends a room without saying
why on its events. So the flag is this system's: the participant's call id is
kept in the conference's status document, and the lifecycle service ends the
room (``end_reason: moderator_left``) when that call leaves. Nothing is sent to
the switch here.
"""
from crossbar.live import state
from kzcore import fs_commands
from kzcore.errors import NotFound
from kzcore.lifecycle import END_ON_EXIT_FLAG, status_doc

ALLOWED = ("enabled", "command_id")


def _enabled(params):
    unknown = sorted(set(params) - set(ALLOWED))
    if unknown:
        raise fs_commands.invalid(unknown[0], "is not a parameter of end_conference_on_exit",
                                  params[unknown[0]])
    enabled = params.get("enabled", True)
    if not isinstance(enabled, bool):
        raise fs_commands.invalid("enabled", "must be true or false", enabled)
    return enabled


def set_end_on_exit(live, account_id, conference_id, participant_id, params):
    """``(data, 202)``; 404 when the participant is not in the running room."""
    enabled = _enabled(params)
    fs_commands.valid_member_id(participant_id, "participant_id", keywords=())
    located = live.locate(account_id, conference_id)
    member = state.find_participant(located.conference, participant_id) if located else None
    if member is None:
        raise NotFound("participant not found", {"cause": participant_id,
                                                  "conference_id": conference_id})
    status_doc.update(live.store, account_id, conference_id,
                      status_doc.flag_end_on_exit([member["uuid"]], enabled))
    return {"participant_id": member["id"], "call_id": member["uuid"],
            END_ON_EXIT_FLAG: enabled}, 202
