"""How webhooks are kept in the store, shared by crossbar (the ``webhooks``
resource) and the delivery service (``kz-webhooks``).

A webhook is a document of its account's database (``pvt_type`` ``webhook``)
with its signing secret in ``pvt_secret`` (never shown after creation). The
delivery service writes what it learns to a second document per webhook,
``webhook_delivery-{webhook_id}``: the attempts log (newest first, bounded) and
the sequence numbers it reserved per conference. When it disables a failing
webhook it sets ``enabled: false`` and says why in ``pvt_auto_disabled``.
"""
import secrets

WEBHOOK_TYPE = "webhook"
DELIVERY_TYPE = "webhook_delivery"
SECRET_FIELD = "pvt_secret"
AUTO_DISABLED_FIELD = "pvt_auto_disabled"
HOOKS = ("conference", "participant", "recording", "transcript", "all")
SECRET_PREFIX = "whsec_"


def new_secret():
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def delivery_doc_id(webhook_id):
    return f"{DELIVERY_TYPE}-{webhook_id}"


def attempts_of(delivery_doc):
    """The attempts log of a delivery document (newest first), or []."""
    attempts = (delivery_doc or {}).get("attempts")
    return list(attempts) if isinstance(attempts, list) else []
