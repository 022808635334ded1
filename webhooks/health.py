"""Consecutive failures per webhook, and disabling a webhook that keeps failing.

An event counts as failed when its last attempt failed (retries exhausted, or
a refused destination). After ``disable_after`` failed events in a row the
webhook's document gets ``enabled: false`` and ``pvt_auto_disabled`` (when, why,
how many), a ``webhook_disabled`` notification goes on the bus (exchange
``notifications``, routing key ``notifications.webhook.disabled``) and the
attempts log says so. A PATCH with ``enabled: true`` brings it back.
"""
import logging
import time
import uuid

from kzcore import APP_VERSION, webhook_docs
from kzcore.errors import Conflict, KzError, NotFound
from kzcore.naming import account_db

log = logging.getLogger(__name__)

NOTIFY_EXCHANGE = "notifications"
DISABLED_KEY = "notifications.webhook.disabled"
WRITE_TRIES = 3


def disabled_notification(webhook, failures, reason, node, now):
    """The ``webhook_disabled`` event (PURE)."""
    return {"event_category": "notification", "event_name": "webhook_disabled",
            "account_id": webhook.account_id, "webhook_id": webhook.id, "name": webhook.name,
            "uri": webhook.uri, "failures": failures, "reason": reason,
            "disabled_at": round(now, 3), "node": node, "msg_id": uuid.uuid4().hex,
            "app_name": "kz-webhooks", "app_version": APP_VERSION}


class Health:
    def __init__(self, store, *, publisher, directory, journal, disable_after, node="",
                 clock=time.time):
        self.store = store
        self.publisher = publisher
        self.directory = directory
        self.journal = journal
        self.disable_after = disable_after
        self.node = node
        self.clock = clock
        self._failures = {}

    def succeeded(self, webhook):
        self._failures.pop(webhook.id, None)

    def failed(self, webhook):
        count = self._failures.get(webhook.id, 0) + 1
        self._failures[webhook.id] = count
        if self.disable_after > 0 and count >= self.disable_after:
            self.disable(webhook, count)

    def failures(self, webhook_id):
        return self._failures.get(webhook_id, 0)

    def disable(self, webhook, failures):
        reason = f"{failures} consecutive events failed"
        now = self.clock()
        try:
            if not self._write_disabled(webhook, failures, reason, now):
                return False
        except KzError as exc:
            log.warning("could not disable webhook", extra={
                "webhook_id": webhook.id, "account_id": webhook.account_id,
                "error": exc.error_id})
            return False
        self._failures.pop(webhook.id, None)
        self.directory.invalidate(webhook.account_id)
        self.journal.record(webhook, {"time": round(now, 3), "event": "webhook.disabled",
                                      "result": "disabled", "error": reason})
        log.warning("webhook disabled", extra={"webhook_id": webhook.id,
                                               "account_id": webhook.account_id,
                                               "failures": failures})
        self._notify(webhook, failures, reason, now)
        return True

    def _write_disabled(self, webhook, failures, reason, now):
        db = account_db(webhook.account_id)
        for attempt in range(WRITE_TRIES):
            try:
                doc = self.store.get(db, webhook.id)
            except NotFound:
                return False
            if doc.get("enabled") is False:
                return False           # someone disabled it already
            doc["enabled"] = False
            doc[webhook_docs.AUTO_DISABLED_FIELD] = {"at": round(now, 3), "failures": failures,
                                                     "reason": reason}
            try:
                self.store.save(db, doc)
                return True
            except Conflict:
                if attempt == WRITE_TRIES - 1:
                    raise
        return False

    def _notify(self, webhook, failures, reason, now):
        try:
            self.publisher.publish(DISABLED_KEY,
                                   disabled_notification(webhook, failures, reason, self.node,
                                                         now), exchange=NOTIFY_EXCHANGE)
        except Exception:  # noqa: BLE001 - the webhook is disabled either way
            log.exception("webhook_disabled notification not published")
