"""A conference document's lifecycle rules (PURE)."""
import dataclasses

from kzcore import lifecycle as lc

LIMIT_KEYS = ("max_duration_s", "empty_timeout_s", "wait_for_moderator_timeout_s")


def _seconds(value):
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


@dataclasses.dataclass(frozen=True)
class RoomSettings:
    conference_type: str = lc.CONFERENCE
    max_duration_s: int = None
    empty_timeout_s: int = None
    wait_for_moderator_timeout_s: int = None
    language: str = None

    @property
    def connect(self):
        return self.conference_type == lc.CONNECT

    @property
    def has_rules(self):
        """True if any rule needs the room watched."""
        return self.connect or any(getattr(self, key) for key in LIMIT_KEYS)


NO_RULES = RoomSettings()


def from_document(doc):
    """The rules of a conference document (dynamic ones included); none for None."""
    if not isinstance(doc, dict) or doc.get("pvt_deleted"):
        return NO_RULES
    kind = doc.get("conference_type")
    return RoomSettings(conference_type=kind if kind in lc.CONFERENCE_TYPES else lc.CONFERENCE,
                        language=doc.get("language") if isinstance(doc.get("language"), str)
                        else None,
                        **{key: _seconds(doc.get(key)) for key in LIMIT_KEYS})
