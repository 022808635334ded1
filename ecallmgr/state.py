"""Live state ecallmgr keeps per FreeSWITCH node: conferences by instance, their
members with flags and channel variables, and the channel variables seen on
CHANNEL_* events (conference events only carry them on verbose profiles).

Pure bookkeeping, no I/O: the stream feeds it events, the resync reads it.
"""
import collections
import dataclasses

from ecallmgr import events
from ecallmgr.normalize import caller_id, channel_vars, is_member_event, presence_id

# The member block headers that describe a member's current state.
MEMBER_STATE_HEADERS = ("Floor", "Video", "Hear", "See", "Speak", "Talking", "Mute-Detect",
                        "Hold", "Member-ID", "Member-Type", "Member-Ghost", "Energy-Level",
                        "Current-Energy")
MAX_CHANNELS = 50000


@dataclasses.dataclass
class Member:
    call_id: str
    participant_id: int
    caller_id_name: str = None
    caller_id_number: str = None
    presence_id: str = None
    variables: dict = dataclasses.field(default_factory=dict)
    block: dict = dataclasses.field(default_factory=dict)   # MEMBER_STATE_HEADERS values

    @property
    def is_moderator(self):
        return self.block.get("Member-Type") == "moderator"


@dataclasses.dataclass
class Conference:
    node: str
    name: str
    instance_id: str
    members: dict = dataclasses.field(default_factory=dict)   # call_id -> Member
    locked: bool = False
    recordings: set = dataclasses.field(default_factory=set)
    size: int = 0


@dataclasses.dataclass(frozen=True)
class Applied:
    conference: Conference
    member: Member = None
    known_before: bool = True   # was the member (room events: the room) known before?
    action: str = None

    @property
    def is_repeat(self):
        """True for an add-member/conference-create of what is already known (a resync
        announced it) and a del-member/conference-destroy of what is already gone."""
        if self.action in ("add-member", "conference-create"):
            return self.known_before
        if self.action in ("del-member", "conference-destroy"):
            return not self.known_before
        return False


class LiveState:
    def __init__(self):
        self._nodes = collections.defaultdict(dict)        # node -> instance_id -> Conference
        self._channels = collections.OrderedDict()         # (node, uuid) -> (variables, presence)

    # -- reading -----------------------------------------------------------
    def conferences(self, node):
        return list(self._nodes.get(node, {}).values())

    def conference(self, node, instance_id):
        return self._nodes.get(node, {}).get(instance_id)

    def nodes(self):
        return [node for node, rooms in self._nodes.items() if rooms]

    def member_count(self):
        return sum(len(c.members) for rooms in self._nodes.values() for c in rooms.values())

    # -- updating ----------------------------------------------------------
    def apply(self, node, event):
        """Update from one event; returns Applied (records as they are after the
        event; a del-member's member is the one just removed) or None."""
        if event.get("Event-Name") in events.CHANNEL_EVENTS:
            self._apply_channel(node, event)
            return None
        if event.get("Event-Subclass") != events.MAINTENANCE_SUBCLASS:
            return None
        action = event.get("Action")
        instance_id = event.get("Conference-Unique-ID")
        room_known = instance_id in self._nodes[node]
        if action == "conference-destroy":
            gone = self._nodes[node].pop(instance_id, None)
            return Applied(gone or Conference(node, event.get("Conference-Name"), instance_id),
                           known_before=room_known, action=action)
        conference = self._room(node, event)
        self._apply_room_action(conference, action, event)
        if is_member_event(event) and action in events.PARTICIPANT_EVENTS:
            member_known = event["Unique-ID"] in conference.members
            member = self._apply_member(node, conference, action, event)
            return Applied(conference, member, member_known, action)
        return Applied(conference, None, room_known, action)

    def forget_node(self, node):
        """Drop everything known about a node; returns its conferences."""
        rooms = self._nodes.pop(node, {})
        for key in [key for key in self._channels if key[0] == node]:
            del self._channels[key]
        return list(rooms.values())

    def _room(self, node, event):
        instance_id = event.get("Conference-Unique-ID")
        conference = self._nodes[node].get(instance_id)
        if conference is None:
            conference = Conference(node, event.get("Conference-Name"), instance_id)
            self._nodes[node][instance_id] = conference
        size = event.get("Conference-Size")
        if size is not None and size.isdigit():
            conference.size = int(size)
        return conference

    @staticmethod
    def _apply_room_action(conference, action, event):
        if action in ("lock", "unlock"):
            conference.locked = action == "lock"
        elif action == "start-recording":
            conference.recordings.add(event.get("Path"))
        elif action == "stop-recording":
            conference.recordings.discard(event.get("Path"))
            if event.get("Other-Recordings") == "false":
                conference.recordings.clear()
        elif action == "floor-change":
            holder = event.get("New-ID")
            for member in conference.members.values():
                member.block["Floor"] = "true" if str(member.participant_id) == holder else "false"

    def _apply_member(self, node, conference, action, event):
        call_id = event["Unique-ID"]
        if action == "del-member":
            return conference.members.pop(call_id, None) or self._new_member(node, event)
        member = conference.members.get(call_id)
        if member is None:
            member = conference.members[call_id] = self._new_member(node, event)
        else:
            update_member(member, event)
        return member

    def _new_member(self, node, event):
        member = Member(call_id=event["Unique-ID"], participant_id=int(event["Member-ID"]))
        captured = self._channels.get((node, member.call_id))
        if captured is not None:
            member.variables.update(captured[0])
            member.presence_id = captured[1]
        update_member(member, event)
        return member

    def _apply_channel(self, node, event):
        uuid = event.get("Unique-ID")
        if not uuid:
            return
        key = (node, uuid)
        if event.get("Event-Name") == "CHANNEL_HANGUP_COMPLETE":
            self._channels.pop(key, None)
            return
        variables, presence = self._channels.pop(key, ({}, None))
        variables = {**variables, **channel_vars(event)}
        self._channels[key] = (variables, presence_id(event) or presence)
        if len(self._channels) > MAX_CHANNELS:
            self._channels.popitem(last=False)
        for conference in self._nodes.get(node, {}).values():
            member = conference.members.get(uuid)
            if member is not None:
                member.variables.update(variables)
                member.presence_id = member.presence_id or self._channels[key][1]


def update_member(member, event):
    """Refresh a member record from an event's member block (full state each time)."""
    for header in MEMBER_STATE_HEADERS:
        if header in event:
            member.block[header] = event[header]
    name, number = caller_id(event)
    member.caller_id_name = name if name is not None else member.caller_id_name
    member.caller_id_number = number if number is not None else member.caller_id_number
    member.presence_id = presence_id(event) or member.presence_id
    member.variables.update(channel_vars(event))
