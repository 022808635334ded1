"""A webhook's request body: the bus event exactly as the websocket carries it
(Kazoo format: ``participant_event``, ``conference_event``, crossbar's document
events...), plus what the delivery service adds, declared here:

- the webhook event's extras (webhooks.hooks): why a participant left
  (``reason``), why a room ended (``end_reason``), which recording is ready
  (``recording_id``, ``download_url``); an extra not declared here is not sent;
- ``webhook_id``, ``webhook_event`` (e.g. ``participant.left``), ``account_id``
  (the event's account: a sub-account's for ``include_subaccounts``),
  ``custom_data`` (the webhook's, as stored), ``sequence`` (per webhook and
  conference) and ``event_id`` (the event's ``msg_id``, the same on every retry:
  receivers dedupe on it).

The source is a dict: ``payload`` (the bus event), ``webhook``
(webhooks.directory.Webhook), ``event`` (webhooks.hooks.HookEvent), ``sequence``.
The added fields win over the event's own.
"""
from marshmallow import Schema, fields

from kzcore.representations.fields import text


class WebhookAdditionsSchema(Schema):
    # extras, in the order webhooks.hooks gives them
    reason = text(attribute="event.extras.reason")
    end_reason = text(attribute="event.extras.end_reason")
    recording_id = text(attribute="event.extras.recording_id")
    download_url = text(attribute="event.extras.download_url")
    # the delivery's own
    webhook_id = fields.String(attribute="webhook.id", required=True)
    webhook_event = fields.String(attribute="event.name", required=True)
    account_id = text(attribute="payload.account_id", dump_default=None, required=True)
    custom_data = fields.Raw(attribute="webhook.custom_data", allow_none=True, required=True)
    sequence = fields.Integer(strict=True, required=True)
    event_id = text(attribute="payload.msg_id", dump_default=None, required=True)


WEBHOOK_ADDITIONS = WebhookAdditionsSchema()
EXTRAS = ("reason", "end_reason", "recording_id", "download_url")


def webhook_body(payload, webhook, event, sequence):
    """The body (a dict) a webhook receives for ``event`` made by bus ``payload``."""
    body = dict(payload)
    body.update(WEBHOOK_ADDITIONS.dump({"payload": payload, "webhook": webhook,
                                        "event": event, "sequence": sequence}))
    return body
