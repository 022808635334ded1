"""The channel part of FreeSWITCH events (pure): Channel-*, Caller-* and variable_* headers,
and the CDR variables FreeSWITCH adds at hang-up, in the recorded order."""
import time

STATE_NUMBERS = {"CS_NEW": 0, "CS_INIT": 2, "CS_ROUTING": 3, "CS_EXECUTE": 4,
                 "CS_EXCHANGE_MEDIA": 5, "CS_PARK": 6, "CS_CONSUME_MEDIA": 7,
                 "CS_HIBERNATE": 8, "CS_RESET": 9, "CS_HANGUP": 10, "CS_REPORTING": 11,
                 "CS_DESTROY": 12}

HANGUP_Q850 = {"NORMAL_CLEARING": 16, "USER_BUSY": 17, "NO_USER_RESPONSE": 18, "NO_ANSWER": 19,
               "SUBSCRIBER_ABSENT": 20, "CALL_REJECTED": 21, "NO_ROUTE_DESTINATION": 3,
               "NORMAL_TEMPORARY_FAILURE": 41, "USER_NOT_REGISTERED": 606,
               "RECOVERY_ON_TIMER_EXPIRE": 102, "ORIGINATOR_CANCEL": 487, "MANAGER_REQUEST": 503,
               "UNALLOCATED_NUMBER": 1, "NORMAL_UNSPECIFIED": 31, "LOSE_RACE": 502}


def _bool(value):
    return "true" if value else "false"


def _micros(epoch):
    return str(int(epoch * 1_000_000)) if epoch else "0"


def channel_block(ch, state_number=None, with_variables=True):
    """Channel-* / Caller-* (/ variable_*) headers of a channel, in FreeSWITCH's order."""
    if state_number is None:
        state_number = getattr(ch, "state_number_hint", None)
    number = STATE_NUMBERS.get(ch.state, 0) if state_number is None else state_number
    head = [("Channel-State", ch.state), ("Channel-Call-State", ch.call_state),
            ("Channel-State-Number", str(number)), ("Channel-Name", ch.name),
            ("Unique-ID", ch.uuid), ("Call-Direction", ch.direction),
            ("Presence-Call-Direction", ch.direction),
            ("Channel-HIT-Dialplan", _bool(ch.hit_dialplan))]
    if ch.presence_id:
        head.append(("Channel-Presence-ID", ch.presence_id))
    head += [("Channel-Call-UUID", ch.uuid), ("Answer-State", ch.answer_state)]
    if ch.hangup_cause:
        head.append(("Hangup-Cause", ch.hangup_cause))
    rate = str(ch.rate)
    write_name, write_rate, write_bits = getattr(ch, "write_codec", ("L16", ch.rate,
                                                                     ch.rate * 16))
    head += [("Channel-Read-Codec-Name", "L16"), ("Channel-Read-Codec-Rate", rate),
             ("Channel-Read-Codec-Bit-Rate", str(ch.rate * 16)),
             ("Channel-Write-Codec-Name", write_name),
             ("Channel-Write-Codec-Rate", str(write_rate)),
             ("Channel-Write-Codec-Bit-Rate", str(write_bits))]
    head += caller_block(ch)
    if with_variables:
        head += [("variable_" + name, value) for name, value in ch.variables.items()]
    return head


