"""The request a webhook receives (PURE): body and headers.

The body is the bus event exactly as the websocket carries it (Kazoo format),
plus what the issue asks for: ``webhook_id``, ``account_id`` (the event's
account, a sub-account's for ``include_subaccounts``), ``custom_data``, the
per-(webhook, conference) ``sequence``; and ``webhook_event`` (e.g.
``participant.left``), ``event_id`` (stable across retries: receivers dedupe on
it) and the event's extras (``reason``, ``end_reason``, ``recording_id``...).
"""
import orjson

from webhooks import signing


def build_body(payload, webhook, event, sequence):
    body = dict(payload)
    body.update(event.extras)
    body.update({"webhook_id": webhook.id, "webhook_event": event.name,
                 "account_id": payload.get("account_id"), "custom_data": webhook.custom_data,
                 "sequence": sequence, "event_id": payload.get("msg_id")})
    return orjson.dumps(body)


def request_headers(webhook, event_name, event_id, sequence, attempt, body, now=None):
    return {
        signing.HEADER: signing.signature_header(webhook.secret, body, now),
        "X-Kazoo-Webhook-Id": webhook.id,
        "X-Kazoo-Event": event_name,
        "X-Kazoo-Event-Id": str(event_id or ""),
        "X-Kazoo-Sequence": str(sequence),
        "X-Kazoo-Attempt": str(attempt),
    }
