"""What a dial records for the lifecycle (see crossbar.lifecycle.ending for the
race with ``end``):

- before its legs are sent: the legs flagged ``end_conference_on_exit`` (the
  lifecycle service ends the room when one of them leaves), and, for a room that
  is not running, the legs that may start it (the conference is ``starting``
  until one joins or ``until`` passes);
- after they are sent: if an ``end`` was requested meanwhile, the legs are hung up.
"""
from kzcore.lifecycle import END_ON_EXIT_FLAG, status_doc
from kzcore.naming import account_db

from crossbar.lifecycle.ending import hang_up_calls

RING_SECONDS = 60.0      # FreeSWITCH's originate_timeout when the dial gives none
MARGIN = 5.0


def split_flags(params):
    """``(params without end_conference_on_exit, whether it was asked for)``: it is
    this system's flag, not a mod_conference member flag."""
    flags = params.get("participant_flags") or []
    if END_ON_EXIT_FLAG not in flags:
        return params, False
    return {**params, "participant_flags": [f for f in flags if f != END_ON_EXIT_FLAG]}, True


class DialMarks:
    def __init__(self, live):
        self.live = live

    def before(self, account_id, conference_id, call_ids, *, end_on_exit, room_running,
               timeout=None):
        """Stamp the legs; the time of the stamp (None when there was nothing to stamp)."""
        now = self.live.clock()
        store = self.live.store
        if end_on_exit and call_ids:
            status_doc.update(store, account_id, conference_id,
                              status_doc.flag_end_on_exit(call_ids))
        if room_running or not call_ids:
            return None
        until = now + float(timeout or RING_SECONDS) + MARGIN
        status_doc.update(store, account_id, conference_id,
                          status_doc.mark_dial(call_ids, now, until))
        return now

    def after(self, account_id, conference_id, marked_at, call_ids):
        """Hang up this dial's legs if an end was requested since they were stamped."""
        if marked_at is None:
            return []
        doc = status_doc.load(self.live.store, account_id, conference_id)
        if not status_doc.end_requested_since(doc, marked_at):
            return []
        return hang_up_calls(self.live, call_ids)

    def failed(self, account_id, conference_id, marked_at):
        """Every leg failed: the room is not starting after all (an id with no
        document keeps no status document either)."""
        if marked_at is None:
            return
        if not self.live.store.get_or_none(account_db(account_id), conference_id):
            status_doc.remove(self.live.store, account_id, conference_id)
            return

        def change(doc):
            if (doc.get("dial") or {}).get("at") != marked_at:
                return None       # a later dial's mark
            doc["dial"] = None
            return doc
        status_doc.update(self.live.store, account_id, conference_id, change)
