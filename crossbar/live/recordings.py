"""Conference recordings: a stub until the live-control part replaces it."""
from kzcore.errors import SwitchUnavailable


def list_recordings(ctx, account_id, conference):
    """``(data, http_status)`` listing the conference's recordings."""
    if ctx.services.live is None:
        raise SwitchUnavailable("no FreeSWITCH node configured")
    raise SwitchUnavailable("recordings are not available on this node")
