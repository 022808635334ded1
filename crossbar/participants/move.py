"""``move``: the participant leaves this room and joins another conference of the
same account, which starts if it is not running.

On the switch this is ``conference <room> transfer <other>@<profile>+flags{...} <id>``
(round4 transfer_to_other_room / transfer_to_new_room: "+OK Member '901' sent to
conference r4other."; events: transfer and del-member in the old room, then
conference-create for a new room and add-member, the member id kept). mod_conference
sends the channel to ``conference:<other>@<profile>`` and runs the conference
application again: the member is a new member of the other room, with only the
flags of that application line and of the channel's ``conference_member_flags``
(those a dial-out carried: round2 transfer), and a room that starts fetches its
profile for ``<other>`` over mod_xml_curl. So the other conference's rules apply as
if the participant had called it: its profile name (``profile_name``, else
``default``: what crossbar's xml_curl answers for that room) and the join flags
the call-in service would give the participant's role there (moderator or member:
moderator, mute, deaf, wait-mod, endconf; ``callin.plan``).

Refused before anything is sent: the same room (400); a conference that is not
the account's (404, as for any unknown id); a participant not in the room (404); a
target running on another node (409: a transfer stays on its switch); a target
that would refuse the caller -- locked or full (409): FreeSWITCH would play the
locked sound and end the call.
"""
from callin import documents as callin_documents
from callin import plan as callin_plan
from crossbar.conferences.service import ConferencesService
from crossbar.live import state
from kzcore.errors import Conflict, NotFound, ValidationFailed
from kzcore.naming import fs_conference_name

DEFAULT_PROFILE = "default"


def _same_room(conference_id):
    return ValidationFailed("validation error", {"data.conference_id": {"not_same": {
        "message": "the participant is already in this conference", "value": conference_id}}})


def _other_listing(live, located, account_id, other_id):
    """The other room as json_list shows it ([] if it is not running); Conflict
    when it runs on another node than the participant's."""
    listed = live.locate(account_id, other_id)
    if listed is None:
        return []
    if listed.node != located.node:
        raise Conflict("the other conference runs on another FreeSWITCH node",
                       {"conference_id": other_id, "node": listed.node})
    return [listed.conference]


def move(target, params):
    """``target``: crossbar.participants.actions.Target; ``params["conference_id"]``."""
    other_id = params["conference_id"]
    if other_id == target.conference_id:
        raise _same_room(other_id)
    svc = target.ctx.services
    other_doc = ConferencesService(svc.store, svc.schemas).load(target.account_id, other_id)
    other = callin_documents.load_conference(target.account_id, other_doc)
    if other is None:
        raise NotFound("bad identifier", {"cause": other_id})
    live = target.live
    located = target.located()
    member = state.find_participant(located.conference, target.member_id)
    if member is None:
        raise target.missing()
    refusal = callin_plan.refusal(other, callin_plan.room_status(
        _other_listing(live, located, target.account_id, other_id)))
    if refusal is not None:
        raise Conflict(f"the other conference is {refusal}", {"conference_id": other_id,
                                                               "refusal": refusal})
    role = callin_documents.MODERATOR if (member.get("flags") or {}).get("is_moderator") \
        else callin_documents.MEMBER
    return live.send(located, "transfer", members=[target.member_id],
                     target_conference=fs_conference_name(target.account_id, other_id),
                     profile=other.profile_name or DEFAULT_PROFILE,
                     flags=callin_plan.member_flags(other, role))
