"""Dial-outs, pure parts: what an endpoint of seed 002 means (device id, user id,
number, ``sip:`` URI, device object), the dial string for it, Kazoo's
participant flags as mod_conference member flags, the legs' entry and exit
tones, and what a dial came to.
"""
import dataclasses
import re

from kzcore import fs_commands

# Kazoo participant_flags -> mod_conference member flags (conference_member_flags)
MEMBER_FLAGS = {"deaf": "deaf", "mute": "mute", "is_moderator": "moderator", "ghost": "ghost",
                "join_existing": "join-only", "disable_moh": "nomoh",
                "distribute_dtmf": "dist-dtmf", "video_mute": "vmute"}
DOC_ID = re.compile(r"[0-9a-f]{32}")
NUMBER = re.compile(r"\+?[0-9*#]{1,32}")
SIP_URI = re.compile(r"sips?:([A-Za-z0-9_.+\-*#]{1,64}@[A-Za-z0-9.\-]{1,253}(:[0-9]{1,5})?)")
CUSTOM_VAR_PREFIX = "kz_"  # ecallmgr publishes kz_<name> as custom_channel_vars.<name>
LOOPBACK_CONTEXT = "default"
DEFAULT_SOFIA_PROFILE = "internal"


@dataclasses.dataclass
class Target:
    """One leg to place: ``endpoint`` (dial string), ``error`` (nothing to dial) or
    ``attempts`` (through carriers, one gateway after the other: carrier_routing)."""
    endpoint_id: str
    endpoint: str = None
    error: str = None
    attempts: list = None


def classify(endpoint, index):
    """``("doc", id)``, ``("number", n)``, ``("sip", user@host)`` or ``("device", obj)``."""
    field = f"endpoints.{index}"
    if isinstance(endpoint, dict):
        return "device", endpoint
    if not isinstance(endpoint, str):
        raise fs_commands.invalid(field, "must be a string or a device object", endpoint)
    if DOC_ID.fullmatch(endpoint):
        return "doc", endpoint
    if NUMBER.fullmatch(endpoint):
        return "number", endpoint
    sip = SIP_URI.fullmatch(endpoint)
    if sip:
        return "sip", sip.group(1)
    raise fs_commands.invalid(field, "must be a device or user id, a number (digits, * and #, "
                                     "optional leading +) or sip:user@host[:port]", endpoint)


def number_endpoint(number, context=LOOPBACK_CONTEXT):
    """Numbers go through the dialplan, as a call from a device would (seed 002)."""
    return f"loopback/{number}/{context}"


def sip_endpoint(user_at_host, profile=DEFAULT_SOFIA_PROFILE):
    return f"sofia/{profile}/{user_at_host}"


def same_realm(one, other):
    return isinstance(one, str) and isinstance(other, str) \
        and one.strip().lower() == other.strip().lower() != ""


def sip_parts(user_at_host):
    """``(user, host)`` of ``user@host[:port]``, the host lower-cased, without port."""
    user, _, host = user_at_host.rpartition("@")
    return user, host.split(":", 1)[0].lower()


def device_route(device):
    """``user@host[:port]`` of a device dialled by its ``sip.route`` (invite_format
    route), None for a registered device; ValueError if disabled or malformed."""
    if device.get("enabled") is False:
        raise ValueError("device is disabled")
    sip = device.get("sip") or {}
    route = sip.get("route")
    if sip.get("invite_format") == "route" and isinstance(route, str) and route:
        match = SIP_URI.fullmatch(route) or SIP_URI.fullmatch("sip:" + route)
        if not match:
            raise ValueError("device sip.route is not a sip:user@host[:port] URI")
        return match.group(1)
    return None


def device_endpoint(device, account_realm, profile=DEFAULT_SOFIA_PROFILE, field="device"):
    """A device's dial string, or raise ValueError saying why it has none.

    A registered device is always ``user/<username>@<the account's realm>``: a
    device naming another realm (another account's phones) is refused (400)."""
    route = device_route(device)
    if route:
        return sip_endpoint(route, profile)
    sip = device.get("sip") or {}
    username, realm = sip.get("username"), sip.get("realm")
    if realm and not same_realm(realm, account_realm):
        raise fs_commands.invalid(f"{field}.sip.realm", "must be the account's realm "
                                  "(devices of other accounts cannot be dialled)", realm)
    if not username:
        raise ValueError("device has no sip.username")
    if not account_realm:
        raise ValueError("the account has no realm")
    return f"user/{username}@{account_realm}"


