"""The rooms the service watches, and the memory of their runs, which comes
back from the status document after a restart or a takeover."""
import dataclasses

from kzcore.naming import fs_conference_name

from lifecycle.rules import RunMemory


@dataclasses.dataclass
class Room:
    account_id: str
    conference_id: str
    node: str
    settings: object
    memory: RunMemory = None
    timer: object = None            # the greenlet of the next look
    gone_since: float = None
    sizes: tuple = (None, 0)        # (instance id, most participants its events showed)

    @property
    def key(self):
        return (self.account_id, self.conference_id)

    @property
    def name(self):
        return fs_conference_name(self.account_id, self.conference_id)

    def note_size(self, instance_id, size):
        """A joined event's ``conference_size``: events see every peak, looks may not."""
        if not isinstance(size, int) or not instance_id:
            return
        seen_instance, peak = self.sizes
        self.sizes = (instance_id, max(size, peak) if seen_instance == instance_id else size)

    def peak_of(self, instance_id):
        return self.sizes[1] if self.sizes[0] == instance_id else 0

    def cancel_timer(self):
        if self.timer is not None:
            self.timer.kill(block=False)
            self.timer = None


def remembered(records, room, facts, now):
    """The RunMemory of the room's current run (``facts.instance_id``): the one in
    hand, else the status document's (a restart or a takeover), else a new run,
    recorded as started ``run_time`` seconds ago."""
    memory = room.memory
    if memory is not None and memory.instance_id == facts.instance_id:
        return memory
    run = (records.load(room.account_id, room.conference_id) or {}).get("run") or {}
    if run.get("instance_id") == facts.instance_id:
        memory = RunMemory(facts.instance_id, peak=int(run.get("peak") or 0),
                           empty_since=run.get("empty_since"))
    else:
        records.started(room.account_id, room.conference_id, facts.instance_id, room.node,
                        int(now) - facts.run_time)
        memory = RunMemory(facts.instance_id)
    room.memory = memory
    return memory


def persist_changes(records, room, before, memory):
    """Write what a restart would need: the peak once a connect room has connected,
    and when the room became (or stopped being) empty. ``before``: (peak, empty_since)."""
    peak, empty_since = before
    if room.settings.connect and peak < 2 <= memory.peak:
        records.run_field(room.account_id, room.conference_id, memory.instance_id, "peak",
                          memory.peak)
    if empty_since != memory.empty_since:
        records.run_field(room.account_id, room.conference_id, memory.instance_id,
                          "empty_since", memory.empty_since)
