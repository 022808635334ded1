"""Looking at one room: what the switch says, what the rules decide, the
commands that follow, and closing a run whose end was never seen.

``RoomLooks`` works for the service (``owner``: ``request(item)``, ``later(delay,
item)``); everything runs on the service's worker greenlet.
"""
import collections
import logging

from kzcore import fsxml
from kzcore import lifecycle as lc
from kzcore.errors import KzError

from lifecycle import rules, tracker
from lifecycle.facts import facts_from

log = logging.getLogger(__name__)

CHECK, SETTLE = "check", "settle"
GOODBYE = "voicemail/vm-goodbye.wav"    # callin.prompts' "goodbye"


class RoomLooks:
    def __init__(self, owner, *, records, switch, clock, retry, gone_grace, sounds_dir):
        self.owner, self.records, self.switch, self.clock = owner, records, switch, clock
        self.retry, self.gone_grace, self.sounds_dir = retry, gone_grace, sounds_dir
        self.ended = collections.Counter()      # rooms this service ended, by reason
        self.end_failures = self.kicked = 0

    def check(self, room):
        try:
            listed = self.switch.room(room.node, room.name) if room.node else None
        except KzError as error:
            log.info("room not readable", extra={"conference_name": room.name,
                                                 "error": str(error)})
            return self.schedule(room, self.retry)
        if listed is None:
            return self._gone(room)
        now = self.clock()
        facts = facts_from(listed)
        room.gone_since = None
        memory = tracker.remembered(self.records, room, facts, now)
        before = (memory.peak, memory.empty_since)
        memory.peak = max(memory.peak, room.peak_of(memory.instance_id))
        decision = rules.decide(room.settings, facts, memory, now, self.retry)
        tracker.persist_changes(self.records, room, before, memory)
        if decision.end:
            self.end(room, decision.end)
        for member_id in decision.kick:
            self._kick(room, member_id, now)
        if decision.wake_in is not None:
            self.schedule(room, decision.wake_in)

    def schedule(self, room, delay):
        room.cancel_timer()
        room.timer = self.owner.later(delay, (CHECK, room.key))

    def end(self, room, reason):
        try:
            ended = self.switch.end(room.node, room.name, reason)
        except KzError as error:
            self.end_failures += 1
            log.warning("room not ended", extra={"conference_name": room.name,
                                                 "end_reason": reason, "error": str(error)})
            return self.schedule(room, self.retry)
        if room.memory is not None:
            room.memory.end_sent = (reason, self.clock())
        if ended:
            self.ended[reason] += 1
            self.schedule(room, self.retry)

    def _kick(self, room, member_id, now):
        sound = f"{self.sounds_dir.rstrip('/')}/{fsxml.voice_dir(room.settings.language)}/{GOODBYE}"
        if self.switch.kick(room.node, room.name, member_id, sound):
            self.kicked += 1
            log.info("waited too long for a moderator: kicked", extra={
                "conference_name": room.name, "member_id": member_id})
        room.memory.kicked[member_id] = now

    def _gone(self, room):
        """Not on its node: its conference-ended should come; if it does not within
        ``gone_grace`` (ecallmgr did not see it end), the run is closed here."""
        if room.gone_since is None:
            room.gone_since = self.clock()
            instance = room.memory.instance_id if room.memory else None
            self.owner.later(self.gone_grace, (SETTLE, room.key, instance))

    def closed_unseen(self, room, instance_id):
        """Close the run of a room still gone ``gone_grace`` after it went (end reason:
        what this service sent, else node_lost); True if closed."""
        if room.gone_since is None or instance_id is None or not self._still_gone(room):
            return False
        sent = room.memory.end_sent if room.memory else None
        self.records.ended(room.account_id, room.conference_id, instance_id,
                           int(room.gone_since), sent[0] if sent else lc.NODE_LOST)
        return True

    def _still_gone(self, room):
        try:
            listed = self.switch.room(room.node, room.name)
        except KzError:
            self.owner.later(self.retry, (SETTLE, room.key, room.memory.instance_id))
            return False
        if listed is not None:
            room.gone_since = None
            self.owner.request((CHECK, room.key))
            return False
        return True
