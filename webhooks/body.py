"""The request a webhook receives (PURE): body and headers.

The body is the bus event exactly as the websocket carries it (Kazoo format) plus
the webhook's fields, as kzcore.representations.webhook_body declares them.
"""
import orjson

from kzcore.representations.webhook_body import webhook_body
from webhooks import signing


def build_body(payload, webhook, event, sequence):
    return orjson.dumps(webhook_body(payload, webhook, event, sequence))


def request_headers(webhook, event_name, event_id, sequence, attempt, body, now=None):
    return {
        signing.HEADER: signing.signature_header(webhook.secret, body, now),
        "X-Kazoo-Webhook-Id": webhook.id,
        "X-Kazoo-Event": event_name,
        "X-Kazoo-Event-Id": str(event_id or ""),
        "X-Kazoo-Sequence": str(sequence),
        "X-Kazoo-Attempt": str(attempt),
    }
