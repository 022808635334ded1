"""Conference documents as the call-in service reads them (PURE).

``load_conference`` never raises on a bad document: every field is coerced to
the type the schema promises (schemas/conferences.json defaults), and anything
unusable falls back to that default, so one broken document cannot crash the
service. Role and PIN rules live here too.
"""
import dataclasses
import logging
import re

from kzcore import naming

log = logging.getLogger(__name__)

MEMBER = "member"
MODERATOR = "moderator"
EITHER = "either"   # a conference number: the PIN decides
_NOT_DIGITS = re.compile(r"[^0-9]")


def normalize_number(value):
    """Digits only: ``+1 (415) 555-0100`` and ``14155550100`` are the same number."""
    return _NOT_DIGITS.sub("", value) if isinstance(value, str) else ""


def _bool(value, default):
    return value if isinstance(value, bool) else default


def _int_or_none(value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


def _str_or_none(value):
    return value if isinstance(value, str) and value.strip() else None


def _numbers(value):
    if not isinstance(value, list):
        return ()
    return tuple(dict.fromkeys(n for n in map(normalize_number, value) if n))


def _pins(value):
    if not isinstance(value, list):
        return ()
    pins = (str(p) if isinstance(p, int) and not isinstance(p, bool) else p for p in value)
    return tuple(dict.fromkeys(p for p in pins if isinstance(p, str) and p.isdigit()))


@dataclasses.dataclass(frozen=True)
class RoleSettings:
    numbers: tuple = ()
    pins: tuple = ()
    join_muted: bool = False
    join_deaf: bool = False
    play_entry_prompt: bool = True


def _role(value, join_muted_default):
    value = value if isinstance(value, dict) else {}
    return RoleSettings(
        numbers=_numbers(value.get("numbers")), pins=_pins(value.get("pins")),
        join_muted=_bool(value.get("join_muted"), join_muted_default),
        join_deaf=_bool(value.get("join_deaf"), False),
        play_entry_prompt=_bool(value.get("play_entry_prompt"), True))


@dataclasses.dataclass(frozen=True)
class Conference:
    account_id: str
    conference_id: str
    fs_name: str
    name: str = ""
    conference_numbers: tuple = ()
    member: RoleSettings = RoleSettings(join_muted=True)
    moderator: RoleSettings = RoleSettings()
    play_welcome: bool = True
    play_entry_tone: object = True
    play_exit_tone: object = True
    play_name: bool = False
    wait_for_moderator: bool = False
    require_moderator: bool = False
    max_participants: object = None
    max_members_media: object = None
    language: object = None
    profile: dict = dataclasses.field(default_factory=dict)
    profile_name: object = None
    focus: object = None      # the node that takes new rooms (issue 18, kzcore.placement)

    def settings(self, role):
        return self.moderator if role == MODERATOR else self.member

    @property
    def all_numbers(self):
        return tuple(dict.fromkeys(self.conference_numbers + self.member.numbers
                                   + self.moderator.numbers))


def _tone(value):
    if isinstance(value, bool):
        return value
    return value.strip() if isinstance(value, str) and value.strip() else True


def load_conference(account_id, doc):
    """A stored conference document -> Conference, or None if it cannot be one
    (not a dict, not a conference, deleted, or ids unusable on FreeSWITCH)."""
    if not isinstance(doc, dict) or doc.get("pvt_type") != "conference" or doc.get("pvt_deleted"):
        return None
    conference_id = doc.get("_id")
    try:
        fs_name = naming.fs_conference_name(account_id, conference_id)
    except (ValueError, TypeError):
        log.warning("conference id unusable on FreeSWITCH",
                    extra={"account_id": account_id, "conference_id": conference_id})
        return None
    profile = doc.get("profile")
    return Conference(
        account_id=account_id, conference_id=conference_id, fs_name=fs_name,
        name=doc.get("name") if isinstance(doc.get("name"), str) else "",
        conference_numbers=_numbers(doc.get("conference_numbers")),
        member=_role(doc.get("member"), True), moderator=_role(doc.get("moderator"), False),
        play_welcome=_bool(doc.get("play_welcome"), True),
        play_entry_tone=_tone(doc.get("play_entry_tone")),
        play_exit_tone=_tone(doc.get("play_exit_tone")),
        play_name=_bool(doc.get("play_name"), False),
        wait_for_moderator=_bool(doc.get("wait_for_moderator"), False),
        require_moderator=_bool(doc.get("require_moderator"), False),
        max_participants=_int_or_none(doc.get("max_participants")),
        max_members_media=_str_or_none(doc.get("max_members_media")),
        language=_str_or_none(doc.get("language")),
        profile=dict(profile) if isinstance(profile, dict) else {},
        profile_name=_str_or_none(doc.get("profile_name")),
        focus=_str_or_none(doc.get("focus")))


def role_for_number(conference, number):
    """MEMBER / MODERATOR when the number fixes the role, EITHER for a shared
    conference number (or a number listed for both roles), None if not ours."""
    number = normalize_number(number)
    if not number:
        return None
    as_moderator = number in conference.moderator.numbers
    as_member = number in conference.member.numbers
    if as_moderator and not as_member:
        return MODERATOR
    if as_member and not as_moderator:
        return MEMBER
    if as_member or number in conference.conference_numbers:
        return EITHER
    return None


def pin_needed(conference, role):
    """Whether a caller with ``role`` (or EITHER) must be asked for a PIN."""
    if role == EITHER:
        return bool(conference.member.pins or conference.moderator.pins)
    return bool(conference.settings(role).pins)


def role_for_pin(conference, role, pin):
    """The role a PIN entry grants, or None for a bad entry. A fixed role only
    accepts its own PINs; on a conference number a moderator PIN makes a
    moderator, a member PIN a member, and an empty entry a member only when
    members have no PIN."""
    pin = pin or ""
    if role in (MEMBER, MODERATOR):
        return role if pin in conference.settings(role).pins else None
    if pin and pin in conference.moderator.pins:
        return MODERATOR
    if pin and pin in conference.member.pins:
        return MEMBER
    if not pin and not conference.member.pins:
        return MEMBER
    return None


def empty_pin_allowed(conference, role):
    return role == EITHER and not conference.member.pins