def caller_block(ch):
    p = ch.profile
    head = [("Caller-Direction", ch.direction),
            ("Caller-Logical-Direction", p.logical_direction or ch.direction)]
    if p.dialplan:
        head.append(("Caller-Dialplan", p.dialplan))
    head += [("Caller-Caller-ID-Name", p.cid_name), ("Caller-Caller-ID-Number", p.cid_number),
             ("Caller-Orig-Caller-ID-Name", p.orig_cid_name),
             ("Caller-Orig-Caller-ID-Number", p.orig_cid_number)]
    if p.callee_name is not None:   # round 5: an inbound SIP leg has no callee id
        head += [("Caller-Callee-ID-Name", p.callee_name),
                 ("Caller-Callee-ID-Number", p.callee_number)]
    if p.network_addr:
        head.append(("Caller-Network-Addr", p.network_addr))
    head += [("Caller-ANI", p.ani), ("Caller-Destination-Number", p.destination_number),
            ("Caller-Unique-ID", ch.uuid), ("Caller-Source", p.source)]
    if p.transfer_source:
        head.append(("Caller-Transfer-Source", p.transfer_source))
    head.append(("Caller-Context", p.context))
    if p.rdnis:
        head.append(("Caller-RDNIS", p.rdnis))
    head += [("Caller-Channel-Name", ch.name), ("Caller-Profile-Index", str(p.index)),
             ("Caller-Profile-Created-Time", _micros(p.created)),
             ("Caller-Channel-Created-Time", _micros(ch.created)),
             ("Caller-Channel-Answered-Time", _micros(ch.answered)),
             ("Caller-Channel-Progress-Time", _micros(ch.progress)),
             ("Caller-Channel-Progress-Media-Time", "0"),
             ("Caller-Channel-Hangup-Time", _micros(ch.hungup)),
             ("Caller-Channel-Transfer-Time", "0"), ("Caller-Channel-Resurrect-Time", "0"),
             ("Caller-Channel-Bridged-Time", "0"), ("Caller-Channel-Last-Hold", "0"),
             ("Caller-Channel-Hold-Accum", "0"), ("Caller-Screen-Bit", "true"),
             ("Caller-Privacy-Hide-Name", "false"), ("Caller-Privacy-Hide-Number", "false")]
    return head


def _stamp(epoch):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(epoch))


def _span(name, start, end):
    """FreeSWITCH's duration triple: <name>sec, <name>msec, <name>usec."""
    usec = int(round((end - start) * 1_000_000)) if start and end else 0
    return usec


def cdr_variables(ch):
    """The variables FreeSWITCH sets when a channel reaches CS_REPORTING (in order)."""
    end = ch.hungup
    answered = ch.answered or 0
    start = ch.created
    out = [("hangup_cause", ch.hangup_cause),
           ("hangup_cause_q850", str(HANGUP_Q850.get(ch.hangup_cause, 16))),
           ("digits_dialed", "none"), ("start_stamp", _stamp(start)),
           ("profile_start_stamp", _stamp(ch.profile.created))]
    if answered:
        out.append(("answer_stamp", _stamp(answered)))
    out.append(("end_stamp", _stamp(end)))
    epochs = [("start", start), ("profile_start", ch.profile.created), ("answer", answered),
              ("bridge", 0), ("last_hold", 0)]
    for name, value in epochs:
        out += [(f"{name}_epoch", str(int(value))), (f"{name}_uepoch", _micros(value))]
    out += [("hold_accum_seconds", "0"), ("hold_accum_usec", "0"), ("hold_accum_ms", "0")]
    for name in ("resurrect", "progress", "progress_media"):
        out += [(f"{name}_epoch", "0"), (f"{name}_uepoch", "0")]
    out += [("end_epoch", str(int(end))), ("end_uepoch", _micros(end))]
    out += [("last_app", ch.last_app or ""), ("last_arg", ch.last_arg or "")] if ch.last_app else []
    out.append(("caller_id", f'"{ch.profile.cid_name}" <{ch.profile.cid_number}>'))
    out += _durations(start, answered, end)
    return out


def _durations(start, answered, end):
    total = _span("", start, end)
    bill = _span("", answered, end) if answered else 0
    answer = _span("", start, answered) if answered else 0
    rows = []
    for unit, div in (("sec", 1_000_000), ("msec", 1000), ("usec", 1)):
        prefix = {"sec": "", "msec": "m", "usec": "u"}[unit]
        rows += [(f"{prefix}duration" if unit != "sec" else "duration", str(total // div)),
                 (f"bill{unit}", str(bill // div)), (f"progress{unit}", "0"),
                 (f"answer{unit}", str(answer // div)), (f"wait{unit}", "0"),
                 (f"progress_media{unit}", "0"), (f"flow_bill{unit}", str(total // div))]
    return rows
