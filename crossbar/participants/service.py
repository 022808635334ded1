"""Participant operations: stubs until the live-control part replaces them.

Each returns ``(data, http_status)``; ``conference`` is the stored conference
document or, for a dynamic conference, its id.
"""
from kzcore.errors import SwitchUnavailable


def _unavailable(ctx):
    if ctx.services.live is None:
        raise SwitchUnavailable("no FreeSWITCH node configured")
    raise SwitchUnavailable("participant control is not available on this node")


def list_participants(ctx, account_id, conference):
    _unavailable(ctx)


def participants_action(ctx, account_id, conference, body):
    _unavailable(ctx)


def get_participant(ctx, account_id, conference, participant_id):
    _unavailable(ctx)


def participant_action(ctx, account_id, conference, participant_id, body):
    _unavailable(ctx)
