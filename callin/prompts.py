"""The prompts a caller hears, as absolute paths of FreeSWITCH's stock sounds (PURE).

FreeSWITCH ships its sounds as ``<sounds_dir>/<lang>/<region>/<voice>/conference/...``.
A conference ``language`` such as ``fr-ca`` picks the matching directory; unknown
languages fall back to ``en-us`` so a typo never leaves a caller in silence.
Absolute paths are used because ``conference <room> play`` (the name
announcements) does not resolve relative ones against the channel's prefix.
"""
import re

from kzcore import fsxml

DEFAULT_SOUNDS_DIR = fsxml.DEFAULT_SOUNDS_DIR
DEFAULT_LANGUAGE = "en-us"

# Files of FreeSWITCH's en-us "callie" sound package (the other voices use the same
# names). This table is the one place to change a prompt.
FILES = {
    "welcome": "ivr/ivr-welcome.wav",
    "enter_conference_number": "conference/conf-enter_conf_number.wav",
    "bad_conference_number": "ivr/ivr-please_try_again.wav",
    "enter_pin": "conference/conf-enter_conf_pin.wav",
    "bad_pin": "conference/conf-bad-pin.wav",
    "locked": "conference/conf-locked.wav",
    "full": "ivr/ivr-please_try_again.wav",
    "goodbye": "voicemail/vm-goodbye.wav",
    "record_name": "voicemail/vm-record_name1.wav",
    "entering": "ivr/ivr-one_moment_please.wav",
    "has_joined": "conference/conf-has_joined.wav",
    "has_left": "conference/conf-has_left.wav",
}

_LANGUAGE = re.compile(r"^[a-z]{2}(-[a-z]{2})?$")


voice_dir = fsxml.voice_dir


def language_code(language):
    """The two-letter code for ``default_language`` (say/phrase modules)."""
    code = (language or "").strip().lower()
    return code[:2] if _LANGUAGE.fullmatch(code.replace("_", "-")) else DEFAULT_LANGUAGE[:2]


def prompt(name, language=None, sounds_dir=DEFAULT_SOUNDS_DIR):
    return f"{sounds_dir.rstrip('/')}/{voice_dir(language)}/{FILES[name]}"
