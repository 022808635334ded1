"""Participant operations (seed 002): the live list, one participant, bulk and
single actions. Each returns ``(data, http_status)``; ``conference`` is the
stored conference document or, for a dynamic conference, its id.

Bulk mute/unmute/deaf/undeaf follow Kazoo: moderators are left alone, and only
participants not already in the wanted state are touched (one command each, so
no event claims a change that did not happen). ``kick`` removes everyone.
"""
import logging
import re

from crossbar.conferences.actions import ACCEPTED, live_service, unwrap
from crossbar.context import split_action
from crossbar.lifecycle.participant import set_end_on_exit
from crossbar.live import state
from kzcore import fs_commands
from kzcore.errors import NotFound, SwitchRefused
from kzcore.lifecycle import END_ON_EXIT_FLAG

log = logging.getLogger(__name__)

# action -> (json_list flag it changes, value that means "already done")
BULK_STATE = {"mute": ("can_speak", False), "unmute": ("can_speak", True),
              "deaf": ("can_hear", False), "undeaf": ("can_hear", True)}
GONE = "Non-Existant ID"
MEMBER_MISSING = re.compile(r"Non-Existant ID|Member: \d+ not found|Unknown Member", re.I)


def _conference_id(conference):
    return conference if isinstance(conference, str) else conference["_id"]


def list_participants(ctx, account_id, conference):
    live = live_service(ctx)
    located = live.locate(account_id, _conference_id(conference))
    if located is None:
        if isinstance(conference, str):
            raise NotFound("conference not found", {"cause": conference})
        return [], 200
    return state.participants(located.conference, located.node, live.clock()), 200


def _member(located, participant_id):
    member = state.find_participant(located.conference, participant_id)
    if member is None:
        raise NotFound("participant not found", {"cause": participant_id,
                                                  "conference_id": located.conference_id})
    return member


def _located_with_member(live, account_id, conference, participant_id):
    fs_commands.valid_member_id(participant_id, "participant_id", keywords=())
    located = live.locate(account_id, _conference_id(conference))
    if located is None:
        raise NotFound("participant not found", {"cause": participant_id})
    return located, _member(located, participant_id)


def get_participant(ctx, account_id, conference, participant_id):
    live = live_service(ctx)
    located, member = _located_with_member(live, account_id, conference, participant_id)
    return state.participant(member, located.conference, located.node, live.clock()), 200


def _member_command(ctx, live, account_id, action, params, member_id):
    """``(verb, args)`` for one member; every value checked before anything is sent."""
    if action != "play":
        return action, {"member": member_id}
    params = ctx.services.schemas.validate("conferences.play", params, ("data",))
    return live.media.play_action(account_id, params["media_id"], member=member_id)


def participant_action(ctx, account_id, conference, participant_id, body):
    action, data = split_action(body)
    ctx.services.schemas.validate("conferences.participant.action", {"action": action, "data": data})
    live = live_service(ctx)
    if action == END_ON_EXIT_FLAG:      # the lifecycle's flag: nothing goes to the switch
        return set_end_on_exit(live, account_id, _conference_id(conference), participant_id,
                               unwrap(data))
    member_id = int(fs_commands.valid_member_id(participant_id, "participant_id", keywords=()))
    verb, args = _member_command(ctx, live, account_id, action, unwrap(data), member_id)
    try:  # FreeSWITCH itself says whether the member is there: no json_list needed
        return live.command(account_id, conference, verb, **args, missing=lambda: NotFound(
            "participant not found", {"cause": participant_id})), ACCEPTED
    except SwitchRefused as refused:
        if MEMBER_MISSING.search(refused.message):
            raise NotFound("participant not found", {
                "cause": participant_id, "conference_id": _conference_id(conference)})
        raise


def _bulk(live, located, action):
    flag, done = BULK_STATE[action]
    targets = [member for member in located.conference.get("members") or []
               if state.is_participant(member)
               and not (member.get("flags") or {}).get("is_moderator")
               and bool((member.get("flags") or {}).get(flag, True)) != done]
    replies = []
    for member in targets:
        try:
            replies.append(live.send(located, action, member=member["id"]))
        except SwitchRefused as refused:
            if GONE not in refused.message:  # say what was already done before the refusal
                raise SwitchRefused(refused.message, {**refused.data, "done": replies}) from None
            log.info("participant left before the bulk action",
                     extra={"action": action, "member": member["id"]})
    return "\n".join(replies) if replies else f"no participant needed {action}"


def _relate_params(ctx, params):
    params = ctx.services.schemas.validate("metaflows.relate", params, ("data",))
    for key in ("participant_id", "other_participant"):
        fs_commands.valid_member_id(params[key], key, keywords=())
    return params


def _relate(live, located, params):
    one = _member(located, params["participant_id"])
    other = _member(located, params["other_participant"])
    return live.send(located, "relate", member=one["id"], other=other["id"],
                     relationship=params.get("relationship", "clear"))


def participants_action(ctx, account_id, conference, body):
    action, data = split_action(body)
    ctx.services.schemas.validate("conferences.participants.action", {"action": action, "data": data})
    live = live_service(ctx)
    params = unwrap(data)
    if action == "play":
        params = ctx.services.schemas.validate("conferences.play", params, ("data",))
        verb, args = live.media.play_action(account_id, params["media_id"])
    if action == "relate":
        params = _relate_params(ctx, params)
    located = live.running(account_id, conference)
    if action in BULK_STATE:
        return _bulk(live, located, action), ACCEPTED
    if action == "kick":
        return live.send(located, "kick", member="all"), ACCEPTED
    if action == "play":
        return live.send(located, verb, **args), ACCEPTED
    return _relate(live, located, params), ACCEPTED
