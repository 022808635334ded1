"""sofia::register / sofia::unregister events for simulated devices (round 3 layout)."""
import uuid as uuidlib

REGISTER_CALL = ("sofia_reg.c", "sofia_reg_handle_register_token", 2059)
UNREGISTER_CALL = ("sofia_reg.c", "sofia_reg_handle_register_token", 2213)
USER_AGENT = "fssim (simulated device)"


def _identity(device):
    host, _, port = device.contact.partition(":")
    contact = f'"" <sip:{device.contact_user}@{device.contact}>'
    return host, port or "5060", contact


def _directory(device):
    return [("sip_number_alias", device.user), ("sip_auth_username", device.user),
            ("sip_auth_realm", device.domain), ("number_alias", device.user),
            ("user_name", device.user), ("domain_name", device.domain),
            ("user_context", "default")] + list(device.variables.items())


def registered(core, device):
    host, port, contact = _identity(device)
    device.call_id = device.call_id or uuidlib.uuid4().hex[:16]
    headers = [("profile-name", "rig"), ("from-user", device.user),
               ("from-host", device.domain), ("presence-hosts", "n/a"),
               ("contact", contact), ("call-id", device.call_id), ("rpid", "unknown"),
               ("status", "Registered(UDP)"), ("expires", "600"), ("to-user", device.user),
               ("to-host", device.domain), ("network-ip", host), ("network-port", port),
               ("username", device.user), ("realm", device.domain),
               ("user-agent", USER_AGENT)] + _directory(device)
    core.emit(core.events.custom("sofia::register", REGISTER_CALL, headers))


def unregistered(core, device):
    host, port, contact = _identity(device)
    headers = [("profile-name", "rig"), ("username", device.user),
               ("from-user", device.user), ("from-host", device.domain),
               ("contact", contact), ("call-id", device.call_id or ""), ("rpid", "unknown"),
               ("realm", device.domain), ("network-ip", host), ("network-port", port),
               ("user-agent", USER_AGENT), ("expires", "0")] + _directory(device)
    core.emit(core.events.custom("sofia::unregister", UNREGISTER_CALL, headers))
