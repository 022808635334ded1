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

from crossbar import action_requests, idempotency
from crossbar.conferences.actions import ACCEPTED, live_service
from crossbar.live import split, state
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
MEMBER_MISSING = actions.MEMBER_MISSING


def _conference_id(conference):
    return conference if isinstance(conference, str) else conference["_id"]


def list_participants(ctx, account_id, conference):
    live = live_service(ctx)
    located = live.locate(account_id, _conference_id(conference))
    if located is None:
        if isinstance(conference, str):
            raise NotFound("conference not found", {"cause": conference})
        return [], 200
    return live_participants(live, located), 200


def live_participants(live, located):
    """Every copy's participants; node-qualified ids when the room runs on several
    nodes (crossbar.live.split)."""
    now, identities = live.clock(), live.identities.of(located.all_copies)
    if not located.split:
        return state.participants(located.conference, located.node, now, identities)
    return [person for copy in located.all_copies
            for person in split.qualified_participants(
                state.participants(copy.conference, copy.node, now, identities), copy.node)]


def _missing_participant(participant_id, conference_id=None):
    data = {"cause": str(participant_id)}
    if conference_id is not None:
        data["conference_id"] = conference_id
    return NotFound("participant not found", data)


def get_participant(ctx, account_id, conference, participant_id):
    live = live_service(ctx)
    node, member_id = split.parse_participant_id(participant_id)
    located = live.locate(account_id, _conference_id(conference))
    if located is None:
        raise _missing_participant(participant_id)
    copy = located.on(split.member_node(located, node, member_id) or "")
    member = state.find_participant(copy.conference, member_id) if copy else None
    if member is None:
        raise _missing_participant(participant_id, located.conference_id)
    identity = live.identities.of([copy]).get(member.get("uuid"))
    person = state.participant(member, copy.conference, copy.node, live.clock(), identity)
    if located.split:
        person["participant_id"] = split.qualify(copy.node, member_id)
    return person, 200


def run_participant_action(ctx, account_id, conference_id, participant_id, request):
    """``participant_action`` once per ``command_id`` (crossbar.idempotency):
    ``(data, status, replayed)``. No document load: a member command's answers
    do not depend on it."""
    return idempotency.run_action(
        ctx.services.commands, account_id, conference_id, f"participant/{participant_id}",
        request, lambda request: participant_action(ctx, account_id, conference_id,
                                                    participant_id, request))


def participant_action(ctx, account_id, conference, participant_id, request):
    """``request``: a crossbar.action_requests.ActionRequest (see participants.actions).
    In a room on several nodes a bare id is a 409 (crossbar.live.split), never a
    command to a guessed copy."""
    params = action_requests.validated(ctx.services.schemas, "conferences.participant.action",
                                       request)
    conference_id = _conference_id(conference)
    node, member_id = split.parse_participant_id(participant_id)
    target = actions.Target(ctx, live_service(ctx), account_id, conference_id, member_id, node)
    try:
        return actions.ACTIONS[request.action](target, params), ACCEPTED
    except SwitchRefused as refused:
        if MEMBER_MISSING.search(refused.message):
            raise _missing_participant(participant_id, conference_id)
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


def _member(located, participant_id):
    member = state.find_participant(located.conference, participant_id)
    if member is None:
        raise _missing_participant(participant_id, located.conference_id)
    return member


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
    if action == "relate":     # member ids of one copy: not for a room on several nodes
        return _relate(live, live.running(account_id, conference), args), ACCEPTED
    located = live.running(account_id, conference, copies=True)   # every copy's members
    if action in BULK_STATE:
        return "\n".join(_bulk(live, copy, action, args) for copy in located.all_copies), \
            ACCEPTED
    if action == "kick":
        return live.send_each(located, "kick", member="all"), ACCEPTED
    if action == "dtmf":
        return live.send_each(located, "dtmf", member="all", digits=params["digits"]), ACCEPTED
    return live.send_each(located, args["verb"], **args["args"]), ACCEPTED
