"""Conference lifecycle vocabulary, shared by crossbar, ecallmgr, call-in and the
lifecycle service (``kz-lifecycle``): the names of statuses, reasons and events,
and the one conference variable that carries an end decision on the switch.

How an end decision reaches every consumer: whoever ends a room first sets the
conference variable ``kz_end_reason`` (``conference <room> setvar kz_end_reason
max_duration``), then hangs everyone up (``hup all``). FreeSWITCH stamps a
room's variables as bare headers on every later event of that room
(DESIGN.md section 5), so ecallmgr reads the reason off the hup-member,
del-member and conference-destroy events themselves: the switch is the record
of why a room ended, whichever process decided it, and every ecallmgr instance
derives the same events from it.
"""
END_REASON_VARIABLE = "kz_end_reason"

IDLE, STARTING, ACTIVE, ENDING = "idle", "starting", "active", "ending"
STATUSES = (IDLE, STARTING, ACTIVE, ENDING)

# why a run of a conference ended (conference-ended ``end_reason``)
API, LAST_MEMBER_LEFT, CONNECT_COMPLETED = "api", "last_member_left", "connect_completed"
MAX_DURATION, EMPTY, MODERATOR_LEFT, NODE_LOST = "max_duration", "empty", "moderator_left", \
    "node_lost"
END_REASONS = (API, LAST_MEMBER_LEFT, CONNECT_COMPLETED, MAX_DURATION, EMPTY, MODERATOR_LEFT,
               NODE_LOST)
# reasons a process decides and sets as END_REASON_VARIABLE (the others are observed)
DECIDED_END_REASONS = (API, CONNECT_COMPLETED, MAX_DURATION, EMPTY, MODERATOR_LEFT)

# participant states, and why a participant is gone (``left`` ``left_reason``)
JOINING, JOINED, ON_HOLD, LEAVING, LEFT = "joining", "joined", "on_hold", "leaving", "left"
PARTICIPANT_STATES = (JOINING, JOINED, ON_HOLD, LEAVING, LEFT)
HANGUP, KICKED, MOVED, ENDED = "hangup", "kicked", "moved", "ended"
REFUSED_LOCKED, REFUSED_FULL, REFUSED_JOIN_ONLY = "refused_locked", "refused_full", \
    "refused_join_only"
LEFT_REASONS = (HANGUP, KICKED, MOVED, ENDED, REFUSED_LOCKED, REFUSED_FULL, REFUSED_JOIN_ONLY)

# the events ecallmgr derives from the switch's own (event names on the bus)
CONFERENCE_STARTED, CONFERENCE_ENDED = "conference-started", "conference-ended"
PARTICIPANT_JOINED, PARTICIPANT_LEFT = "joined", "left"
LIFECYCLE_EVENTS = (CONFERENCE_STARTED, CONFERENCE_ENDED, PARTICIPANT_JOINED, PARTICIPANT_LEFT)

# conference document keys (schemas/conferences.json)
CONFERENCE, CONNECT = "conference", "connect"
CONFERENCE_TYPES = (CONFERENCE, CONNECT)

# the participant flag (dial ``participant_flags``, participant action)
END_ON_EXIT_FLAG = "end_conference_on_exit"


# `hup all` in a room whose last members are already leaving prints nothing, which
# mod_event_socket answers as "-ERR no reply": the room is ending by itself.
NOBODY_LEFT_REPLY = "-ERR no reply"


def nobody_left(action, reply_text):
    """True for the reply of an end command that found nobody left to hang up."""
    return action == "hup" and (reply_text or "").strip() == NOBODY_LEFT_REPLY


def end_commands(reason):
    """The commands that end a room, in order, as ``(fs_commands action, args)``: the
    reason first (every later event of the room carries it), then everyone hung up."""
    return [("setvar", {"key": END_REASON_VARIABLE, "value": reason}),
            ("hup", {"member": "all"})]