def member_flags(participant_flags):
    return [MEMBER_FLAGS[flag] for flag in participant_flags or ()]


def channel_variables(call_id, timeout=None, custom_vars=None):
    """Variables for the ``{...}`` block; custom names validated like any variable."""
    variables = {"origination_uuid": call_id}
    if timeout is not None:
        variables["originate_timeout"] = fs_commands.valid_integer("timeout", timeout, 1, 3600)
    if custom_vars is not None and not isinstance(custom_vars, dict):
        raise fs_commands.invalid("custom_application_vars", "must be an object", custom_vars)
    for name, value in (custom_vars or {}).items():
        fs_commands.valid_variable_name(name, f"custom_application_vars.{name}")
        variables[CUSTOM_VAR_PREFIX + name] = fs_commands.valid_variable_value(
            value, f"custom_application_vars.{name}")
    return variables


TONES = (("play_entry_tone", "enter_sound"), ("play_exit_tone", "exit_sound"))


def _conference_setting(conference, params, key):
    """The conference-wide value: the document's; for an id with no document, the
    request's (its conference parameters become the dynamic conference)."""
    source = conference if isinstance(conference, dict) else params
    return source.get(key, True)


def leg_sound_variables(conference, params):
    """Channel variables silencing the dialled legs' entry / exit tones where the
    dial request (per member), else the conference, says ``false``: the one control
    that holds for a member whatever room it joins (a new room, a running one, any
    profile). A tone string is the room's (its profile) and is not set per leg."""
    silenced = [params[key] is False if key in params
                else _conference_setting(conference, params, key) is False
                for key, _ in TONES]
    return fs_commands.silent_member_sounds(*silenced)


def room_sound_commands(conference, params, listed):
    """``[(action, "off")]`` for a running room (``listed``: its json_list) whose
    enter / exit sounds are on while the conference says no tone: the room-wide
    switch (round4 enter_sound_off), so no join or leave of any kind plays one."""
    return [(action, "off") for key, action in TONES
            if _conference_setting(conference, params, key) is False
            and (listed or {}).get(action, True) is not False]


JOB_REPLY = re.compile(r"\+OK Job-UUID: ([0-9A-Za-z\-]+)")


def job_id(reply_text):
    match = JOB_REPLY.search(reply_text or "")
    return match.group(1) if match else None


JOIN_ONLY_REFUSED = ("rejected-join-only: participant_flags join_existing, and the conference "
                     "is not running (the switch refused to start it)")


def joins_existing_only(params):
    """Kazoo's ``join_existing``: the legs may only join a running room (join-only)."""
    return "join_existing" in (params.get("participant_flags") or ())


def outcome(facts, call_id, room_existed, join_only=False):
    """What the dial came to: ``("success", call_id)``, ``("error", cause)`` or None (not yet).

    ``facts``: ``result``/``peer`` from bgdial-result, ``answered`` (Unique-IDs of
    answered legs of the job), ``joined`` (True once add-member named call_id),
    ``rejected`` (rejected-join-only named call_id), ``hangup`` (cause). A bgdial
    into a room that does not exist yet sends no bgdial-result (DESIGN.md section
    5): the channel events decide then, and for a join-only leg (``join_only``) an
    answer is not a join: the switch answers it, then refuses it
    (round4 join_only_into_missing_room).
    """
    result = facts.get("result")
    if result == "SUCCESS":
        return "success", facts.get("peer") or call_id
    if result:
        return "error", result
    if facts.get("rejected"):
        return "error", JOIN_ONLY_REFUSED
    answered = facts.get("answered") or []
    if facts.get("joined") or (answered and not room_existed and not join_only):
        return "success", call_id if (facts.get("joined") or call_id in answered) else answered[0]
    if facts.get("hangup"):
        return "error", facts["hangup"]
    return None


def endpoint_response(target, call_id, job, decided):
    """Seed 002's ``endpoint_responses`` item."""
    if target.error:
        return {"endpoint_id": target.endpoint_id, "call_id": None, "job_id": None,
                "status": "error", "message": target.error}
    if decided is None:
        return {"endpoint_id": target.endpoint_id, "call_id": call_id, "job_id": job,
                "status": "pending", "message": f"dial requested; no result yet for call id {call_id}"}
    status, value = decided
    if status == "success":
        return {"endpoint_id": target.endpoint_id, "call_id": value, "job_id": job,
                "status": "success", "message": f"dial resulted in call id {value}"}
    return {"endpoint_id": target.endpoint_id, "call_id": call_id, "job_id": job,
            "status": "error", "message": f"dial failed: {value}"}
