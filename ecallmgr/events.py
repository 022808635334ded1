"""The event lists, defined once: which mod_conference ``Action`` values ecallmgr
knows, which of them are about one participant and which about the room.

Names are FreeSWITCH's own (see fixtures/freeswitch/conference_maintenance_headers.txt
and mod_conference's sources); ecallmgr republishes them unchanged in ``event``.
"""

from kzcore import dialled
from kzcore.representations import conference_event, envelope, participant_event

MAINTENANCE_SUBCLASS = "conference::maintenance"

# Member-scoped actions: the event carries the member block (Member-ID, Unique-ID,
# flags, caller profile). Routing key conference.event.{conference_id}.{call_id}.
PARTICIPANT_EVENTS = frozenset({
    "add-member", "del-member",
    "start-talking", "stop-talking",
    "mute-member", "unmute-member", "deaf-member", "undeaf-member",
    "kick-member", "hup-member", "mute-detect", "floor-change",
    "energy-level", "energy-level-member", "volume-level", "gain-level",
    "volume-in-member", "volume-out-member",
    "play-file-member", "play-file-member-done", "speak-text-member",
    "hold-member", "unhold-member", "transfer", "dtmf", "dtmf-member", "execute_app",
    "vmute-member", "unvmute-member", "vblind-member", "unvblind-member", "vid-floor-change",
})

# Room-level actions. Routing key conference.event.{conference_id}.conference.
CONFERENCE_EVENTS = frozenset({
    "conference-create", "conference-destroy", "lock", "unlock",
    "start-recording", "stop-recording", "pause-recording", "resume-recording",
    "play-file", "play-file-done", "speak-text", "bgdial-result",
    # floor-change with nobody taking the floor carries no member block
    "floor-change",
})

KNOWN_EVENTS = PARTICIPANT_EVENTS | CONFERENCE_EVENTS

# Channel events ecallmgr subscribes to besides conference::maintenance: they
# always carry the channel variables (conference events only do with
# verbose-events), so a member's custom channel variables are known on any profile.
CHANNEL_EVENTS = ("CHANNEL_CREATE", "CHANNEL_ANSWER", "CHANNEL_HANGUP_COMPLETE")

# A participant's own recording (uuid_record): published as recording-started/stopped
# (ecallmgr.recording_events).
RECORD_EVENTS = ("RECORD_START", "RECORD_STOP")

SUBSCRIPTION = (*CHANNEL_EVENTS, *RECORD_EVENTS, "CUSTOM", MAINTENANCE_SUBCLASS)
# ``event json``: the same event dicts as ``event plain`` (fixtures room1_scenario.*),
# parsed by orjson about five times faster than URL-decoding the plain form.
EVENT_FORMAT = "json"

# the envelope's words, defined with the representations (kzcore.representations)
PARTICIPANT_EVENT_NAME = participant_event.EVENT_NAME
CONFERENCE_EVENT_NAME = conference_event.EVENT_NAME
EVENT_CATEGORY, APP_NAME = envelope.EVENT_CATEGORY, envelope.APP_NAME

# Channel variables published as custom_channel_vars: ``kz_<name>`` -> ``<name>``,
# and Kazoo's own ``ecallmgr_<Name>`` -> snake_case name.
CCV_PREFIXES = ("kz_", "ecallmgr_")

# FreeSWITCH names a dialled leg's caller "Outbound Call"; the dialled party is in
# Caller-Callee-ID-* (or Caller-Orig-Caller-ID-*): kzcore.dialled, shared with the API.
OUTBOUND_CALLER_NAME = dialled.OUTBOUND_CALLER_NAME
NO_CALLER_NAME, NO_CALLER_NUMBER = dialled.NO_CALLER_NAME, dialled.NO_CALLER_NUMBER


def is_participant_action(action):
    return action in PARTICIPANT_EVENTS


def is_known(action):
    return action in KNOWN_EVENTS


def wanted(action, participant_events):
    """Filter of ``publish_participant_event``: None means every participant event."""
    return participant_events is None or action in participant_events
