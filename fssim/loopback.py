"""mod_loopback: a call to loopback/<ext>/<context> makes two channels. The "-b" leg
(inbound) runs the dialplan for <ext>; the "-a" leg (outbound) is the originated one.

Variable order matters (events list variables in the order they were set, and setting
one again moves it to the end); the sequences below are the recorded ones.
"""
import uuid as uuidlib

from fssim.channels import COMPLETE_CALL, EXECUTE_CALL, CallerProfile, Channel


def _leg_variables(leg, uuid, session_id, name, origination, other_uuid, early_media):
    out = [("direction", "outbound" if leg == "A" else "inbound")]
    if leg == "A":
        out.append(("is_outbound", "true"))
    out += [("uuid", uuid), ("call_uuid", uuid), ("session_id", str(session_id))]
    codec = [("read_codec", "L16"), ("read_rate", "8000"), ("write_codec", "L16"),
             ("write_rate", "8000")]
    out += codec + [("channel_name", name)] if leg == "A" else [("channel_name", name)] + codec
    out += list(origination)
    if leg == "A":
        out += [("originate_early_media", early_media), ("originate_endpoint", "loopback")]
    out += [("other_loopback_leg_uuid", other_uuid), ("loopback_leg", leg)]
    return out


def originated_uuid(variables):
    """The Unique-ID an originated channel gets: `{origination_uuid=...}` or a new one."""
    return dict(variables).get("origination_uuid") or str(uuidlib.uuid4())


def make_pair(core, extension, context, variables, cid_name, cid_number, early_media="true"):
    """Create both legs (no events yet). variables: the originate {...} pairs; an
    `origination_uuid` among them is the Unique-ID of the originated ("-a") leg."""
    a_uuid = originated_uuid(variables)
    b_uuid = str(uuidlib.uuid4())
    legs = []
    for leg, uuid, other, direction in (("A", a_uuid, b_uuid, "outbound"),
                                        ("B", b_uuid, a_uuid, "inbound")):
        name = f"loopback/{extension}-{leg.lower()}"
        profile = CallerProfile(cid_name, cid_number, extension, context=context)
        variables_of_leg = _leg_variables(leg, uuid, core.next_session_id(), name, variables,
                                          other, early_media)
        channel = Channel(core, name, direction, profile, uuid=uuid,
                          variables=variables_of_leg)
        core.add_channel(channel)
        legs.append(channel)
    a_leg, b_leg = legs
    a_leg.partner, b_leg.partner = b_leg, a_leg
    return a_leg, b_leg


def bring_up(core, a_leg, b_leg, dp_match=None):
    """CHANNEL_CREATE x2, then CHANNEL_ANSWER x2, as loopback does; the b-leg's dialplan
    match (DP_MATCH) is stamped before it answers."""
    a_leg.announce()
    b_leg.announce()
    if dp_match:
        b_leg.set_variable("DP_MATCH", dp_match)
    b_leg.set_variable("call_uuid", b_leg.uuid)
    b_leg.set_state("CS_EXECUTE", "RINGING")
    b_leg.set_variable("current_application", "answer")
    answer_uuid = str(uuidlib.uuid4())
    b_leg.fire("CHANNEL_EXECUTE", EXECUTE_CALL,
               extra_after=[("Application", "answer"), ("Application-UUID", answer_uuid)])
    a_leg.set_state("CS_CONSUME_MEDIA")
    a_leg.answer()
    b_leg.answer()
    for leg in (a_leg, b_leg):
        leg.set_state("CS_EXECUTE", "ACTIVE")
    b_leg.fire("CHANNEL_EXECUTE_COMPLETE", COMPLETE_CALL,
               extra_after=[("Application", "answer"), ("Application-Response", "_none_"),
                            ("Application-UUID", answer_uuid)])
    b_leg.set_variable("endpoint_disposition", "ANSWER")


def transfer_to_extension(channel, extension, caller, dp_match=None, flip=True):
    """The originated a-leg goes to its far extension (`... talk XML default`): a new
    caller profile; when it runs the extension, its caller id is flipped ("Outbound
    Call"/"default", the caller's as Orig/Callee). ``flip=False`` leaves the flip to
    flip_on_route() (a leg whose call may end before it routes)."""
    now = channel.core.clock.now()
    source = f"{int(now)}:{uuidlib.uuid4()}:bl_xfer:{extension}/default/XML"
    old = channel.profile
    channel.profile = CallerProfile(
        old.cid_name, old.cid_number, extension, orig_cid_name=old.orig_cid_name,
        orig_cid_number=old.orig_cid_number, callee_name=old.callee_name,
        callee_number=old.callee_number, ani=caller.cid_number, dialplan="XML",
        index=2, created=now, transfer_source=source, rdnis=caller.destination_number)
    channel.hit_dialplan = True
    for name, value in (("endpoint_disposition", "ANSWER"), ("max_forwards", "70"),
                        ("transfer_history", source), ("transfer_source", source),
                        ("DP_MATCH", dp_match)):
        channel.set_variable(name, value)
    if flip:
        flip_on_route(channel, caller)


def flip_on_route(channel, caller):
    p = channel.profile
    p.cid_name, p.cid_number = "Outbound Call", "default"
    p.orig_cid_name, p.orig_cid_number = caller.cid_name, caller.cid_number
    p.callee_name, p.callee_number = caller.cid_name, caller.cid_number
    _flip_marks(channel, caller)


def flip_in_place(channel):
    """A dialled-out leg bridged into a conference: same profile, caller id flipped."""
    p = channel.profile
    caller_name, caller_number = p.cid_name, p.cid_number
    p.cid_name, p.cid_number = p.callee_name, p.callee_number
    p.callee_name, p.callee_number = caller_name, caller_number
    channel.hit_dialplan = True
    channel.set_variable("endpoint_disposition", "ANSWER")
    _flip_marks(channel, CallerProfile(caller_name, caller_number, p.destination_number))


def _flip_marks(channel, caller):
    channel.set_variable("pre_transfer_caller_id_name", caller.cid_name)
    channel.set_variable("pre_transfer_caller_id_number", caller.cid_number)
    channel.set_variable("channel_cid_flipped", "yes")
    channel.set_variable("call_uuid", channel.uuid)


def inline_transfer(channel, destination):
    """`conference transfer`: the channel is transferred to the inline dialplan."""
    old = channel.profile
    now = channel.core.clock.now()
    source = f"{int(now)}:{uuidlib.uuid4()}:bl_xfer:{destination}/default/inline"
    channel.profile = CallerProfile(
        old.cid_name, old.cid_number, destination, orig_cid_name=old.orig_cid_name,
        orig_cid_number=old.orig_cid_number, callee_name=old.callee_name,
        callee_number=old.callee_number, ani=old.ani, dialplan="inline",
        source=old.source, context=old.context, index=old.index + 1, created=now,
        transfer_source=source, rdnis=old.destination_number, logical_direction="inbound")
    for name, value in (("max_forwards", "70"), ("transfer_history", source),
                        ("transfer_source", source), ("call_uuid", channel.uuid)):
        channel.set_variable(name, value)
