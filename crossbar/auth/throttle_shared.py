"""Login throttling shared by every crossbar process, through the document store.

Each process keeps its ``LoginThrottle`` (instant, local) and also publishes
its failures to the store and reads the others'. The same rules apply to the
merged counts: ``max_failures`` failures of a key in ``window`` seconds lock it
for ``lockout`` seconds, doubled per further failure up to ``max_lockout``, on
every process.

Why this shape (the attacker chooses the write rate):

- Keys are hashed into ``buckets`` documents (database ``login_throttle``, ids
  ``bucket-<n>``); a bucket holds the entries of the keys hashed to it
  (``{digest: {"n", "last", "until", "kind"}}``, never the name itself).
- A failure is counted at once in this process and queued; a greenlet writes
  the queued counts of each dirty bucket at most once per ``sync_interval``
  (one read and one write per bucket). Writes are therefore bounded by
  ``buckets / sync_interval`` per process whatever the number of attempts,
  names or addresses (typically: the one or two buckets under attack, once a
  second). A conflict with another process's write keeps the counts for the
  next round.
- A check reads the key's bucket at most once per ``sync_interval`` (cached).
  So another process's failures count here within about two intervals; in that
  time each process still locks on its own counts, so N processes allow at
  most N x ``max_failures`` before every one of them refuses the key.
- A bucket keeps at most ``max_entries`` entries: past that the oldest
  unlocked ones go (a flood of made-up names costs a key under attack its
  count, never its lock). Entries older than ``window`` and unlocked are
  dropped at each write. Clocks: lock times are wall-clock seconds, so hosts
  must agree on the time within a second or so (NTP).
- The store unreachable: this process goes on with its own counts, and
  retries the writes for ``MAX_FAILED_ROUNDS`` intervals, then drops them.
"""
import hashlib
import logging
import time

import gevent

from kzcore.errors import KzError, TooManyAttempts

log = logging.getLogger(__name__)

DB = "login_throttle"
MAX_FAILED_ROUNDS = 30        # rounds in a row without a write: the queued counts are dropped


def _conflicts_only(errors):
    return all(isinstance(e, KzError) and e.error_id == "conflict" for e in errors)


def digest(key):
    return hashlib.sha256("\x1f".join(key).encode("utf-8")).hexdigest()[:32]


def merge_failures(entry, failures, now, rules):
    """``entry`` after ``failures`` more (PURE); ``rules``: the LoginThrottle."""
    entry = dict({"n": 0, "last": 0.0, "until": 0.0}, **(entry or {}))
    if now - entry["last"] > rules.window:
        entry["n"] = 0
    entry["n"] += failures
    entry["last"] = now
    allowed = rules.max_failures_per_address if entry.get("kind") == "address" \
        else rules.max_failures
    if entry["n"] >= allowed:
        lock = now + min(rules.max_lockout, rules.lockout * 2 ** (entry["n"] - allowed))
        entry["until"] = max(entry["until"], lock)
    return entry


def pruned(entries, now, window, max_entries):
    """Entries worth keeping (PURE): unlocked ones older than ``window`` go, and
    beyond ``max_entries`` the least recently failed unlocked ones."""
    kept = {k: e for k, e in entries.items() if now - e["last"] <= window or e["until"] > now}
    if len(kept) > max_entries:
        unlocked = sorted((e["last"], k) for k, e in kept.items() if e["until"] <= now)
        for _, key in unlocked[:len(kept) - max_entries]:
            del kept[key]
    return kept


