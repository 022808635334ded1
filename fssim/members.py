"""Conference members: flags, and the header blocks mod_conference puts in its events."""
import dataclasses

from fssim.channel_headers import channel_block

VOICE_ENERGY = 6500  # Current-Energy of a member whose far end plays a tone


@dataclasses.dataclass(eq=False)
class Member:
    id: int
    channel: object
    conference: object = None
    can_hear: bool = True
    can_speak: bool = True
    talking: bool = False
    mute_detect: bool = False
    moderator: bool = False
    hold: bool = False
    ghost: bool = False
    end_conference: bool = False
    mandatory_member_end_conference: bool = False
    energy_level: int = 100
    volume_in: int = 0
    volume_out: int = 0
    join_time: float = 0.0
    last_talking: float = None
    voice_on: bool = False
    leaving: bool = False
    talk_started: float = None
    relations: dict = dataclasses.field(default_factory=dict)
    files: list = dataclasses.field(default_factory=list)

    @property
    def uuid(self):
        return self.channel.uuid

    @property
    def caller_id_name(self):
        return self.channel.profile.cid_name

    @property
    def caller_id_number(self):
        return self.channel.profile.cid_number

    @property
    def has_floor(self):
        return self.conference is not None and self.conference.floor_holder is self

    @property
    def current_energy(self):
        return VOICE_ENERGY if self.voice_on else 0

    def list_flags(self):
        """Flags as `conference <room> list` prints them."""
        flags = []
        if self.can_hear and not self.hold:
            flags.append("hear")
        if self.can_speak and not self.hold:
            flags.append("speak")
        if self.talking:
            flags.append("talking")
        if self.hold:
            flags.append("hold")
        if self.has_floor:
            flags.append("floor")
        if self.moderator:
            flags.append("moderator")
        if self.ghost:
            flags.append("ghost")
        return "|".join(flags)


def _bool(value):
    return "true" if value else "false"


def member_flag_headers(member):
    return [("Video", "false"), ("Hear", _bool(member.can_hear)), ("See", "true"),
            ("Speak", _bool(member.can_speak)), ("Talking", _bool(member.talking)),
            ("Mute-Detect", _bool(member.mute_detect)), ("Hold", _bool(member.hold)),
            ("Member-ID", str(member.id)),
            ("Member-Type", "moderator" if member.moderator else "member"),
            ("Member-Ghost", _bool(member.ghost)),
            ("Energy-Level", str(member.energy_level)),
            ("Current-Energy", str(member.current_energy))]


def member_block(member, verbose=False, floor=None):
    """Floor + channel data + member flags, as conference_member_add_event_data() writes."""
    has_floor = member.has_floor if floor is None else floor
    return ([("Floor", _bool(has_floor))]
            + channel_block(member.channel, with_variables=verbose)
            + member_flag_headers(member))
