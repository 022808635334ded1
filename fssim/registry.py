"""All conferences of one switch, and the conference application (joining a room)."""
import logging

from fssim import conference_events as ce
from fssim.conference import Conference
from fssim.events import CONFERENCE_SUBCLASS
from fssim.loopback import inline_transfer
from fssim.members import Member

log = logging.getLogger(__name__)

FLAG_SETTERS = {
    "mute": ("can_speak", False), "deaf": ("can_hear", False),
    "moderator": ("moderator", True), "mute-detect": ("mute_detect", True),
    "endconf": ("end_conference", True), "ghost": ("ghost", True),
    "mandatory_member_endconf": ("mandatory_member_end_conference", True),
}


def parse_member_flags(text):
    """'mute|moderator', '^^!mute!moderator' or a list -> flag names."""
    if not text:
        return []
    if isinstance(text, (list, tuple)):
        return [flag for flag in text if flag]
    if text.startswith("^^") and len(text) > 2:
        return [flag for flag in text[3:].split(text[2]) if flag]
    return [flag for flag in text.split("|") if flag]


def parse_conference_data(data):
    """The conference application's `<room>[@<profile>][+flags{a|b}]` ->
    (room, profile, flags), as conference_function reads it."""
    flags = []
    head, marker, tail = data.partition("+flags{")
    if marker:
        flags = [flag for flag in tail.partition("}")[0].split("|") if flag]
    room, _, profile = head.rpartition("@") if "@" in head else (head, "", "default")
    return room, profile or "default", flags


def member_flags_variable(channel):
    """Member flags a dialled leg carries: conference_member_flags, or outcall_flags."""
    return channel.get_variable("conference_member_flags") or \
        channel.get_variable("outcall_flags")


