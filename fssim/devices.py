"""Simulated SIP devices (user/<id>@<domain>, sofia/<profile>/<user>@<host>) and the
dial outcomes round 3 recorded for them."""
import dataclasses
import logging

from fssim.channels import CallerProfile, Channel

log = logging.getLogger(__name__)

BEHAVIOURS = ("answer", "no_answer", "busy", "reject", "unreachable")
TIMER_B = 32.0


@dataclasses.dataclass
class Device:
    user: str
    domain: str
    behaviour: str = "answer"
    registered: bool = True
    contact_user: str = ""
    talking: bool = False

    def __post_init__(self):
        self.contact_user = self.contact_user or f"{self.user}-0x55b9c4d2f600"


def register(core, user, domain, behaviour="answer"):
    if behaviour not in BEHAVIOURS:
        raise ValueError(f"unknown device behaviour {behaviour!r} (one of {BEHAVIOURS})")
    device = core.devices.get(f"{user}@{domain}")
    if device is None:
        device = Device(user, domain, behaviour)
        core.devices[f"{user}@{domain}"] = device
    device.behaviour, device.registered = behaviour, True
    return device


def unregister(core, user, domain):
    device = core.devices.get(f"{user}@{domain}")
    if device is not None:
        device.registered = False
    return device


def _find(core, target):
    """-> (device or None, failure cause or None, presence_id)."""
    if target.startswith("user/"):
        key = target[len("user/"):]
        device = core.devices.get(key)
        if device is None:
            return None, "SUBSCRIBER_ABSENT", None
        if not device.registered:
            return None, "USER_NOT_REGISTERED", None
        return device, None, key
    if target.startswith("sofia/"):
        uri = target.split("/", 2)[2] if target.count("/") >= 2 else ""
        user = uri.split("@")[0].replace("sip:", "")
        for device in core.devices.values():
            if device.user == user and device.registered:
                return device, None, None
        return None, "NORMAL_TEMPORARY_FAILURE", None
    return None, "CHAN_NOT_IMPLEMENTED", None


def place(core, target, variables, display, number):
    """Ring the device: (cause, channel or None). Blocks for the simulated ring time."""
    device, cause, presence = _find(core, target)
    if device is None:
        return cause, None
    values = dict(variables)
    name = f"sofia/{target.split('/')[1] if target.startswith('sofia/') else 'rig'}/" \
           f"{device.contact_user}@127.0.0.1:5071"
    profile = CallerProfile("Outbound Call", device.contact_user, device.contact_user,
                            orig_cid_name=display, orig_cid_number=number,
                            callee_name=display, callee_number=number, ani=number,
                            dialplan="XML", source="mod_sofia")
    channel = Channel(core, name, "outbound", profile, variables=list(variables))
    channel.presence_id = presence
    core.add_channel(channel)
    channel.announce()
    if device.behaviour == "answer":
        core.clock.sleep(0.5)
        channel.answer()
        channel.set_state("CS_EXECUTE", "ACTIVE")
        channel.voice_on = False
        return "SUCCESS", channel
    cause = _failure(core, device, values)
    channel.hangup(cause)
    return cause, None


def _failure(core, device, values):
    if device.behaviour == "no_answer":
        timeout = values.get("originate_timeout")
        if timeout and timeout.isdigit():
            core.clock.sleep(int(timeout) * 0.93)
            return "NO_ANSWER"
        core.clock.sleep(TIMER_B)
        return "RECOVERY_ON_TIMER_EXPIRE"
    core.clock.sleep(0.02)
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
        core.conferences.join(channel, room, "default", dial_out=True)
    return f"+OK {channel.uuid}\n"
