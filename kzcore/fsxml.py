"""XML documents FreeSWITCH fetches through mod_xml_curl (PURE).

Shapes follow the recorded answers FreeSWITCH accepted
(fixtures/freeswitch/round2 and round3 ``xmlcurl_*.response.xml``): a
``<document type="freeswitch/xml">`` with one ``<section>``; two-space
indentation, ``<x/>`` empty elements, attribute values XML-escaped.

- ``not_found()``: the standard answer; FreeSWITCH then uses its static files.
- ``conference_configuration()``: ``conference.conf`` with caller-control groups
  and one profile, served for both the profile fetch and ``request-controls``.
- ``conference_profile_params()``: defaults (with ``tts-engine`` flite and a voice
  matching the rate, so ``tts://`` plays work) < document fields < ``profile``.
- ``directory_user()``: one domain, the vanilla ``dial-string``, one user with
  ``password`` or ``a1-hash`` and its variables.
"""
import hashlib
from xml.sax.saxutils import quoteattr

from kzcore.config import SETTINGS

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="no"?>'
VANILLA_DIAL_STRING = ("{^^:sip_invite_domain=${dialed_domain}:presence_id=${dialed_user}@${dialed_domain}}"
                       "${sofia_contact(*/${dialed_user}@${dialed_domain})}")
# The switch's $${sounds_dir}; services take it from KZ_FS_SOUNDS_DIR (one setting for
# crossbar's profiles, call-in's prompts and fs_conf/vars.xml's FS_SOUNDS_DIR).
DEFAULT_SOUNDS_DIR = SETTINGS["fs_sounds_dir"][1]
DEFAULT_VOICE = "en/us/callie"
# language -> voice directory of FreeSWITCH's sound packages
VOICES = {"en-us": "en/us/callie", "en-ca": "en/ca/june", "fr-ca": "fr/ca/june",
          "ru-ru": "ru/RU/elena", "pt-br": "pt/BR/karina", "sv-se": "sv/se/jakob",
          "he-il": "he/il/sigal", "zh-cn": "zh/cn/sinmei"}

# Kazoo's default conference controls (kapps_conference DEFAULT_CONTROLS).
KAZOO_CONTROLS = (("mute", "*1"), ("mute on", "*2"), ("mute off", "*3"), ("deaf", "*4"),
                  ("deaf on", "*5"), ("deaf off", "*6"), ("hangup", "#"))
MODERATOR_EXTRA_CONTROLS = (("lock", "*0"),)
CALLER_GROUP = "kz-caller"
MODERATOR_GROUP = "kz-moderator"
# FreeSWITCH's conference control actions (conference_loop.c control_mappings)
CONTROL_ACTIONS = frozenset({
    "mute", "mute on", "mute off", "vmute", "vmute on", "vmute off", "vmute snap", "vmute snapoff",
    "deaf mute", "energy up", "energy equ", "energy dn", "vol talk up", "vol talk zero",
    "vol talk dn", "vol listen up", "vol listen zero", "vol listen dn", "hangup", "event", "lock",
    "transfer", "floor", "vid-floor", "vid-floor-force", "deaf", "deaf on", "deaf off"})


def voice_dir(language):
    """``fr-CA`` -> ``fr/ca/june``; unknown languages fall back to English."""
    code = (language or "").strip().lower().replace("_", "-") if isinstance(language, str) else ""
    if code in VOICES:
        return VOICES[code]
    family = code.split("-")[0]
    return next((v for k, v in VOICES.items() if family and k.split("-")[0] == family), DEFAULT_VOICE)


def a1_hash(user, domain, password):
    """Digest A1 hash FreeSWITCH accepts instead of a plain password."""
    return hashlib.md5(f"{user}:{domain}:{password}".encode("utf-8")).hexdigest()


def _element(tag, attrs=(), children=(), depth=0):
    pad = "  " * depth
    head = tag + "".join(f" {name}={quoteattr(str(value))}" for name, value in attrs)
    if not children:
        return [f"{pad}<{head}/>"]
    lines = [f"{pad}<{head}>"]
    for child in children:
        lines.extend(_element(*child, depth=depth + 1))
    lines.append(f"{pad}</{tag}>")
    return lines


