"""`conference <room> dtmf <member|all> <digits>`: the digits go out on the member's
channel (conference_api_sub_dtmf queues them; the member's loop sends them).

As recorded (round4 dtmf_member, dtmf_all): a dtmf-member conference event (Digits),
then, for a loopback member, one DTMF channel event per digit on the other leg of the
loopback pair, which reads them (DTMF-Duration 2000, DTMF-Source UNKNOWN). A member on
another endpoint (a SIP phone) sends them to the phone: no DTMF event on this switch
(not shown by any fixture).
"""
DIGIT_GAP = 0.02  # the member loop sends one queued digit per 20 ms frame


def send_dtmf(conf, member, digits):
    conf.emit_member(member, "dtmf-member", [("Digits", digits)])
    reader = getattr(member.channel, "partner", None)
    if reader is None:
        return
    clock = conf.core.clock
    for index, digit in enumerate(digits):
        clock.later(DIGIT_GAP * (index + 1), _arrives, reader, digit)


def _arrives(channel, digit):
    if channel.is_up:
        channel.dtmf_event(digit)
