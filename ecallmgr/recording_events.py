"""Recording events (PURE): FreeSWITCH's recording events -> the product's names.

- the room's recording (conference::maintenance ``start-recording``,
  ``pause-recording``, ``resume-recording``, ``stop-recording``): published as
  ``recording-started`` / ``-paused`` / ``-resumed`` / ``-stopped``, and a
  start-recording whose ``Error`` says the file could not be opened (round4
  recording_start_unwritable) as ``recording-failed`` with that ``reason``;
- one participant's recording (``uuid_record``: the channel events RECORD_START /
  RECORD_STOP with ``Record-File-Path``, round2 record_start / record_stop):
  ``recording-started`` / ``recording-stopped`` with the participant.

Clients never see where files live on the server (a security rule): the events name
the recording (``recording_id``, the file's name without its extension: crossbar
names every file ``<recording_id>.<format>``) and the file's ``name``, never its path.
"""
import os

ROOM_ACTIONS = {"start-recording": "recording-started", "stop-recording": "recording-stopped",
                "pause-recording": "recording-paused", "resume-recording": "recording-resumed"}
CHANNEL_EVENTS = {"RECORD_START": "recording-started", "RECORD_STOP": "recording-stopped"}
FAILED = "recording-failed"


def file_fields(path):
    """``{"recording_id", "name"}`` of a recording file's path."""
    name = os.path.basename(path or "")
    return {"recording_id": os.path.splitext(name)[0] or None, "name": name or None}


def room_recording(payload, event):
    """The room payload (normalize.conference_payload) of a recording event, renamed:
    the path (``file``) replaced by the recording's id and name."""
    action = event.get("Action")
    payload.pop("file", None)
    payload.update(file_fields(event.get("Path")))
    payload["event"] = FAILED if action == "start-recording" and event.get("Error") \
        else ROOM_ACTIONS[action]
    if payload["event"] == FAILED:
        payload["reason"] = event["Error"]
    return payload


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def channel_recording(event):
    """The fields of a RECORD_START / RECORD_STOP event: the participant and the file
    (None when the channel is in no conference: not ours to publish)."""
    room = event.get("variable_conference_name")
    if not room or event.get("Event-Name") not in CHANNEL_EVENTS:
        return None
    fields = {"event": CHANNEL_EVENTS[event["Event-Name"]], "room": room,
              "participant_id": _int(event.get("variable_conference_member_id")),
              "call_id": event.get("Unique-ID"),
              "caller_id_name": event.get("Caller-Caller-ID-Name"),
              "caller_id_number": event.get("Caller-Caller-ID-Number"),
              "instance_id": event.get("variable_conference_uuid"),
              **file_fields(event.get("Record-File-Path"))}
    if event["Event-Name"] == "RECORD_STOP":
        fields.update(milliseconds_elapsed=_int(event.get("variable_record_ms")),
                      record_file_size=_int(event.get("variable_record_file_size")),
                      completion_cause=event.get("Record-Completion-Cause"))
    return fields