def document(section_name, children):
    """Serialise ``(tag, attrs, children)`` trees into one section document."""
    tree = ("document", [("type", "freeswitch/xml")],
            [("section", [("name", section_name)], children)])
    return "\n".join([XML_DECLARATION] + _element(*tree)) + "\n"


def not_found():
    return document("result", [("result", [("status", "not found")], [])])


def _params(pairs, tag="param"):
    return [(tag, [("name", name), ("value", value)], []) for name, value in pairs]


def controls_group(name, controls):
    return ("group", [("name", name)],
            [("control", [("action", action), ("digits", digits)], []) for action, digits in controls])


def conference_configuration(profile_name, params, groups):
    """``groups``: {group name: [(action, digits)]}; ``params``: [(name, value)]."""
    children = []
    if groups:
        children.append(("caller-controls", [], [controls_group(n, c) for n, c in groups.items()]))
    children.append(("profiles", [], [("profile", [("name", profile_name)], _params(params))]))
    configuration = ("configuration", [("name", "conference.conf"),
                                       ("description", "Audio Conference (served by xml_curl)")], children)
    return document("configuration", [configuration])


def directory_user(domain, user_id, params, variables, dial_string=VANILLA_DIAL_STRING,
                   group="default"):
    user = ("user", [("id", user_id)], [("params", [], _params(params)),
                                        ("variables", [], _params(variables, "variable"))])
    domain_el = ("domain", [("name", domain)], [
        ("params", [], _params([("dial-string", dial_string)])),
        ("groups", [], [("group", [("name", group)], [("users", [], [user])])])])
    return document("directory", [domain_el])


# --- conference profiles from documents ------------------------------------------------
KAZOO_ENTRY_TONE = "tone_stream://v=-7;>=2;+=.1;%(300,0,523,659);v=-7;>=3;+=.1;%(800,0,659,783)"
KAZOO_EXIT_TONE = "tone_stream://v=-7;>=2;+=.1;%(300,0,523,440);v=-7;>=3;+=.1;%(800,0,349,440)"
# Profile params a document may set (schemas/conferences.profile.json plus a few
# harmless FreeSWITCH ones); anything else in ``profile`` is ignored.
PROFILE_KEYS = frozenset({
    "alone-sound", "announce-count", "caller-controls", "comfort-noise", "energy-level",
    "enter-sound", "exit-sound", "interval", "locked-sound", "max-members", "max-members-sound",
    "moderator-controls", "moh-sound", "muted-sound", "rate", "unmuted-sound", "kicked-sound",
    "is-locked-sound", "is-unlocked-sound", "conference-flags", "member-flags", "verbose-events",
    "tts-engine", "tts-voice", "sound-prefix", "domain", "deaf-sound", "undeaf-sound"})
_CONTROL_DIGITS = frozenset("0123456789*#")
# ``tts://`` plays are the conference ``say`` API, which speaks with the profile's
# tts-engine/tts-voice: mod_flite (fs_conf loads it), voice kal, kal16 at 16 kHz+.
TTS_ENGINE = "flite"
FLITE_VOICE = "kal"
FLITE_WIDEBAND_VOICE = "kal16"


def _text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        text = str(value)
        return text if text and "\n" not in text and "\r" not in text else None
    return None


def profile_defaults(language=None, sounds_dir=DEFAULT_SOUNDS_DIR):
    return [("rate", "8000"), ("interval", "20"), ("energy-level", "100"),
            ("comfort-noise", "1000"), ("caller-controls", CALLER_GROUP),
            ("moderator-controls", MODERATOR_GROUP),
            ("sound-prefix", f"{sounds_dir.rstrip('/')}/{voice_dir(language)}"),
            ("moh-sound", "local_stream://moh"), ("enter-sound", KAZOO_ENTRY_TONE),
            ("exit-sound", KAZOO_EXIT_TONE), ("muted-sound", "conference/conf-muted.wav"),
            ("unmuted-sound", "conference/conf-unmuted.wav"),
            ("alone-sound", "conference/conf-alone.wav"),
            ("locked-sound", "conference/conf-locked.wav"),
            ("kicked-sound", "conference/conf-kicked.wav"),
            ("tts-engine", TTS_ENGINE), ("tts-voice", FLITE_VOICE)]


