"""Retention: an account's ``recordings_retention_days`` (a number of days, fractions
allowed; unset or 0 = kept for ever) removes its stopped recordings older than that
(by ``stopped``), file and document, each with a ``recording-deleted`` event
(``reason: retention``). Every crossbar process sweeps every
``KZ_RECORDINGS_SWEEP_INTERVAL`` seconds; of two sweeping the same recording, the
store lets one delete it (the other's delete is a Conflict or NotFound) and only that
one announces it."""
import logging
import time

import gevent

from crossbar.recordings import docs
from kzcore.errors import Conflict, NotFound
from kzcore.naming import ACCOUNTS_DB, account_db

log = logging.getLogger(__name__)
DAY = 86400.0


class RetentionSweeper:
    def __init__(self, store, storage, publish, interval, clock=time.time):
        self.store, self.storage, self.publish = store, storage, publish
        self.interval, self.clock = interval, clock
        self._greenlet = None

    def start(self):
        if self.interval and self.interval > 0 and self._greenlet is None:
            self._greenlet = gevent.spawn(self._loop)
        return self

    def close(self):
        if self._greenlet is not None:
            self._greenlet.kill(block=False)
            self._greenlet = None

    def _loop(self):
        while True:
            gevent.sleep(self.interval)
            try:
                self.sweep()
            except Exception:  # noqa: BLE001 - the next sweep tries again
                log.exception("recordings retention sweep failed")

    def sweep(self):
        """Remove every expired recording now; the ids removed."""
        removed = []
        accounts = self.store.find(ACCOUNTS_DB, {"pvt_type": "account",
                                                 "recordings_retention_days": {"$gt": 0}})
        for account in accounts:
            removed += self.sweep_account(account["_id"], account["recordings_retention_days"])
        return removed

    def sweep_account(self, account_id, days):
        cutoff = self.clock() - float(days) * DAY
        expired = self.store.find(account_db(account_id), {
            "pvt_type": docs.PVT_TYPE, "status": "stopped", "stopped": {"$lt": cutoff}})
        removed = []
        for doc in expired:
            try:
                self.storage.remove(account_id, doc)
            except (Conflict, NotFound):
                continue        # another process removed (or changed) it first
            removed.append(doc["_id"])
            log.info("recording removed by retention", extra={
                "account_id": account_id, "recording_id": doc["_id"], "days": days})
            self.publish("recording-deleted", account_id, doc["conference_id"], {
                "recording_id": doc["_id"], "name": doc.get("name"), "reason": "retention",
                "retention_days": days, **_participant(doc)})
        return removed


def _participant(doc):
    participant = doc.get("participant") or {}
    return {"call_id": participant.get("call_id"),
            "participant_id": participant.get("participant_id")}
