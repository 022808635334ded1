"""Simulated SIP devices for user/<id>@<domain> and sofia/<profile>/<user>@<host:port>
endpoints, with the dial outcomes round 3 recorded:

- user/ in the directory and registered: the device answers (behaviour "answer");
  in the directory but not registered: USER_NOT_REGISTERED; not in the directory:
  SUBSCRIBER_ABSENT (both at once, no channel).
- sofia/ URI: the device whose contact is host:port (or, without a port, whose user
  matches); nobody there: NORMAL_TEMPORARY_FAILURE after a channel was created.
- behaviour "no_answer": NO_ANSWER after originate_timeout, RECOVERY_ON_TIMER_EXPIRE
  after 32 s (timer B) without it; "busy": USER_BUSY; "reject": CALL_REJECTED;
  "unreachable": NORMAL_TEMPORARY_FAILURE.
"""
import dataclasses

import gevent

from fssim import sofia_events
from fssim.channels import CallerProfile, Channel
from fssim.loopback import flip_in_place, originated_uuid

BEHAVIOURS = ("answer", "no_answer", "busy", "reject", "unreachable")
TIMER_B = 32.0
RING_SECONDS = 0.02
NO_ANSWER_FACTOR = 7.38 / 8  # recorded: originate_timeout=8 ended after 7.38 s


@dataclasses.dataclass
class Device:
    user: str
    domain: str
    behaviour: str = "answer"
    registered: bool = True
    contact: str = "127.0.0.1:5071"   # host:port the device registered from
    contact_user: str = ""
    variables: dict = dataclasses.field(default_factory=dict)  # directory <variables>
    call_id: str = ""

    def __post_init__(self):
        self.contact_user = self.contact_user or f"{self.user}-0x55b9c4d2f600"


def register(core, user, domain, behaviour="answer", contact=None, variables=None):
    """A device registers (sofia::register); `behaviour` is how it answers calls."""
    if behaviour not in BEHAVIOURS:
        raise ValueError(f"unknown device behaviour {behaviour!r} (one of {BEHAVIOURS})")
    key = f"{user}@{domain}"
    device = core.devices.get(key) or Device(user, domain)
    device.behaviour, device.registered = behaviour, True
    device.contact = contact or device.contact
    device.variables.update(variables or {})
    core.devices[key] = device
    sofia_events.registered(core, device)
    return device


def unregister(core, user, domain):
    """The device stays in the directory (user_exists true) but is not reachable."""
    device = core.devices.get(f"{user}@{domain}")
    if device is not None and device.registered:
        device.registered = False
        sofia_events.unregistered(core, device)
    return device


def find(core, target):
    """-> (device or None, failure cause or None, channel name, presence id)."""
    if target.startswith("user/"):
        key = target[len("user/"):]
        device = core.devices.get(key)
        if device is None:
            return None, "SUBSCRIBER_ABSENT", None, None
        if not device.registered:
            return None, "USER_NOT_REGISTERED", None, None
        name = f"sofia/rig/{device.contact_user}@{device.contact}"
        return device, None, name, key
    if target.startswith("sofia/"):
        uri = target.split("/", 2)[2] if target.count("/") >= 2 else ""
        user, _, host = uri.split(";")[0].replace("sip:", "").partition("@")
        for device in core.devices.values():
            if device.registered and (device.contact == host or (
                    ":" not in host and device.user == user)):
                return device, None, target, None
        return None, "NORMAL_TEMPORARY_FAILURE", target, None
    return None, "CHAN_NOT_IMPLEMENTED", None, None


def _sip_channel(core, name, variables, display, number, callee_user):
    profile = CallerProfile(display, number, callee_user, callee_name="Outbound Call",
                            callee_number=callee_user, ani=number, dialplan=None,
                            source="src/switch_ivr_originate.c")
    channel = Channel(core, name, "outbound", profile, variables=list(variables),
                      uuid=originated_uuid(variables))
    channel.write_codec = ("PCMU", 8000, 64000)
    core.add_channel(channel)
    return channel


def place(core, target, variables, display, number):
    """Ring the device: (cause, answered channel or None); blocks for the ring time."""
    device, cause, name, presence = find(core, target)
    if name is None:
        return cause, None
    callee_user = device.contact_user if device and presence else \
        name.split("/")[-1].split("@")[0]
    channel = _sip_channel(core, name, variables, display, number, callee_user)
    channel.presence_id = presence
    channel.announce()
    if device is not None and device.behaviour == "answer":
        core.clock.sleep(RING_SECONDS)
        channel.progress = core.clock.now()
        channel.profile.network_addr = "127.0.0.1"
        channel.set_state("CS_CONSUME_MEDIA", "RINGING")
        channel.answer()
        channel.set_state("CS_EXECUTE", "ACTIVE")
        return "SUCCESS", channel
    cause = cause or _failure(core, device, dict(variables))
    channel.hangup(cause)
    return cause, None


def _failure(core, device, values):
    if device.behaviour == "no_answer":
        timeout = values.get("originate_timeout", "")
        if timeout.isdigit():
            core.clock.sleep(int(timeout) * NO_ANSWER_FACTOR)
            return "NO_ANSWER"
        core.clock.sleep(TIMER_B)
        return "RECOVERY_ON_TIMER_EXPIRE"
    core.clock.sleep(RING_SECONDS)
    return {"busy": "USER_BUSY", "reject": "CALL_REJECTED"}.get(
        device.behaviour, "NORMAL_TEMPORARY_FAILURE")


def dial_device(core, target, variables, display, number):
    return place(core, target, variables, display, number)


def originate_device(core, variables, target, destination):
    """api originate to a device: '+OK <uuid>' or '-ERR <CAUSE>'."""
    values = dict(variables)
    display = values.get("origination_caller_id_name", "")
    number = values.get("origination_caller_id_number", "0000000000")
    cause, channel = place(core, target, variables, display, number)
    if channel is None:
        return f"-ERR {cause}\n"
    if destination.startswith("&conference(") and destination.endswith(")"):
        room = destination[len("&conference("):-1].split("@")[0]
        flip_in_place(channel)
        channel.set_variable("current_application_data", room)
        channel.set_variable("current_application", "conference")
        gevent.spawn(core.conferences.join, channel, room, "default", (), True)
    return f"+OK {channel.uuid}\n"
