"""mod_xml_curl for conference profiles: on every join, POST what FreeSWITCH posts
(round 2: section=configuration, key_value=conference.conf, conference_name,
profile_name, then a second request-controls fetch) and use the profile the answer
holds; a not-found answer (or no answer) falls back to the static profile."""
import logging
import xml.etree.ElementTree as ElementTree

import requests

from fssim import wire
from fssim.events import date_headers
from fssim.profiles import Profile

log = logging.getLogger(__name__)

TIMEOUT = 5.0  # the rig's xml_curl.conf timeout
INT_PARAMS = {"rate": "rate", "interval": "interval", "energy-level": "energy_level",
              "max-members": "max_members",
              "endconference-grace-time": "endconference_grace_time"}
TEXT_PARAMS = {"domain": "domain", "tts-voice": "tts_voice",
               "caller-controls": "caller_controls", "sound-prefix": "sound_prefix",
               "max-members-sound": "max_members_sound"}
SOUNDS = ("enter", "exit", "alone", "muted", "unmuted", "locked", "is-locked",
          "is-unlocked", "kicked")


def encode_form(fields):
    """FreeSWITCH's form body: values URL-encoded as in events (commas stay)."""
    return "&".join(f"{name}={wire.url_encode(value)}" for name, value in fields)


def profile_from_document(text, profile_name):
    """The <profile name=...> of a conference.conf document -> Profile, or None."""
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError:
        return None
    for node in root.iter("profile"):
        if node.get("name") != profile_name:
            continue
        params = {p.get("name"): p.get("value") for p in node.iter("param")}
        profile = Profile(profile_name, **{sound.replace("-", "_") + "_sound": None
                                           for sound in SOUNDS})
        for name, attr in INT_PARAMS.items():
            if (params.get(name) or "").isdigit():
                setattr(profile, attr, int(params[name]))
        for name, attr in TEXT_PARAMS.items():
            if params.get(name):
                setattr(profile, attr, params[name])
        profile.verbose_events = params.get("verbose-events") == "true"
        for sound in SOUNDS:
            setattr(profile, sound.replace("-", "_") + "_sound", params.get(f"{sound}-sound"))
        return profile
    return None


class XmlCurlClient:
    def __init__(self, core, url, timeout=TIMEOUT, session=None):
        self.core = core
        self.url = url
        self.timeout = timeout
        self.http = session or requests.Session()

    def _common(self, event_name, calling):
        ident, clock = self.core.identity, self.core.clock
        return [("Event-Name", event_name), ("Core-UUID", ident.core_uuid),
                ("FreeSWITCH-Hostname", ident.hostname),
                ("FreeSWITCH-Switchname", ident.hostname), ("FreeSWITCH-IPv4", ident.ipv4),
                ("FreeSWITCH-IPv6", ident.ipv6), *date_headers(clock.now()),
                ("Event-Calling-File", calling[0]), ("Event-Calling-Function", calling[1]),
                ("Event-Calling-Line-Number", str(calling[2])),
                ("Event-Sequence", str(self.core.events.next_sequence()))]

    def _post(self, fields, key_value="conference.conf"):
        head = [("hostname", self.core.identity.hostname), ("section", "configuration"),
                ("tag_name", "configuration"), ("key_name", "name"),
                ("key_value", key_value)]
        try:
            reply = self.http.post(self.url, data=encode_form(head + fields),
                                   timeout=self.timeout, headers={
                                       "Content-Type": "application/x-www-form-urlencoded",
                                       "User-Agent": "freeswitch-xml/1.0"})
            return reply.text if reply.status_code == 200 else None
        except requests.RequestException as exc:
            log.warning("xml_curl fetch failed", extra={"url": self.url, "error": str(exc)})
            return None

    def conference_profile(self, conference_name, profile_name, call_uuid):
        """Fetch the profile for a join; None means: use the static profile."""
        calling = ("mod_conference.c", "conference_function", 2031)
        text = self._post(self._common("COMMAND", calling) + [
            ("conference_name", conference_name), ("profile_name", profile_name),
            ("Fetch-Call-UUID", call_uuid)])
        profile = profile_from_document(text, profile_name) if text else None
        controls = ("conference_member.c", "conference_member_bind_controls", 74)
        group = profile.caller_controls if profile else "default"
        self._post(self._common("REQUEST_PARAMS", controls) + [
            ("Conf-Name", conference_name), ("Conf-Profile", profile_name),
            ("Action", "request-controls"), ("Controls", group),
            ("Fetch-Call-UUID", call_uuid)])
        return profile

    # --- round-5 hook: other configuration files (fssim/sofia_gateways.py: sofia.conf) ---
    def fetch_configuration(self, key_value, event_name, calling, fields):
        """The answer's text for ``key_value`` (e.g. ``sofia.conf``), or None: the
        recorded head, the event block of ``event_name`` from ``calling``, then
        ``fields`` (round 5: ``profile``, ``reconfig``, ``gateway``)."""
        return self._post(self._common(event_name, calling) + list(fields), key_value)
