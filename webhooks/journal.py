"""What the delivery service writes back per webhook, in the document
``webhook_delivery-{webhook_id}`` of the webhook's account (kzcore.webhook_docs):

- the attempts log: one entry per HTTP attempt, newest first, at most
  ``log_size``; kept in memory and written every ``flush_interval`` seconds
  (a crash loses at most that much of the log, never a delivery);
- the per-conference sequence numbers: consecutive from 1 per (webhook,
  conference). Blocks of ``block`` numbers are reserved in the document before
  any is used, so a restarted or standby instance continues above every number
  ever sent (after a crash the sequence jumps forward, it never repeats).
"""
import collections
import logging
import time

import gevent

from kzcore import webhook_docs
from kzcore.errors import Conflict, KzError
from kzcore.naming import account_db

log = logging.getLogger(__name__)

SEQUENCE_BLOCK = 100
MAX_ROOMS = 500          # conferences remembered per webhook (least recently reserved dropped)
MAX_COUNTERS = 100000    # (webhook, conference) counters kept in memory
WRITE_TRIES = 3


class Journal:
    def __init__(self, store, *, log_size=100, flush_interval=1.0, block=SEQUENCE_BLOCK,
                 max_counters=MAX_COUNTERS, clock=time.time):
        self.store = store
        self.log_size = log_size
        self.flush_interval = flush_interval
        self.block = block
        self.max_counters = max_counters
        self.clock = clock
        self._pending = {}     # webhook id -> (webhook, [entries, oldest first])
        self._next = collections.OrderedDict()   # (webhook id, conference id) -> next number
        self._ceiling = {}     # (webhook id, conference id) -> highest number reserved
        self._greenlet = None

    # --- attempts log -------------------------------------------------------
    def record(self, webhook, entry):
        _hook, entries = self._pending.setdefault(webhook.id, (webhook, []))
        entries.append(entry)
        del entries[:-self.log_size]

    def flush(self):
        """Write every pending log entry (entries that fail to write are kept)."""
        pending, self._pending = self._pending, {}
        for webhook_id, (webhook, entries) in pending.items():
            try:
                self._update(webhook, lambda doc, new=entries: _prepend(doc, new, self.log_size))
            except KzError as exc:
                log.warning("attempts log not written", extra={
                    "webhook_id": webhook_id, "error": exc.error_id, "entries": len(entries)})
                _hook, later = self._pending.setdefault(webhook_id, (webhook, []))
                later[:0] = entries
                del later[:-self.log_size]

    def start(self):
        self._greenlet = gevent.spawn(self._flush_loop)
        return self

    def stop(self):
        if self._greenlet is not None:
            self._greenlet.kill()
            self._greenlet = None
        self.flush()

    def _flush_loop(self):
        while True:
            gevent.sleep(self.flush_interval)
            try:
                self.flush()
            except Exception:  # noqa: BLE001 - the loop must outlive a bad write
                log.exception("attempts log flush failed")

    # --- sequences ----------------------------------------------------------
    def next_sequence(self, webhook, conference_id):
        key = (webhook.id, conference_id)
        if key not in self._next:
            reserved = self._reserved(webhook, conference_id)
            self._next[key], self._ceiling[key] = reserved + 1, reserved
            self._forget_oldest()
        self._next.move_to_end(key)
        number = self._next[key]
        if number > self._ceiling[key]:
            ceiling, now = number - 1 + self.block, self.clock()
            self._update(webhook, lambda doc: _reserve(doc, conference_id, ceiling, now))
            self._ceiling[key] = ceiling        # only once the reservation is stored
        self._next[key] = number + 1
        return number

    def _forget_oldest(self):
        """Counters least recently used go first (their reservations stay stored:
        such a pair continues above its last block)."""
        while len(self._next) > self.max_counters:
            key, _number = self._next.popitem(last=False)
            self._ceiling.pop(key, None)

    def _reserved(self, webhook, conference_id):
        doc = self.store.get_or_none(account_db(webhook.account_id),
                                     webhook_docs.delivery_doc_id(webhook.id)) or {}
        entry = (doc.get("sequences") or {}).get(conference_id) or {}
        return int(entry.get("ceiling", 0))

    # --- the document -------------------------------------------------------
    def _update(self, webhook, change):
        db = account_db(webhook.account_id)
        doc_id = webhook_docs.delivery_doc_id(webhook.id)
        for attempt in range(WRITE_TRIES):
            doc = self.store.get_or_none(db, doc_id)
            if doc is None:
                if self.store.get_or_none(db, webhook.id) is None:
                    return None        # the webhook was deleted: leave nothing behind
                doc = {"_id": doc_id, "pvt_type": webhook_docs.DELIVERY_TYPE,
                       "webhook_id": webhook.id, "pvt_account_id": webhook.account_id}
            change(doc)
            try:
                return self.store.save(db, doc)
            except Conflict:
                if attempt == WRITE_TRIES - 1:
                    raise
        return None


def _prepend(doc, entries, size):
    doc["attempts"] = (list(reversed(entries)) + webhook_docs.attempts_of(doc))[:size]


def _reserve(doc, conference_id, ceiling, now):
    sequences = dict(doc.get("sequences") or {})
    previous = (sequences.get(conference_id) or {}).get("ceiling", 0)
    sequences[conference_id] = {"ceiling": max(ceiling, previous), "at": now}
    if len(sequences) > MAX_ROOMS:
        oldest = sorted(sequences, key=lambda room: sequences[room].get("at", 0))
        for room in oldest[:len(sequences) - MAX_ROOMS]:
            sequences.pop(room)
    doc["sequences"] = sequences
