"""The last part of a call: room checks, name recording, the conference app,
join/leave announcements."""
import logging

from kzcore import fs_commands, fs_replies
from kzcore.errors import InvalidCommandArgument, SwitchRefused

from callin import names, plan
from kzcore.fs_commands import apps
from callin.outcomes import Refused
from callin.session import CallerGone, CommandFailed, SessionTimeout

log = logging.getLogger(__name__)


class Joiner:
    def __init__(self, flow, role):
        self.flow = flow
        self.session = flow.session
        self.options = flow.options
        self.conference = flow.conference
        self.role = role
        self.name_path = None
        self.member_id = None

    def run(self):
        self.check_room()
        if self.conference.play_name:
            self.record_name()
        if self.conference.settings(self.role).play_entry_prompt:
            self.flow.say("entering")
        join = plan.join_plan(self.conference, self.role, self.options.sounds_dir)
        for name, value in join.variables:
            self.session.execute(apps.set_variable(name, value), timeout=self.options.command_timeout)
        profile = self.conference.profile_name or self.options.profile_name
        app = apps.conference(self.conference.fs_name, profile, join.flags)
        event_uuid = self.session.execute_nowait(app)
        self.member_id = self.wait_for_member(event_uuid)
        log.info("caller joined", extra={
            "call_id": self.session.uuid, "conference_id": self.conference.conference_id,
            "role": self.role, "member_id": self.member_id, "flags": list(join.flags)})
        if self.member_id is not None:
            self.announce("has_joined")
        self.session.wait_complete(event_uuid, timeout=self.options.max_call_seconds)

    # --- before joining ----------------------------------------------------------
    def room_status(self):
        try:
            body = self.session.api(fs_commands.build(self.conference.fs_name, "json_list"))
            return plan.room_status(fs_replies.parse_json_list(body))
        except (SwitchRefused, InvalidCommandArgument) as exc:
            log.warning("room status unknown", extra={"error": str(exc)})
            return plan.RoomStatus()

    def check_room(self):
        why = plan.refusal(self.conference, self.room_status())
        if why == "locked":
            self.flow.say("locked")
            raise Refused("locked")
        if why == "full":
            media = plan.tone_media(self.conference.max_members_media, self.options.sounds_dir) \
                if self.conference.max_members_media else None
            self.flow.play(media or self.flow.prompt("full"))
            raise Refused("full")

    def record_name(self):
        """Record the caller's name to a file named by a fresh uuid (never by
        anything the socket said) inside the names directory."""
        try:
            path = names.new_recording(self.options.names_dir)
        except (OSError, names.UnsafePath) as exc:
            log.warning("names directory unusable, joining without a name",
                        extra={"path": self.options.names_dir, "error": str(exc)})
            return
        app = apps.record(path, self.options.name_seconds)
        self.flow.say("record_name")
        self.name_path = path
        log.info("recording caller name", extra={"call_id": self.session.uuid, "file": path})
        self.session.execute(app, timeout=self.options.name_seconds + self.options.media_timeout)

    # --- in the room -------------------------------------------------------------
    def wait_for_member(self, event_uuid):
        """Our Member-ID from add-member, or None if the join did not happen in time."""
        deadline = self.options.join_timeout
        waited = 0.0
        while waited < deadline:
            self.session.raise_if_gone()
            if self.session.completed(event_uuid):
                return None
            event = self.session.next_event(timeout=0.2)
            waited += 0.2
            if (event and event.get("Event-Subclass") == "conference::maintenance"
                    and event.get("Action") == "add-member"
                    and event.get("Unique-ID") == self.session.uuid):
                return event.get("Member-ID")
        return None

    def announce(self, what):
        """Play the recorded name then 'has joined'/'has left' to the whole room."""
        if not self.name_path:
            return
        for media in (self.name_path, self.flow.prompt(what)):
            try:
                command = fs_commands.build(self.conference.fs_name, "play", path=media)
                fs_replies.check(self.session.api(command), command)
            except (InvalidCommandArgument, SwitchRefused, CallerGone, SessionTimeout,
                    CommandFailed) as exc:
                # Never ends the call, but never passes for a success either.
                log.warning("announcement failed", extra={
                    "call_id": self.session.uuid, "conference_id": self.conference.conference_id,
                    "announcement": what, "media": media, "error": str(exc)})
                return

    def cleanup(self):
        if self.member_id is not None:
            self.announce("has_left")
        if self.name_path:
            try:
                names.remove(self.options.names_dir, self.name_path)
            except (OSError, names.UnsafePath) as exc:
                log.warning("name recording not removed",
                            extra={"file": self.name_path, "error": str(exc)})
