"""The dialplan crossbar serves over xml_curl for a device calling a number that
is not ours: out through the account's carriers (PURE).

mod_dialplan_xml fetches ``section=dialplan`` with the channel's data (the
``Hunt-*`` caller profile and every ``variable_*``: REQUEST_PARAMS events carry
them; switch_channel.c, dialplan_xml_locate) and looks the call's context up in
the answer. A not-found answer falls back to fs_conf's static dialplan (the
call-in service for conference numbers). No fixture records a dialplan fetch:
its shape is taken from mod_dialplan_xml.c.
"""
from kzcore import fsxml
from kzcore.fs_commands import valid_caller_id_name, valid_caller_id_number
from kzcore.fs_commands.validate import PROFILE_NAME, invalid


def _action(application, data):
    return ("action", [("application", application), ("data", data)], [])


def carrier_bridge(context, number, bridge_string, caller_id=(None, None)):
    """One extension in ``context``: set the caller id, then ``bridge`` through the
    gateways (``bridge_string`` from kzcore.fs_commands.sofia.failover_string)."""
    if not isinstance(context, str) or not PROFILE_NAME.fullmatch(context):
        raise invalid("context", "may only hold letters, digits, '_', '.' and '-'", context)
    cid_number, cid_name = caller_id
    actions = [_action("set", "hangup_after_bridge=true")]
    if cid_number:
        actions.append(_action("set", "effective_caller_id_number="
                               + valid_caller_id_number(cid_number)))
        if cid_name:
            actions.append(_action("set", "effective_caller_id_name="
                                   + valid_caller_id_name(cid_name)))
    actions.append(_action("bridge", bridge_string))
    condition = ("condition", [("field", "destination_number"),
                               ("expression", "^" + _literal(number) + "$")], actions)
    extension = ("extension", [("name", "kz_carriers")], [condition])
    return fsxml.document("dialplan", [("context", [("name", context)], [extension])])


def _literal(number):
    """The dialled number as a regex matching only itself."""
    if not isinstance(number, str) or not number or not all(
            ch.isdigit() or ch in "+*#" for ch in number) or len(number) > 32:
        raise invalid("number", "must be 1-32 digits, + * or #", number)
    return "".join("\\" + ch if ch in "+*" else ch for ch in number)
