"""Conference actions (PUT /conferences/{id}): the seam the live-control part
fills in. This minimal version validates the action and reports that no
FreeSWITCH node is configured.

``perform(ctx, account_id, conference, body) -> (data, http_status)`` where
``conference`` is the stored document or, for a dynamic conference, its id.
"""
from crossbar.context import enum_error, split_action
from kzcore.errors import SwitchUnavailable, ValidationFailed

ALLOWED_ACTIONS = ("lock", "unlock", "dial", "play", "record")


def perform(ctx, account_id, conference, body):
    action, _data = split_action(body)
    if action not in ALLOWED_ACTIONS:
        raise ValidationFailed(data=enum_error("action", ALLOWED_ACTIONS, action))
    if ctx.services.live is None:
        raise SwitchUnavailable("no FreeSWITCH node configured")
    raise SwitchUnavailable("conference control is not available on this node")
