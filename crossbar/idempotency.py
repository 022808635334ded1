"""Idempotent actions: ``command_id``.

An action may carry a ``command_id`` (1-64 characters). The first request with a
given id on a conference is carried out; a repeat within ``command_id_ttl`` seconds
(10 minutes) gets the first answer back -- its status and data, or its error --
and nothing is sent to FreeSWITCH again, whichever crossbar process (gunicorn
worker, host) it reaches.

The record lives in the document store, database ``command_ids``: one document per
(account, conference, command_id), its id a digest of the three. Creating it is
the lock: of two requests racing with one id the store's 409 on create lets one
carry the action out; the other waits (``command_id_wait``) for its answer.

- The record is written ``pending`` before the action runs and ``done``, with the
  answer, after. Answers kept: successes, and refusals that come from carrying the
  action out (404, 409, 422: the switch's or the room's answer). A request that was
  invalid (400) or found FreeSWITCH unreachable (503) keeps nothing, so the same
  command_id can be tried again.
- The same command_id with another action, target or data is a 400: it names one
  command. A repeat that waited ``command_id_wait`` for a first request still
  running is a 409.
- An expired record counts as absent (it is removed when met); a sweep removes the
  others, at most every ``command_id_sweep_interval`` seconds per process (0: never).
"""
import hashlib
import logging
import time

import gevent

from crossbar.action_requests import fingerprint
from kzcore import errors as kz
from kzcore.config import SETTINGS

log = logging.getLogger(__name__)

DB = "command_ids"
PENDING, DONE = "pending", "done"
# Refusals that answer the command (kept and replayed); anything else is not kept.
KEPT_ERRORS = (kz.SwitchRefused, kz.NotRunning, kz.Conflict, kz.NotFound)
POLL = 0.05
SWEEP_BATCH = 500


def record_id(account_id, conference_id, command_id):
    text = "\x1f".join((account_id, conference_id, command_id))
    return "cmd-" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def usable(command_id):
    """A command_id the ledger can key on; anything else is left to validation."""
    return isinstance(command_id, str) and 1 <= len(command_id) <= 64


def run_action(ledger, account_id, conference_id, scope, request, perform):
    """``perform(request) -> (data, status)`` for an action request, once per
    usable ``command_id`` when there is a ledger: ``(data, status, replayed)``.
    ``scope``: what the action is for (the fingerprint's target)."""
    if ledger is None or not usable(request.command_id):
        return perform(request) + (False,)
    return ledger.run((account_id, conference_id, request.command_id),
                      fingerprint(scope, request), lambda: perform(request))


class CommandLedger:
    def __init__(self, store, *, ttl=600.0, wait=10.0, sweep_interval=60.0, clock=time.time,
                 poll=POLL):
        self.store, self.ttl, self.wait = store, float(ttl), float(wait)
        self.sweep_interval, self.clock, self.poll = float(sweep_interval), clock, poll
        self._last_sweep = None

    @classmethod
    def from_config(cls, store, config):
        def setting(name):
            return getattr(config, name, SETTINGS[name][1])
        return cls(store, ttl=setting("command_id_ttl"), wait=setting("command_id_wait"),
                   sweep_interval=setting("command_id_sweep_interval"))

    def run(self, key, fingerprint, perform):
        """``key``: (account_id, conference_id, command_id); ``perform() -> (data, status)``.
        Returns ``(data, status, replayed)``; raises the first answer's error."""
        self._maybe_sweep()
        doc_id = record_id(*key)
        deadline = self.clock() + self.wait
        while True:
            mine, record = self._reserve(doc_id, key, fingerprint)
            if mine:
                return self._carry_out(record, perform) + (False,)
            if record is not None:
                if record.get("fingerprint") != fingerprint:
                    raise _reused(key[2])
                if record.get("state") == DONE:
                    log.info("command_id repeated: first answer replayed",
                             extra={"account_id": key[0], "conference_id": key[1]})
                    return _replay(record["answer"]) + (True,)
            if self.clock() >= deadline:
                raise kz.Conflict(f"command {key[2]} is still being carried out; try again",
                                  {"command_id": key[2]})
            gevent.sleep(self.poll)

    def _reserve(self, doc_id, key, fingerprint):
        """(True, pending record) when this request got the id; else (False, the
        record holding it, or None when it just went away)."""
        now = self.clock()
        doc = {"_id": doc_id, "pvt_type": "command_record", "account_id": key[0],
               "conference_id": key[1], "command_id": key[2], "fingerprint": fingerprint,
               "state": PENDING, "created_at": now, "expires_at": now + self.ttl}
        try:
            return True, self.store.save(DB, doc)
        except kz.Conflict:
            pass
        existing = self.store.get_or_none(DB, doc_id)
        if existing is not None and existing.get("expires_at", 0) <= now:
            self._remove(existing)
            return False, None
        return False, existing

    def _carry_out(self, record, perform):
        try:
            data, status = perform()
        except KEPT_ERRORS as error:
            self._finish(record, _error_answer(error))
            raise
        except BaseException:
            self._remove(record)
            raise
        self._finish(record, {"status": status, "data": data})
        return data, status

    def _finish(self, record, answer):
        try:
            self.store.save(DB, dict(record, state=DONE, answer=answer))
        except kz.KzError as error:  # the action ran: its answer still goes to this caller
            log.error("command_id answer not kept", extra={
                "command_id": record["command_id"], "error": error.message})

    def _remove(self, record):
        try:
            self.store.delete(DB, record["_id"], record["_rev"])
        except (kz.NotFound, kz.Conflict):
            pass    # another process removed or replaced it
        except kz.KzError as error:
            log.error("command_id record not removed", extra={
                "command_id": record.get("command_id"), "error": error.message})

    # --- expiry -------------------------------------------------------------------
    def _maybe_sweep(self):
        now = self.clock()
        if self.sweep_interval <= 0:
            return
        if self._last_sweep is None or now - self._last_sweep >= self.sweep_interval:
            self._last_sweep = now
            gevent.spawn(self.sweep, now)

    def sweep(self, now=None):
        """Remove the records expired at ``now`` (every process may sweep: 404/409
        are ignored)."""
        try:
            now = self.clock() if now is None else now
            expired = self.store.find(DB, {"expires_at": {"$lt": now}},
                                      limit=SWEEP_BATCH)
            for record in expired:
                self._remove(record)
        except Exception:  # noqa: BLE001 - a background chore: the next sweep tries again
            log.exception("command_id sweep failed")
            return 0
        return len(expired)


def _error_answer(error):
    kind = next(cls for cls in KEPT_ERRORS if isinstance(error, cls))
    return {"error": kind.__name__, "error_id": error.error_id, "message": error.message,
            "data": error.data}


def _replay(answer):
    if "error" not in answer:
        return answer["data"], answer["status"]
    kind = {cls.__name__: cls for cls in KEPT_ERRORS}.get(answer["error"], kz.SwitchRefused)
    error = kind(answer["message"], answer.get("data"))
    error.error_id = answer.get("error_id") or kind.error_id
    raise error


def _reused(command_id):
    return kz.ValidationFailed("validation error", {"command_id": {"unique": {
        "message": "command_id was already used for another command on this conference",
        "value": command_id}}})
