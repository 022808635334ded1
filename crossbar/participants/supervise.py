"""``supervise``: a supervisor S listens to, whispers to or barges in on a target T.

mod_conference's relationships are one-way and per pair of members (mixer in
mod_conference.c; conference_api_sub_relate): when the mixer builds what member
O hears, it leaves out member I's audio if I has a relationship I->O without
CAN_SPEAK, or O has one O->I without CAN_HEAR. So:

- ``relate A B nospeak``: B does not hear A;
- ``relate A B nohear``:  A does not hear B;
- ``relate A B clear``:   the pair's relationship is gone (always "+OK ... cleared.");
- ``mute A`` takes A out of everyone's mix; ``deaf A`` gives A silence.

A relationship names member ids, so it covers the members in the room when it is
set; ``mute`` covers everyone, later joiners included. Per mode, with R = every
other participant in the room (neither S nor T), in the order sent:

- ``monitor`` (S hears the room, nobody hears S): ``relate S T,R clear`` (what an
  earlier mode set), ``mute S`` unless muted, ``undeaf S`` if S is deaf. Mute rather than nospeak
  to everyone: it also holds for members who join later.
- ``whisper`` (only T hears S; S hears the room): ``relate S R nospeak`` first (so
  R never hears S in between), ``relate S T clear``, ``undeaf S`` if deaf, ``unmute
  S`` if muted. Members who join after this hear S until ``supervise`` is sent again
  (a relationship cannot name a member that is not there yet).
- ``barge`` (everyone hears S, S hears everyone): ``relate S T,R clear``, ``undeaf
  S`` if deaf, ``unmute S`` if muted.
- ``clear``: ``relate S T,R clear`` only: S's relationships are gone; mute and deaf
  are left as they are (after ``monitor`` S stays muted: unmute, or ``barge``).

``relate S <id>`` on the switch lists what is set (e.g. "5 -> 7 NOSPEAK HEAR
NOSENDVIDEO"). Refused before anything is sent: S == T (400), a target or
supervisor not in the room (404). A ``supervise`` event (S's participant event
key) is published when the switch accepted everything.
"""
import logging
import uuid

import kzcore
from crossbar.live import state
from kzcore.bus.keys import participant_routing_key
from kzcore.errors import ValidationFailed

log = logging.getLogger(__name__)

MODES = ("monitor", "whisper", "barge", "clear")


def _self_supervision(target_id):
    return ValidationFailed("validation error", {"data.target": {"not_self": {
        "message": "a participant cannot supervise itself", "value": target_id}}})


def _target_required():
    return ValidationFailed("validation error", {"data.target": {"required": {
        "message": "Field is required but missing"}}})


def _flag(member, name):
    return bool((member.get("flags") or {}).get(name, True))


def plan(mode, supervisor, target, others):
    """The commands for one mode: ``[(verb, args)]`` (PURE). ``supervisor``/``target``
    are json_list members (target None for clear), ``others`` the other member ids."""
    me = supervisor["id"]
    everyone = ([target["id"]] if target else []) + list(others)
    commands = []
    if mode == "whisper":
        if others:
            commands.append(("relate", {"member": me, "other": list(others),
                                        "relationship": "nospeak"}))
        commands.append(("relate", {"member": me, "other": [target["id"]],
                                    "relationship": "clear"}))
    elif everyone:
        commands.append(("relate", {"member": me, "other": everyone, "relationship": "clear"}))
    if mode == "monitor" and _flag(supervisor, "can_speak"):
        commands.append(("mute", {"member": me}))
    if mode != "clear" and not _flag(supervisor, "can_hear"):
        commands.append(("undeaf", {"member": me}))
    if mode in ("whisper", "barge") and not _flag(supervisor, "can_speak"):
        commands.append(("unmute", {"member": me}))
    return commands


def _members(located, supervisor_id, target_id, missing):
    supervisor = state.find_participant(located.conference, supervisor_id)
    if supervisor is None:
        raise missing()
    target = None
    if target_id is not None:
        target = state.find_participant(located.conference, target_id)
        if target is None:
            raise missing(target_id)
    others = [member["id"] for member in located.conference.get("members") or []
              if state.is_participant(member) and member["id"] not in
              (supervisor["id"], target and target["id"])]
    return supervisor, target, others


def supervise(target, params):
    """``target``: crossbar.participants.actions.Target (the supervisor)."""
    mode, target_id = params["mode"], params.get("target")
    if target_id is None and mode != "clear":
        raise _target_required()
    if target_id is not None and str(target_id) == str(target.member_id):
        raise _self_supervision(target_id)
    live = target.live
    located = target.located()   # the supervisor's copy: the target is in the same one
    supervisor, supervised, others = _members(
        located, target.member_id, target_id,
        lambda who=None: _missing(target, who))
    replies = [live.send(located, verb, **args)
               for verb, args in plan(mode, supervisor, supervised, others)]
    _announce(target, located, supervisor, supervised, mode)
    return "\n".join(replies)


def _missing(target, who):
    error = target.missing()
    if who is not None:
        error.data["cause"] = str(who)
    return error


def supervise_event(account_id, conference_id, supervisor, supervised, mode, *, node, msg_id):
    """``(routing_key, payload)`` of the ``supervise`` event (PURE)."""
    payload = {"event": "supervise", "mode": mode, "account_id": account_id,
               "conference_id": conference_id, "participant_id": supervisor["id"],
               "call_id": supervisor.get("uuid"),
               "target_participant_id": supervised["id"] if supervised else None,
               "target_call_id": supervised.get("uuid") if supervised else None,
               "node": node, "msg_id": msg_id, "event_name": "participant_event",
               "event_category": "conference", "app_version": kzcore.APP_VERSION,
               "app_name": "crossbar", "routing_key": "participant_event"}
    return participant_routing_key(conference_id, supervisor.get("uuid")), payload


def _announce(target, located, supervisor, supervised, mode):
    publisher = target.ctx.services.events
    if publisher is None:
        return
    try:
        publisher.publish(*supervise_event(
            target.account_id, target.conference_id, supervisor, supervised, mode,
            node=target.ctx.services.node, msg_id=uuid.uuid4().hex))
    except Exception:  # noqa: BLE001 - the switch did it; the event is best effort
        log.exception("supervise event not published", extra={
            "conference_name": located.name, "participant_id": supervisor["id"]})
