"""Dynamic conferences leave nothing once their room has ended.

A dial into an id with no document saves one (``crossbar.conferences.dynamic_docs``);
Kazoo keeps nothing for such a room. This removes the document, and through the
conference service's own delete the numbers it claimed, once the room has ended:

- on the switch's ``conference-destroy`` for the room, seen on crossbar's own
  event connection to each node (``DialWatcher``): crossbar acts on its own
  documents, and nothing on ecallmgr's event path calls back into crossbar
  (DESIGN.md: data flows one way);
- by a sweep of every account's dynamic documents after each (re)connection to a
  node and every ``dynamic_sweep_interval`` seconds: rooms that ended while no
  crossbar watched (a restart, a lost connection), or that never started (every
  leg failed after the dial had answered).

A document goes only when (1) its last dial is older than ``dynamic_grace``
seconds (the dial saves it right after FreeSWITCH accepted the bgdial, before the
room exists); (2) no node hosts the room (a node that does not answer keeps it);
(3) none of the calls its dials placed is alive on any node (a bgdial into a new
room creates the room only when the callee answers: that may take the whole ring
time). The delete names the revision that was checked, so a dial that stamped
the document meanwhile wins, and every crossbar process may attempt the same
removal: 404 and 409 are the ordinary answers of those that come second.
"""
import logging
import time

import gevent
import gevent.queue

from crossbar.conferences.service import ConferencesService
from crossbar.conferences import dynamic_docs
from kzcore import fs_commands
from kzcore.errors import Conflict, NotFound, SwitchUnavailable
from kzcore.naming import ACCOUNTS_DB, account_db, parse_fs_conference_name

log = logging.getLogger(__name__)

DEFAULT_GRACE = 5.0
DEFAULT_INTERVAL = 60.0
SWEEP = "sweep"


class DynamicRooms:
    """``start()`` / ``close()``; ``settle(account_id, conference_id)`` and
    ``sweep()`` do the work (on the worker greenlet once started)."""

    def __init__(self, live, conferences=None, grace=DEFAULT_GRACE, interval=DEFAULT_INTERVAL,
                 clock=time.time):
        """``live``: LiveConferences (store, pool, watcher, ``where``,
        ``document_events``); ``conferences(store)``: the conference documents
        service deletes go through (default: ConferencesService, whose delete needs
        no schemas, publishing doc_deleted through ``live.document_events``)."""
        self.live = live
        self.conferences = conferences or (lambda store: ConferencesService(
            store, None, events=getattr(live, "document_events", None)))
        self.grace, self.interval, self.clock = float(grace), float(interval), clock
        self._queue = gevent.queue.Queue()
        self._pending = set()   # queued or scheduled items, each at most once
        self._greenlets = []
        self._started = self._closed = False

    def start(self):
        if not self._started:
            self._started = True
            self.live.watcher.on_room_ended(self._room_ended)
            self.live.watcher.on_node_ready(lambda node: self._enqueue(SWEEP))
            self._greenlets.append(gevent.spawn(self._work))
            if self.interval > 0:
                self._greenlets.append(gevent.spawn(self._every))
            self.live.watcher.start()
        return self

    def close(self):
        """Stop; room ends and connections seen from now on are ignored."""
        self._closed = True
        for greenlet in self._greenlets:
            greenlet.kill(block=False)
        self._greenlets = []

    # --- scheduling (handlers only enqueue) -------------------------------------
    def _room_ended(self, node, name):
        parsed = parse_fs_conference_name(name)
        if parsed is not None:
            log.info("room ended", extra={"node": node, "conference_name": name})
            self._enqueue(parsed)

    def _enqueue(self, item):
        if not self._closed and item not in self._pending:
            self._pending.add(item)
            self._queue.put(item)

    def _later(self, delay, item):
        if not self._closed and item not in self._pending:
            self._pending.add(item)
            self._greenlets.append(gevent.spawn_later(delay, self._queue.put, item))

    def _every(self):
        while True:
            gevent.sleep(self.interval)
            self._enqueue(SWEEP)

    def _work(self):
        while True:
            item = self._queue.get()
            self._pending.discard(item)
            self._greenlets = [g for g in self._greenlets if not g.dead]
            try:
                self.sweep() if item == SWEEP else self.settle(*item)
            except Exception:
                log.exception("dynamic conference cleanup failed", extra={"item": str(item)})

    # --- the work -------------------------------------------------------------
    def sweep(self):
        """Settle every dynamic conference of every account; how many were removed.
        Run on a watcher (re)connection, it first lets the command connections
        (re)connect too (at most ``esl_timeout``): a node that cannot be asked keeps
        its rooms' documents."""
        self.live.pool.wait_connected(self.live.timeout)
        removed = 0
        for account_id in self._account_ids():
            for doc in self._dynamic_docs(account_id):
                removed += self.settle(account_id, doc["_id"])
        if removed:
            log.info("dynamic conferences swept", extra={"removed": removed})
        return removed

    def settle(self, account_id, conference_id):
        """Remove a dynamic conference's document if its room has ended (see the
        module docstring); one still in its grace period is looked at again when
        that ends. True if this call removed it."""
        doc = self.live.store.get_or_none(account_db(account_id), conference_id)
        if not dynamic_docs.is_dynamic(doc):
            return False
        wait = dynamic_docs.grace_left(doc, self.clock(), self.grace)
        if wait > 0:
            self._later(wait + 0.05, (account_id, conference_id))
            return False
        if self._still_live(account_id, conference_id, doc):
            return False
        return self._remove(account_id, doc)

    def _still_live(self, account_id, conference_id, doc):
        try:
            if self.live.where(account_id, conference_id) is not None:
                return True
        except SwitchUnavailable:
            return True  # a node that did not answer may be hosting it
        checks = [gevent.spawn(self._call_alive, call_id)
                  for call_id in dynamic_docs.dial_calls(doc)]
        gevent.joinall(checks)
        return any(check.value is not False for check in checks)

    def _call_alive(self, call_id):
        """True if some node has the channel, or did not answer."""
        replies = self.live.pool.api_all(fs_commands.api_uuid_exists(call_id),
                                         timeout=self.live.timeout)
        return any(isinstance(reply, Exception) or reply.strip() == "true"
                   for reply in replies.values())

    def _remove(self, account_id, doc):
        try:
            self.conferences(self.live.store).delete(account_id, doc["_id"],
                                                     if_match=doc["_rev"])
        except (NotFound, Conflict) as outcome:
            log.info("dynamic conference left to another", extra={
                "account_id": account_id, "conference_id": doc["_id"],
                "outcome": type(outcome).__name__})
            return False
        log.info("dynamic conference removed: its room has ended", extra={
            "account_id": account_id, "conference_id": doc["_id"]})
        return True

    def _account_ids(self):
        return [doc["_id"] for doc in self.live.store.find(ACCOUNTS_DB, {"pvt_type": "account"})
                if not doc.get("pvt_deleted")]

    def _dynamic_docs(self, account_id):
        try:
            return self.live.store.find(account_db(account_id), {
                "pvt_type": "conference", dynamic_docs.DYNAMIC: True})
        except NotFound:  # the account's database is gone
            return []
