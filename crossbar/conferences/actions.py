"""Conference actions (PUT /conferences/{id}, seed 002 and beyond): lock, unlock,
play, record, dial, and the room's playback and sounds (crossbar.conferences.playback).
One table; each entry drives FreeSWITCH through the live service and answers
``(data, http_status)``: 202 with FreeSWITCH's reply for accepted actions, 200
with ``endpoint_responses`` for dial.

``conference`` is the stored document or, for a dynamic conference, its id.
"""
from crossbar import action_requests
from crossbar.action_requests import unwrap  # noqa: F401 - used by the participant actions
from crossbar.conferences import playback
from crossbar.lifecycle import ending
from kzcore.errors import SwitchUnavailable

ACCEPTED = 202
SCHEMA = "conferences.action"


def live_service(ctx):
    if ctx.services.live is None:
        raise SwitchUnavailable("no FreeSWITCH node configured")
    return ctx.services.live


def _lock(ctx, live, account_id, conference, params):
    return live.command(account_id, conference, "lock"), ACCEPTED


def _unlock(ctx, live, account_id, conference, params):
    return live.command(account_id, conference, "unlock"), ACCEPTED


def _play(ctx, live, account_id, conference, params):
    action, args = live.media.play_action(account_id, params["media_id"])
    return live.command(account_id, conference, action, **args), ACCEPTED


def _record(ctx, live, account_id, conference, params):
    from crossbar.recordings import room
    return room.record(ctx, live, account_id, conference, params)


def _transcribe(ctx, live, account_id, conference, params):
    from crossbar.recordings import runtime
    return runtime.parts(live).transcripts.action(ctx, live, account_id, conference, params)


def _dial(ctx, live, account_id, conference, params):
    return live.dialer.dial(account_id, conference, params, ctx.services.schemas)


def _end(ctx, live, account_id, conference, params):
    ending.check_params(params)
    return ending.end_conference(live, account_id, conference)


ACTIONS = {"lock": _lock, "unlock": _unlock, "play": _play, "record": _record, "dial": _dial,
           "end": _end, "transcribe": _transcribe, **playback.ACTIONS}
ALLOWED_ACTIONS = tuple(ACTIONS)


def perform(ctx, account_id, conference, request):
    """``request``: a crossbar.action_requests.ActionRequest."""
    params = action_requests.validated(ctx.services.schemas, SCHEMA, request)
    handler = ACTIONS[request.action]
    return handler(ctx, live_service(ctx), account_id, conference, params)
