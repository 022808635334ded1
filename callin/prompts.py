"""The prompts a caller hears, as absolute paths of FreeSWITCH's stock sounds (PURE).

FreeSWITCH ships its sounds as ``<sounds_dir>/<lang>/<region>/<voice>/conference/...``.
A conference ``language`` such as ``fr-ca`` picks the matching directory; unknown
languages fall back to ``en-us`` so a typo never leaves a caller in silence.
Absolute paths are used because ``conference <room> play`` (the name
announcements) does not resolve relative ones against the channel's prefix.
"""
import re

DEFAULT_SOUNDS_DIR = "/usr/share/freeswitch/sounds"
DEFAULT_LANGUAGE = "en-us"
# language -> directory under the sounds dir (FreeSWITCH's sound packages)
VOICES = {
    "en-us": "en/us/callie",
    "en-ca": "en/ca/june",
    "fr-ca": "fr/ca/june",
    "fr-fr": "fr/ca/june",
    "ru-ru": "ru/RU/elena",
    "pt-br": "pt/BR/karina",
    "sv-se": "sv/se/jakob",
    "he-il": "he/il/sigal",
    "zh-cn": "zh/cn/sinmei",
}

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


def voice_dir(language):
    """``fr-CA`` -> ``fr/ca/june``; anything unknown -> the en-us voice."""
    code = (language or "").strip().lower().replace("_", "-")
    if not _LANGUAGE.match(code):
        return VOICES[DEFAULT_LANGUAGE]
    if code in VOICES:
        return VOICES[code]
    family = next((v for k, v in VOICES.items() if k.split("-")[0] == code.split("-")[0]), None)
    return family or VOICES[DEFAULT_LANGUAGE]


def language_code(language):
    """The two-letter code for ``default_language`` (say/phrase modules)."""
    code = (language or "").strip().lower()
    return code[:2] if _LANGUAGE.match(code.replace("_", "-")) else DEFAULT_LANGUAGE[:2]


def prompt(name, language=None, sounds_dir=DEFAULT_SOUNDS_DIR):
    return f"{sounds_dir.rstrip('/')}/{voice_dir(language)}/{FILES[name]}"