class Conferences:
    def __init__(self, core):
        self.core = core
        self.by_name = {}

    def get(self, name):
        return self.by_name.get(name)

    def all(self):
        """Newest conference first, as `conference list` prints them."""
        return list(reversed(list(self.by_name.values())))

    def forget(self, conference):
        if self.by_name.get(conference.name) is conference:
            del self.by_name[conference.name]

    def create(self, name, profile, creator=None):
        """profile: a Profile (e.g. fetched over xml_curl) or a static profile's name."""
        if isinstance(profile, str):
            profile = self.core.profile(profile)
        conference = Conference(self.core, name, profile)
        self.by_name[name] = conference
        headers = []
        if creator is not None and profile.verbose_events:
            headers = creator.headers(with_variables=True)
        conference.emit("conference-create",
                        ce.conference_block(conference) + headers
                        + [("Action", "conference-create")])
        return conference

    def join(self, channel, name, profile_name="default", flags=(), dial_out=False,
             member_id=None, voice_on=None):
        """The conference application; None when the caller is refused: join-only into
        a room that does not exist (round4), a lock (dialplan callers only), a full room
        (max_members, round4; conference_function checks it for every caller: a full
        room refusing a dial-out, or a join-only dial-out, is not shown by any fixture)."""
        fetched = None
        if self.core.xml_curl is not None:  # FreeSWITCH fetches the profile on every join
            fetched = self.core.xml_curl.conference_profile(name, profile_name, channel.uuid)
        conference = self.get(name)
        flag_names = list(flags) + parse_member_flags(member_flags_variable(channel))
        if conference is None and "join-only" in flag_names:
            self._reject_join_only(channel, name, profile_name)
            return None
        if conference is not None and conference.locked and not dial_out:
            return self._refuse_locked(channel, conference)
        if conference is not None and conference.is_full():
            return self._refuse_full(channel, conference)
        if conference is None:
            conference = self.create(name, fetched or profile_name, creator=channel)
        member = Member(member_id or self.core.next_member_id(), channel,
                        energy_level=conference.profile.energy_level)
        for flag in flag_names:
            attr, value = FLAG_SETTERS.get(flag, (None, None))
            if attr:
                setattr(member, attr, value)
        self._stamp_channel(channel, conference, member)
        channel.member = member
        member.voice_on = bool(getattr(channel, "voice_on", False)) if voice_on is None \
            else voice_on
        conference.add_member(member)
        return member

    def _reject_join_only(self, channel, name, profile_name):
        """No room is created: a rejected-join-only event (the channel's basic data,
        no variables), then the call ends (hangup_after_conference)."""
        log.info("join-only caller refused", extra={"conference": name, "uuid": channel.uuid})
        channel.last_app, channel.last_arg = "conference", channel.get_variable(
            "current_application_data", f"{name}@{profile_name}")
        headers = channel.headers(with_variables=False) + [
            ("Conference-Name", name), ("Conference-Profile-Name", profile_name),
            ("Action", "rejected-join-only")]
        self.core.emit(self.core.events.custom(
            CONFERENCE_SUBCLASS, ce.CALLING["rejected-join-only"], headers))

    @staticmethod
    def _refuse_locked(channel, conference):
        log.info("locked conference refused caller",
                 extra={"conference": conference.name, "uuid": channel.uuid})
        channel.set_variable("conference_name", conference.name)
        channel.set_variable("app_session_uuid", conference.uuid)
        channel.last_app, channel.last_arg = "conference", channel.get_variable(
            "current_application_data", f"{conference.name}@{conference.profile.name}")
        channel.playback(conference.profile.locked_sound)
        return None

    @staticmethod
    def _refuse_full(channel, conference):
        """max_members reached: refused silently, or with max-members-sound (round4
        list_after_join_beyond_max shows the room unchanged; the refused call's own
        events were not recorded)."""
        log.info("full conference refused caller",
                 extra={"conference": conference.name, "uuid": channel.uuid})
        if conference.profile.max_members_sound:
            channel.answer()
            channel.playback(conference.profile.max_members_sound)
        return None

    @staticmethod
    def _stamp_channel(channel, conference, member):
        """Variables the conference application sets, in the recorded order."""
        stamps = [("conference_name", conference.name), ("app_session_uuid", conference.uuid),
                  ("read_codec", "L16"), ("read_rate", str(channel.rate)),
                  ("conference_member_id", str(member.id)),
                  ("conference_moderator", "true" if member.moderator else "false"),
                  ("conference_ghost", "true" if member.ghost else "false")]
        if conference.record_path:
            stamps.append(("conference_recording", conference.record_path))
        stamps += [("conference_uuid", conference.uuid),
                   ("conference_call_key", f"conference_{conference.name}_"
                    f"{conference.profile.domain}_{channel.profile.cid_number}")]
        for name, value in stamps:
            channel.set_variable(name, value)
        channel.set_state("CS_EXECUTE", "ACTIVE")
        channel.last_app, channel.last_arg = "conference", channel.get_variable(
            "current_application_data", f"{conference.name}@{conference.profile.name}")

    @staticmethod
    def unstamp_channel(channel):
        """Leaving: the call key goes, the read codec is restored (set again)."""
        channel.set_variable("conference_call_key", None)
        channel.set_variable("read_codec", "L16")
        channel.set_variable("read_rate", str(channel.rate))

    def transfer(self, member, source, target):
        """`conference <room> transfer <target> <id>`: transfer + del-member in the old
        room, then the channel runs the conference application again for
        `<target>@default`, or `<target>` as given when it names a profile
        (conference_api_sub_transfer). As that application does (conference_function,
        from mod_conference's source: no fixture shows a profile or +flags{} here):
        the profile is fetched over xml_curl for the new room, the member's flags are
        those of `+flags{...}` and of `conference_member_flags` (round2: a dial-out's
        mute|moderator still apply; what api commands changed does not), the lock
        (inbound channels only) and the size are checked, and the member keeps its id
        (`__confmid`)."""
        channel = member.channel
        destination = channel.profile.destination_number
        app_data = target if "@" in target else f"{target}@default"
        name, profile_name, flags = parse_conference_data(app_data)
        inline_transfer(channel, f"conference:{app_data}")
        channel.state_number_hint = 2
        source.emit("transfer", ce.member_action(
            source, member, "transfer",
            [("Old-Conference-Name", source.name), ("New-Conference-Name", target)],
            extras_first=True))
        source.remove_member(member)
        channel.state_number_hint = None
        channel.profile.destination_number, channel.profile.rdnis = destination, None
        channel.set_variable("current_application_data", app_data)
        channel.set_variable("current_application", "conference")
        moved = self.join(channel, name, profile_name, flags=flags,
                          dial_out=channel.direction != "inbound",  # enforce_security
                          member_id=member.id, voice_on=member.voice_on)
        if moved is None:  # refused (locked, full): the inline dialplan ends, so the call
            channel.hangup("NORMAL_CLEARING")
        return moved

    def find_member_by_uuid(self, uuid):
        for conference in self.by_name.values():
            for member in conference.members:
                if member.uuid == uuid:
                    return member
        return None
