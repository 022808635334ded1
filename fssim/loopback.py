"""mod_loopback: a call to loopback/<ext>/<context> makes two channels. The "-b" leg
(inbound) runs the dialplan for <ext>; the "-a" leg (outbound) is the originated one."""
from fssim.channels import CallerProfile, Channel


def _leg_variables(leg, uuid, session_id, name, origination, other_uuid):
    out = [("direction", "outbound" if leg == "A" else "inbound")]
    if leg == "A":
        out.append(("is_outbound", "true"))
    out += [("uuid", uuid), ("call_uuid", uuid), ("session_id", str(session_id))]
    codec = [("read_codec", "L16"), ("read_rate", "8000"), ("write_codec", "L16"),
             ("write_rate", "8000")]
    if leg == "A":
        out += codec + [("channel_name", name)]
    else:
        out += [("channel_name", name)] + codec
    out += list(origination)
    if leg == "A":
        out += [("originate_early_media", "true"), ("originate_endpoint", "loopback")]
    out += [("other_loopback_leg_uuid", other_uuid), ("loopback_leg", leg)]
    return out


def make_pair(core, extension, context, variables, cid_name, cid_number):
    """Create both legs (no events yet). variables: the originate {...} pairs."""
    import uuid as uuidlib
    a_uuid, b_uuid = str(uuidlib.uuid4()), str(uuidlib.uuid4())
    legs = []
    for leg, uuid, other, direction in (("A", a_uuid, b_uuid, "outbound"),
                                        ("B", b_uuid, a_uuid, "inbound")):
        name = f"loopback/{extension}-{leg.lower()}"
        profile = CallerProfile(cid_name, cid_number, extension, context=context)
        session_id = core.next_session_id()
        channel = Channel(core, name, direction, profile, uuid=uuid,
                          variables=_leg_variables(leg, uuid, session_id, name, variables,
                                                   other))
        core.add_channel(channel)
        legs.append(channel)
    a_leg, b_leg = legs
    a_leg.partner, b_leg.partner = b_leg, a_leg
    return a_leg, b_leg


def flip_to_far_extension(channel, extension, caller):
    """The a-leg is transferred to the far extension: FreeSWITCH flips its caller id
    (it now shows "Outbound Call"/"default" and the caller as callee)."""
    p = channel.profile
    now = channel.core.clock.now()
    source = f"{int(now)}:{channel.partner.uuid if channel.partner else ''}:bl_xfer:" \
             f"{extension}/default/XML"
    channel.profile = CallerProfile(
        "Outbound Call", "default", extension, orig_cid_name=caller.cid_name,
        orig_cid_number=caller.cid_number, callee_name=caller.cid_name,
        callee_number=caller.cid_number, ani=caller.cid_number, dialplan="XML",
        index=2, created=now, transfer_source=source, rdnis=p.destination_number)
    channel.hit_dialplan = True
    channel.set_variable("endpoint_disposition", "ANSWER")
    channel.set_variable("max_forwards", "70")
    channel.set_variable("transfer_history", source)
    channel.set_variable("transfer_source", source)
    channel.set_variable("DP_MATCH", [extension, extension])
    channel.set_variable("pre_transfer_caller_id_name", caller.cid_name)
    channel.set_variable("pre_transfer_caller_id_number", caller.cid_number)
    channel.set_variable("channel_cid_flipped", "yes")
    channel.set_variable("call_uuid", channel.uuid)
