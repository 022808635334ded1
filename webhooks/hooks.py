"""The hook table (PURE): which webhook events one bus event makes.

A webhook subscribes to one ``hook``: ``conference``, ``participant``,
``recording``, ``transcript`` or ``all``. A bus event (ecallmgr's Kazoo-format
conference and participant events, crossbar's document events) makes zero, one
or two webhook events, each named ``<hook>.<what>`` and carrying a few extra
fields (why a participant left, why a room ended, which recording is ready).

Reasons come from what preceded in the same room (``RoomMemory``): FreeSWITCH's
del-member does not say why, but a kick-member, hup-member or transfer of the
same call just before it does.
"""
import collections
import dataclasses

from kzcore.naming import is_account_id   # the same 32-hex form as every document id

ALL = "all"

# bus `event` -> webhook event; the hook is the name's first word
PLAIN = {
    "doc_created": "conference.created", "doc_edited": "conference.updated",
    "doc_deleted": "conference.deleted", "conference-create": "conference.started",
    "add-member": "participant.joined",
    "mute-member": "participant.muted", "unmute-member": "participant.unmuted",
    "deaf-member": "participant.deaf", "undeaf-member": "participant.undeaf",
    "hold-member": "participant.held", "unhold-member": "participant.unheld",
    "transfer": "participant.moved",
    "recording-started": "recording.started", "recording-stopped": "recording.stopped",
    "recording-paused": "recording.paused", "recording-resumed": "recording.resumed",
    "recording-deleted": "recording.deleted",
    "transcript-ready": "transcript.ready", "transcript-failed": "transcript.failed",
    "transcript-deleted": "transcript.deleted",
}
# what made a participant leave, remembered per call until its del-member
LEAVING = {"kick-member": "kicked", "hup-member": "hung_up_by_moderator", "transfer": "moved"}
LEFT_BY_HANGUP = "hangup"
ENDED_EMPTY, ENDED_KICKED = "last_participant_left", "participants_kicked"
EVENT_NAMES = tuple(sorted(set(PLAIN.values()) | {
    "participant.left", "conference.ended", "recording.failed", "recording.ready"}))


@dataclasses.dataclass(frozen=True)
class HookEvent:
    name: str              # e.g. "participant.left"
    extras: dict           # fields added to the body (reason, end_reason, recording_id...)

    @property
    def hook(self):
        return self.name.partition(".")[0]


def subscribed(hook, event_name):
    """True if a webhook on ``hook`` wants ``event_name``."""
    return hook == ALL or event_name.partition(".")[0] == hook


class RoomMemory:
    """Per room: why each leaving call is leaving, and how the last one left.
    Bounded (oldest rooms forgotten first)."""

    def __init__(self, max_rooms=10000):
        self._rooms = collections.OrderedDict()
        self._max_rooms = max_rooms

    def room(self, account_id, conference_id):
        key = (account_id, conference_id)
        state = self._rooms.pop(key, None) or {"leaving": {}, "last_left": None}
        self._rooms[key] = state
        while len(self._rooms) > self._max_rooms:
            self._rooms.popitem(last=False)
        return state

    def forget(self, account_id, conference_id):
        self._rooms.pop((account_id, conference_id), None)


def hook_events(payload, memory):
    """The webhook events of one bus event (and ``memory`` updated by it)."""
    action = payload.get("event")
    account_id, conference_id = payload.get("account_id"), payload.get("conference_id")
    if not isinstance(action, str) or not account_id or not conference_id:
        return []
    room = memory.room(account_id, conference_id)
    if action in LEAVING and payload.get("call_id"):
        room["leaving"][payload["call_id"]] = LEAVING[action]
    if action == "del-member":
        reason = room["leaving"].pop(payload.get("call_id"), LEFT_BY_HANGUP)
        room["last_left"] = reason
        return [HookEvent("participant.left", {"reason": reason})]
    if action == "conference-destroy":
        ended = ENDED_KICKED if room["last_left"] == "kicked" else ENDED_EMPTY
        memory.forget(account_id, conference_id)
        return [HookEvent("conference.ended", {"end_reason": ended})]
    if action == "recording-failed":
        return [HookEvent("recording.failed", {"reason": payload.get("reason")})]
    events = [HookEvent(PLAIN[action], {})] if action in PLAIN else []
    if action == "recording-stopped":
        events += recording_ready(payload)
    return events


def recording_ready(payload):
    """A stopped recording crossbar can serve: named by a crossbar id (a file crossbar
    asked for: ``<32 hex>.<format>``) and not empty. The event names the recording,
    never the file's place on the server."""
    account_id, conference_id = payload["account_id"], payload["conference_id"]
    recording_id = payload.get("recording_id")
    if not is_account_id(recording_id) or not payload.get("record_file_size"):
        return []
    url = (f"/v2/accounts/{account_id}/conferences/{conference_id}"
           f"/recordings/{recording_id}/raw")
    return [HookEvent("recording.ready", {"recording_id": recording_id, "download_url": url})]
