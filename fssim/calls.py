"""place_call(): a caller dials in through the dialplan (the call-in service's entry)."""
from fssim import loopback


def place_call(core, destination_number, caller_id_number, caller_id_name, variables=None,
               dtmf_script=None):
    """A loopback call whose "-b" leg runs the dialplan for `destination_number`.
    dtmf_script: digits (str) or [(delay_seconds, digits), ...] the caller presses.
    Returns the -b leg Channel (the one the dialplan handler drives)."""
    pairs = [("origination_caller_id_number", caller_id_number),
             ("origination_caller_id_name", caller_id_name)]
    pairs += [(k, str(v)) for k, v in (variables or {}).items()]
    a_leg, b_leg = loopback.make_pair(core, destination_number, "default", pairs,
                                      caller_id_name, caller_id_number)
    a_leg.announce()
    b_leg.announce()
    a_leg.set_state("CS_CONSUME_MEDIA")
    a_leg.answer()
    b_leg.set_state("CS_ROUTING")
    dp_match = core.dialplan.dp_match(destination_number)
    if dp_match:
        b_leg.set_variable("DP_MATCH", dp_match)
    b_leg.set_variable("call_uuid", b_leg.uuid)
    if not core.dialplan.route(b_leg):
        b_leg.hangup("NO_ROUTE_DESTINATION")
        return b_leg
    if dtmf_script:
        script = [(1.5, dtmf_script)] if isinstance(dtmf_script, str) else dtmf_script
        core.clock.later(0, _press, core, b_leg, list(script))
    return b_leg


def _press(core, channel, script):
    for delay, digits in script:
        core.clock.sleep(delay)
        if not channel.is_up:
            return
        channel.queue_dtmf(digits)
