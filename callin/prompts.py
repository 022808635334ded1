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

FILES = {
    "welcome": "conference/conf-welcome.wav",
    "enter_conference_number": "conference/conf-enter_conf_number.wav",
    "bad_conference_number": "conference/conf-bad-conf-number.wav",
    "enter_pin": "conference/conf-pin.wav",
    "bad_pin": "conference/conf-bad-pin.wav",
    "locked": "conference/conf-locked.wav",
    "full": "conference/conf-full.wav",
    "goodbye": "conference/conf-goodbye.wav",
    "say_name": "conference/conf-conference_will_start_shortly.wav",
    "record_name": "conference/conf-say_name.wav",
    "has_joined": "conference/conf-has_joined.wav",
    "has_left": "conference/conf-has_left.wav",
    "waiting_for_moderator": "conference/conf-waiting_for_moderator.wav",
    "too_many_attempts": "conference/conf-goodbye.wav",
}

_LANGUAGE = re.compile(r"^[a-z]{2}(-[a-z]{2})?$")


voice_dir = fsxml.voice_dir


def language_code(language):
    """The two-letter code for ``default_language`` (say/phrase modules)."""
    code = (language or "").strip().lower()
    return code[:2] if _LANGUAGE.match(code.replace("_", "-")) else DEFAULT_LANGUAGE[:2]


def prompt(name, language=None, sounds_dir=DEFAULT_SOUNDS_DIR):
    return f"{sounds_dir.rstrip('/')}/{voice_dir(language)}/{FILES[name]}"
