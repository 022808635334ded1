"""Who a dialled member is (PURE): one rule for the API's participant lists
(crossbar.live.identities) and the events (ecallmgr.normalize).

FreeSWITCH names a dialled leg's caller "Outbound Call" (DESIGN.md section 5;
json_list also shows ``caller_id_number`` "default" for a loopback leg, round4
dial_quoting json_list_after_quoted_dials), while the identity the dial gave it
is in the channel's callee id (``Caller-Callee-ID-Name`` / ``-Number``: the caller
id name / number the ``bgdial`` carried, round2 add_member.bgdial_*, round4
dial_quoting) and the number dialled in ``Caller-Destination-Number``. When the
dial gave no caller id, FreeSWITCH fills in "conference" / "0000000000" (round3):
the destination is then the member's identity.
"""
OUTBOUND_CALLER_NAME = "Outbound Call"
NO_CALLER_NAME, NO_CALLER_NUMBER = "conference", "0000000000"


def is_dialled(caller_id_name):
    return caller_id_name == OUTBOUND_CALLER_NAME


def dialled_party(headers, number):
    """``(name, number)`` of a dial-out's member from its channel headers (an
    event's or ``uuid_dump``'s Caller-* block); ``number``: what the caller id
    number said (kept when nothing better is known, e.g. a json_list record)."""
    callee_name = headers.get("Caller-Callee-ID-Name") or headers.get("Caller-Orig-Caller-ID-Name")
    callee_number = (headers.get("Caller-Callee-ID-Number")
                     or headers.get("Caller-Orig-Caller-ID-Number"))
    if callee_number and callee_number != NO_CALLER_NUMBER:
        return callee_name or callee_number, callee_number
    destination = headers.get("Caller-Destination-Number")
    if not destination:      # nothing better known (a json_list record): keep what it says
        return OUTBOUND_CALLER_NAME, number
    if callee_name and callee_name != NO_CALLER_NAME:
        return callee_name, destination
    return destination, destination
