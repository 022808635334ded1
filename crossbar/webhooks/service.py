"""Webhook documents: Kazoo's shape, a signing secret made at creation (shown
once, rotatable), URLs checked against the operator's network policy, and the
delivery log the ``kz-webhooks`` service keeps beside each webhook.

The URL check here is what can be decided without DNS (scheme, form, a host
written as an address); the delivery service checks every address a name
resolves to before each connection.
"""
import logging

from crossbar import documents
from crossbar.resource import AccountDocuments
from kzcore import netpolicy, webhook_docs
from kzcore.errors import NotFound, ValidationFailed

log = logging.getLogger(__name__)

SUMMARY_FIELDS = ("name", "uri", "hook", "http_verb", "enabled", "include_subaccounts",
                  "retries")


class WebhooksService(AccountDocuments):
    pvt_type = webhook_docs.WEBHOOK_TYPE
    schema_id = "webhooks"

    def __init__(self, store, schemas, allow_networks=()):
        super().__init__(store, schemas)
        self.allow_networks = allow_networks

    def after_validate(self, account_id, doc_id, doc, existing):
        self._check_uri(doc.get("uri"))
        if existing is None:
            return {webhook_docs.SECRET_FIELD: webhook_docs.new_secret()}
        if doc.get("enabled") is True and existing.get(webhook_docs.AUTO_DISABLED_FIELD):
            log.info("webhook re-enabled", extra={"account_id": account_id, "webhook_id": doc_id})
            return {webhook_docs.AUTO_DISABLED_FIELD: None}
        return {}

    def _check_uri(self, uri):
        try:
            netpolicy.check_literal_url(uri, self.allow_networks)
        except netpolicy.Refused as refused:
            keyword = "invalid" if refused.reason == "invalid" else "forbidden_destination"
            raise ValidationFailed(data={"uri": {keyword: {
                "message": f"uri {refused.detail}", "value": uri}}}) from None

    def rotate_secret(self, account_id, doc_id):
        """A new secret for the webhook: ``(saved doc, secret)``; the old one stops
        signing requests as soon as the delivery service sees the change."""
        doc = self.load(account_id, doc_id)
        secret = webhook_docs.new_secret()
        doc[webhook_docs.SECRET_FIELD] = secret
        saved = self.store.save(self.db_name(account_id), documents.touched(doc))
        log.info("webhook secret rotated", extra={"account_id": account_id, "webhook_id": doc_id})
        return saved, secret

    def attempts(self, account_id, doc_id):
        """The delivery log, newest first (bounded by the delivery service)."""
        self.load(account_id, doc_id)
        delivery = self.store.get_or_none(self.db_name(account_id),
                                          webhook_docs.delivery_doc_id(doc_id))
        return webhook_docs.attempts_of(delivery)

    def after_delete(self, account_id, deleted):
        db = self.db_name(account_id)
        delivery = self.store.get_or_none(db, webhook_docs.delivery_doc_id(deleted["_id"]))
        if delivery is not None:
            try:
                self.store.delete(db, delivery["_id"], delivery["_rev"])
            except NotFound:
                pass

    def summarize(self, doc):
        entry = {"id": doc["_id"]}
        entry.update({key: doc[key] for key in SUMMARY_FIELDS if key in doc})
        disabled = doc.get(webhook_docs.AUTO_DISABLED_FIELD)
        if disabled:
            entry["disabled_reason"] = disabled.get("reason")
        return entry


def client_view(doc, secret=None):
    """The client's view: public fields, ``_read_only.auto_disabled`` when the
    delivery service disabled it, and the secret only when just made."""
    view = documents.public_view(doc)
    disabled = doc.get(webhook_docs.AUTO_DISABLED_FIELD)
    if disabled:
        view["_read_only"] = {"auto_disabled": disabled}
    if secret is not None:
        view["secret"] = secret
    return view