def flite_voice(rate):
    """kal is an 8 kHz voice; kal16 suits wideband profiles."""
    try:
        return FLITE_WIDEBAND_VOICE if int(rate) >= 16000 else FLITE_VOICE
    except (TypeError, ValueError):
        return FLITE_VOICE


def _document_overrides(doc):
    """Top-level conference fields that shape the profile."""
    out = {}
    for key, param in (("caller_controls", "caller-controls"), ("moderator_controls", "moderator-controls"),
                       ("domain", "domain"), ("max_members_media", "max-members-sound")):
        if isinstance(doc.get(key), str) and _text(doc[key]):
            out[param] = doc[key]
    limit = doc.get("max_participants")
    if isinstance(limit, int) and not isinstance(limit, bool) and limit >= 2:
        out["max-members"] = str(limit)
    return out


def profile_tone(setting):
    """A ``play_entry_tone`` / ``play_exit_tone`` string as a profile sound: a bare
    tone spec (as Kazoo stores them) becomes a ``tone_stream://``; a relative name
    is left to the profile's sound-prefix. None for anything else."""
    text = _text(setting) if isinstance(setting, str) else None
    if text is None or not text.strip():
        return None
    text = text.strip()
    return "tone_stream://" + text if "%(" in text and "://" not in text else text


def _tone_params(doc, params, profile):
    """``play_entry_tone`` / ``play_exit_tone`` (Kazoo's conf_config_req fix_*_tones):
    ``false`` removes the profile's enter / exit sound (a room without one plays
    none), a string is the sound unless the ``profile`` object names one."""
    for key, param in (("play_entry_tone", "enter-sound"), ("play_exit_tone", "exit-sound")):
        setting = doc.get(key)
        if setting is False:
            params.pop(param, None)
        elif profile_tone(setting) is not None and _text(profile.get(param)) is None:
            params[param] = profile_tone(setting)


def conference_profile_params(doc, sounds_dir=DEFAULT_SOUNDS_DIR):
    """Defaults < document fields < the document's ``profile`` object, as ordered
    pairs; the entry and exit tones as the document's ``play_*_tone`` say."""
    params = dict(profile_defaults(doc.get("language"), sounds_dir))
    params.update(_document_overrides(doc))
    profile = doc.get("profile") if isinstance(doc.get("profile"), dict) else {}
    for key, value in profile.items():
        text = _text(value)
        if key in PROFILE_KEYS and text is not None:
            params[key] = text
    _tone_params(doc, params, profile)
    if _text(profile.get("tts-voice")) is None:  # the voice follows the engine and the rate
        params.pop("tts-voice", None)
        if params.get("tts-engine") == TTS_ENGINE:
            params["tts-voice"] = flite_voice(params.get("rate"))
    if doc.get("wait_for_moderator") is True or doc.get("require_moderator") is True:
        flags = [f for f in params.get("conference-flags", "").split("|") if f]
        params["conference-flags"] = "|".join(dict.fromkeys(flags + ["wait-mod"]))
    return list(params.items())


def _valid_controls(items):
    controls = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        action, digits = item.get("action"), item.get("digits")
        if action in CONTROL_ACTIONS and isinstance(digits, str) and digits \
                and len(digits) <= 8 and set(digits) <= _CONTROL_DIGITS:
            controls.append((action, digits))
    return controls


def control_groups(doc, params):
    """{group: [(action, digits)]} for the profile's caller and moderator groups:
    the document's ``controls`` object when it defines the group, else Kazoo's map."""
    named = dict(params)
    custom = doc.get("controls") if isinstance(doc.get("controls"), dict) else {}
    groups = {}
    for param, default in (("caller-controls", KAZOO_CONTROLS),
                           ("moderator-controls", KAZOO_CONTROLS + MODERATOR_EXTRA_CONTROLS)):
        name = named.get(param)
        if not name or name == "none" or name in groups:
            continue
        groups[name] = _valid_controls(custom.get(name)) or list(default)
    return groups


def valid_profile_name(name):
    """Profile names we echo back must be plain identifiers."""
    return isinstance(name, str) and 0 < len(name) <= 64 and all(
        ch.isalnum() or ch in "_.-" for ch in name)