class SharedLoginThrottle:
    def __init__(self, local, store, *, buckets=64, sync_interval=1.0, max_entries=500,
                 clock=time.time):
        self.local, self.store = local, store
        self.buckets, self.sync_interval, self.max_entries = buckets, sync_interval, max_entries
        self.clock = clock
        self._cache = {}        # bucket -> (entries, read at)
        self._pending = {}      # bucket -> {digest: [failures, cleared, kind, last failure]}
        self._flusher = None
        self._last_flush = 0.0
        self._failed_rounds = 0
        self.writes = self.conflicts = self.shared_throttled = 0

    @classmethod
    def from_config(cls, local, store, config):
        return cls(local, store, buckets=config.login_throttle_buckets,
                   sync_interval=config.login_sync_interval)

    def stats(self):
        return dict(self.local.stats(), shared_throttled=self.shared_throttled,
                    shared_writes=self.writes, shared_conflicts=self.conflicts)

    def bucket(self, key_digest):
        return int(key_digest, 16) % self.buckets

    # --- the LoginThrottle interface -------------------------------------------------
    def check(self, keys):
        self.local.check(keys)
        now = self.clock()
        waits = []
        for key in keys:
            key_digest = digest(key)
            entry = self._entries(self.bucket(key_digest)).get(key_digest)
            if entry is not None and entry["until"] > now:
                waits.append(entry["until"] - now)
        if waits:
            self.shared_throttled += 1
            self.local.throttled += 1
            raise TooManyAttempts(max(waits))

    def failed(self, keys):
        self.local.failed(keys)
        now = self.clock()
        for key in keys:
            key_digest = digest(key)
            pending = self._pending.setdefault(self.bucket(key_digest), {})
            change = pending.setdefault(key_digest, [0, False, key[0], now])
            change[0] += 1
            change[3] = now         # locks run from the failure, not from the write
        self._schedule()

    def succeeded(self, keys):
        self.local.succeeded(keys)
        for key in keys:
            key_digest = digest(key)
            bucket = self.bucket(key_digest)
            if key[0] != "address" and key_digest in self._cache.get(bucket, ({}, 0))[0]:
                self._pending.setdefault(bucket, {})[key_digest] = [0, True, key[0], 0.0]
                self._schedule()

    # --- the store -------------------------------------------------------------------
    def _entries(self, bucket):
        cached = self._cache.get(bucket)
        now = self.clock()
        if cached is not None and now - cached[1] < self.sync_interval:
            return cached[0]
        try:
            doc = self.store.get_or_none(DB, f"bucket-{bucket}") or {}
        except KzError as exc:
            log.warning("login throttle: store unreachable, counting locally",
                        extra={"error": exc.error_id})
            return cached[0] if cached else {}
        entries = doc.get("entries") if isinstance(doc.get("entries"), dict) else {}
        self._cache[bucket] = (entries, now)
        return entries

    def _schedule(self):
        if self._flusher is None or self._flusher.dead:
            delay = max(0.0, self._last_flush + self.sync_interval - self.clock())
            self._flusher = gevent.spawn_later(delay, self._flush)

    def _flush(self):
        self._last_flush = self.clock()
        pending, self._pending = self._pending, {}
        failures = []
        for bucket, changes in pending.items():
            try:
                self._write(bucket, changes)
            except Exception as exc:  # noqa: BLE001 - keep the counts for the next round
                self.conflicts += 1
                failures.append(exc)
                self._requeue(bucket, changes)
        self._failed_rounds = self._failed_rounds + 1 if failures and len(failures) == \
            len(pending) else 0
        if self._failed_rounds == 1 and not _conflicts_only(failures):
            log.warning("login throttle: counts not written to the store, retrying",
                        extra={"error": repr(failures[0]), "buckets": len(failures)})
        if self._failed_rounds >= MAX_FAILED_ROUNDS:
            log.warning("login throttle: store unreachable, counts kept by this process only",
                        extra={"error": repr(failures[0]), "rounds": self._failed_rounds})
            self._pending, self._failed_rounds = {}, 0
        if self._pending:
            self._flusher = gevent.spawn_later(self.sync_interval, self._flush)

    def _write(self, bucket, changes):
        doc_id = f"bucket-{bucket}"
        doc = self.store.get_or_none(DB, doc_id) or {"_id": doc_id, "pvt_type": "login_throttle"}
        now = self.clock()
        entries = dict(doc.get("entries") or {})
        for key_digest, (failures, cleared, kind, at) in changes.items():
            if cleared:
                entries.pop(key_digest, None)
            if failures:
                entries[key_digest] = merge_failures(
                    dict(entries.get(key_digest) or {}, kind=kind), failures, at, self.local)
        doc["entries"] = pruned(entries, now, self.local.window, self.max_entries)
        self.store.save(DB, doc)
        self.writes += 1
        self._cache[bucket] = (doc["entries"], now)

    def _requeue(self, bucket, changes):
        pending = self._pending.setdefault(bucket, {})
        for key_digest, (failures, cleared, kind, at) in changes.items():
            mine = pending.setdefault(key_digest, [0, False, kind, at])
            mine[0] += failures
            mine[1] = mine[1] or cleared
            mine[3] = max(mine[3], at)
