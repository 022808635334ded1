"""Directory and registration queries over the simulated devices: `user_exists`,
`user_data`, `sofia_contact` (no trailing newline, as recorded)."""

DIAL_STRING = ("{^^:sip_invite_domain=${dialed_domain}:presence_id=${dialed_user}@"
               "${dialed_domain}}${sofia_contact(*/${dialed_user}@${dialed_domain})}")
NOT_REGISTERED = "error/user_not_registered"


def user_exists(core, args):
    """user_exists id <user> <domain> -> "true" / "false"."""
    words = args.split()
    if len(words) < 3:
        return "false"
    return "true" if f"{words[1]}@{words[2]}" in core.devices else "false"


def user_data(core, args):
    """user_data <user>@<domain> param|var <name>."""
    words = args.split()
    device = core.devices.get(words[0]) if words else None
    if device is None or len(words) < 3:
        return ""
    if words[1] == "param":
        return DIAL_STRING if words[2] == "dial-string" else ""
    return device.variables.get(words[2], "default" if words[2] == "user_context" else "")


def sofia_contact(core, args):
    """sofia_contact [profile/|*/]<user>@<domain> -> the registered contact."""
    target = args.strip().split("/")[-1]
    device = core.devices.get(target)
    if device is None or not device.registered:
        return NOT_REGISTERED
    return f"sofia/rig/sip:{device.contact_user}@{device.contact}"
