"""Participant operations (seed 002): the live list, one participant, bulk and
single actions. Each returns ``(data, http_status)``; ``conference`` is the
stored conference document or, for a dynamic conference, its id.

Bulk mute/unmute/deaf/undeaf follow Kazoo: moderators are left alone, and only
participants not already in the wanted state are touched (one command each, so
no event claims a change that did not happen); bulk hold/unhold likewise. ``kick``
removes everyone, ``dtmf`` goes to everyone (``dtmf all``). The actions on one
participant are crossbar.participants.actions.
"""
import logging
import re

from crossbar import action_requests
from crossbar.conferences.actions import ACCEPTED, live_service
from crossbar.live import state
from crossbar.participants import actions, hold
from kzcore import fs_commands
from kzcore.errors import NotFound, SwitchRefused

log = logging.getLogger(__name__)

# action -> (json_list flag it changes, value that means "already done")
BULK_STATE = {"mute": ("can_speak", False), "unmute": ("can_speak", True),
              "deaf": ("can_hear", False), "undeaf": ("can_hear", True),
              "hold": ("hold", True), "unhold": ("hold", False)}
FLAG_DEFAULTS = {"can_speak": True, "can_hear": True, "hold": False}
GONE = "Non-Existant ID"
MEMBER_MISSING = re.compile(r"Non-Existant ID|Member: \d+ not found|Unknown Member|No Member \d+",
                            re.I)


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


def participant_action(ctx, account_id, conference, participant_id, request):
    """``request``: a crossbar.action_requests.ActionRequest (see participants.actions)."""
    params = action_requests.validated(ctx.services.schemas, "conferences.participant.action",
                                       request)
    member_id = int(fs_commands.valid_member_id(participant_id, "participant_id", keywords=()))
    target = actions.Target(ctx, live_service(ctx), account_id, _conference_id(conference),
                            member_id)
    try:
        return actions.ACTIONS[request.action](target, params), ACCEPTED
    except SwitchRefused as refused:
        if MEMBER_MISSING.search(refused.message):
            raise NotFound("participant not found", {
                "cause": participant_id, "conference_id": _conference_id(conference)})
        raise


def _bulk(live, located, action, args=None):
    flag, done = BULK_STATE[action]
    targets = [member for member in located.conference.get("members") or []
               if state.is_participant(member)
               and not (member.get("flags") or {}).get("is_moderator")
               and bool((member.get("flags") or {}).get(flag, FLAG_DEFAULTS[flag])) != done]
    replies = []
    for member in targets:
        try:
            replies.append(live.send(located, action, member=member["id"], **(args or {})))
        except SwitchRefused as refused:
            if GONE not in refused.message:  # say what was already done before the refusal
                raise SwitchRefused(refused.message, {**refused.data, "done": replies}) from None
            log.info("participant left before the bulk action",
                     extra={"action": action, "member": member["id"]})
    return "\n".join(replies) if replies else f"no participant needed {action}"


def _relate_params(ctx, params):
    for key in ("participant_id", "other_participant"):
        fs_commands.valid_member_id(params[key], key, keywords=())
    return params


def _relate(live, located, params):
    one = _member(located, params["participant_id"])
    other = _member(located, params["other_participant"])
    return live.send(located, "relate", member=one["id"], other=other["id"],
                     relationship=params.get("relationship", "clear"))


def _bulk_args(ctx, live, account_id, conference, action, params):
    """What the action sends besides the member, every value checked first."""
    if action == "play":
        return dict(zip(("verb", "args"), live.media.play_action(account_id, params["media_id"])))
    if action == "relate":
        return _relate_params(ctx, params)
    if action == "hold":
        return {"path": hold.music(ctx, live, account_id, _conference_id(conference),
                                   params.get("media_id"))}
    return {}


def participants_action(ctx, account_id, conference, request):
    """``request``: a crossbar.action_requests.ActionRequest."""
    action = request.action
    params = action_requests.validated(ctx.services.schemas, "conferences.participants.action",
                                       request)
    live = live_service(ctx)
    args = _bulk_args(ctx, live, account_id, conference, action, params)
    located = live.running(account_id, conference)
    if action in BULK_STATE:
        return _bulk(live, located, action, args), ACCEPTED
    if action == "kick":
        return live.send(located, "kick", member="all"), ACCEPTED
    if action == "dtmf":
        return live.send(located, "dtmf", member="all", digits=params["digits"]), ACCEPTED
    if action == "play":
        return live.send(located, args["verb"], **args["args"]), ACCEPTED
    return _relate(live, located, args), ACCEPTED
