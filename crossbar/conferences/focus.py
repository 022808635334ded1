"""The conference document's ``focus`` (issue 18): the node that takes its new
rooms (kzcore.placement, crossbar.live.focus). It must name a configured node."""
from kzcore.errors import ValidationFailed


def check_document_focus(live, doc):
    """400 with the configured names when ``focus`` names no node; not checked
    without a live part (no switch configured)."""
    wanted = doc.get("focus")
    if wanted is None or live is None:
        return
    nodes = live.pool.names()
    if wanted not in nodes:
        raise ValidationFailed(data={"focus": {"enum": {
            "message": "must name one of the configured FreeSWITCH nodes", "target": nodes,
            "value": wanted}}})
