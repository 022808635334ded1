"""``max_duration_s``: every recording stops at its deadline, whichever crossbar
process started it and whether or not that process still runs.

The deadline is the recording document's ``stop_at`` (Unix seconds), written when
the recording starts. Each crossbar process keeps a timer per active recording it
knows of: the ones it starts, and, read from the store when it starts and every
``CHECK_INTERVAL`` seconds after, every active recording of every account (so a
restart, or the death of the process that started a recording, forgets nothing).
At the deadline the room's recording is stopped (``stop_reason: max_duration``);
a participant's track is stopped by the switch itself (``uuid_record``'s limit),
and one whose document still says ``recording`` past its deadline (its RECORD_STOP
came while no crossbar listened) is stopped and finished here. A room recording
whose room ended without a stop (everyone left) is finished by the check too
(``stop_reason: room_ended``): its file is complete, nothing will stop it. Of two
processes reaching the same deadline, the first stops it and the second finds
nothing left to stop.
"""
import logging

import gevent

from crossbar.recordings import docs
from kzcore.errors import Conflict, KzError, NotFound, NotRunning
from kzcore.naming import ACCOUNTS_DB, account_db, fs_conference_name

log = logging.getLogger(__name__)
CHECK_INTERVAL = 60.0
TRACK_GRACE = 5.0   # seconds past a track's deadline before its document is settled here
ROOM_GRACE = 10.0   # seconds a room recording runs before its room's end is looked for


def overdue_tracks(found, now, grace=None):
    """The participant tracks (documents) whose deadline is ``grace`` seconds gone (PURE)."""
    grace = TRACK_GRACE if grace is None else grace
    return [doc for doc in found if doc.get("kind") == "participant"
            and doc.get("stop_at") is not None and doc["stop_at"] + grace <= now]


class MaxDurationTimers:
    def __init__(self, live, parts, interval=CHECK_INTERVAL):
        self.live, self.parts, self.interval = live, parts, interval
        self._timers, self._loop = {}, None

    # --- timers --------------------------------------------------------------------
    def schedule(self, account_id, conference_id, recording_id, seconds):
        if recording_id in self._timers:
            return
        self._timers[recording_id] = gevent.spawn_later(
            max(0.0, seconds), self._expire, account_id, conference_id, recording_id)

    def cancel(self, recording_id):
        timer = self._timers.pop(recording_id, None)
        if timer is not None and timer is not gevent.getcurrent():
            timer.kill(block=False)

    def _expire(self, account_id, conference_id, recording_id):
        from crossbar.recordings import room
        self._timers.pop(recording_id, None)
        active = room.active_recording(self.live.store, account_id, conference_id)
        if active is None or active["_id"] != recording_id:
            return
        log.info("recording reached its maximum length", extra={
            "account_id": account_id, "conference_id": conference_id,
            "recording_id": recording_id})
        try:
            room.stop(None, self.live, self.parts, account_id, conference_id, {},
                      reason="max_duration")
        except (Conflict, NotFound, NotRunning) as gone:   # stopped meanwhile, room ended
            log.info("recording at its maximum length was not stopped here", extra={
                "recording_id": recording_id, "reason": gone.message})
        except KzError as problem:   # switch or store away: the next check tries again
            log.warning("recording at its maximum length not stopped yet", extra={
                "recording_id": recording_id, "reason": problem.message})
        except Exception:  # noqa: BLE001 - logged; the next check tries again
            log.exception("stopping a recording at its maximum length failed",
                          extra={"recording_id": recording_id})

    # --- the deadlines in the store ----------------------------------------------------
    def start(self):
        if self._loop is None:
            self._loop = gevent.spawn(self._run)
        return self

    def _run(self):
        while True:
            try:
                self.check()
            except KzError as problem:   # the store away (or not made yet): try again later
                log.warning("recording deadlines not checked", extra={"reason": problem.message})
            except Exception:  # noqa: BLE001 - the next check tries again
                log.exception("checking recording deadlines failed")
            gevent.sleep(self.interval)

    def check(self):
        """Schedule every active recording's deadline, forget the timers of recordings
        no longer active (stopped by another process); settle overdue tracks. Returns
        the number of room recordings scheduled."""
        scheduled, now, active = 0, self.live.clock(), set()
        known = set(self._timers)    # not one scheduled while this reads (its doc may be unread)
        for account in self.live.store.find(ACCOUNTS_DB, {"pvt_type": "account"}):
            account_id = account["_id"]
            try:
                found = self.live.store.find(account_db(account_id), {
                    "pvt_type": docs.PVT_TYPE, "status": {"$in": list(docs.ACTIVE)}})
            except NotFound:        # an account without its database (being deleted)
                continue
            for doc in found:
                if doc.get("kind", "conference") != "conference":
                    continue
                if self._room_ended(account_id, doc, now):
                    self._settle_room(account_id, doc)
                elif doc.get("stop_at"):
                    self.schedule(account_id, doc["conference_id"], doc["_id"],
                                  doc["stop_at"] - now)
                    active.add(doc["_id"])
                    scheduled += 1
            for doc in overdue_tracks(found, now):
                self._settle_track(account_id, doc)
        for recording_id in known - active:
            self.cancel(recording_id)
        return scheduled

    def _room_ended(self, account_id, doc, now):
        """The room runs on no node (every node answered): the recording ended with it."""
        if now - float(doc.get("started") or now) < ROOM_GRACE:
            return False
        try:
            return self.live.where(account_id, doc["conference_id"]) is None
        except KzError:          # a node did not answer: cannot tell
            return False

    def _settle_room(self, account_id, doc):
        from crossbar.live.located import Located
        log.info("room recording ended with its room", extra={
            "account_id": account_id, "conference_id": doc["conference_id"],
            "recording_id": doc["_id"]})
        located = Located(account_id, doc["conference_id"],
                          fs_conference_name(account_id, doc["conference_id"]), doc.get("node"))
        try:
            self.live.recordings.finish_ended(located, doc["path"])
        except Exception:  # noqa: BLE001 - the next check tries again
            log.exception("finishing a room recording failed", extra={"recording_id": doc["_id"]})

    def _settle_track(self, account_id, doc):
        log.info("participant recording past its maximum length", extra={
            "account_id": account_id, "recording_id": doc["_id"]})
        try:
            self.parts.participants.tracks.stop_one(account_id, doc)
        except Exception:  # noqa: BLE001 - the next check tries again
            log.exception("settling a participant recording failed",
                          extra={"recording_id": doc["_id"]})

    def close(self):
        if self._loop is not None:
            self._loop.kill(block=False)
            self._loop = None
        for timer in list(self._timers.values()):
            timer.kill(block=False)
        self._timers.clear()
