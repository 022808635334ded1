"""`show channels` / `show calls` (plain CSV or `as json`) in FreeSWITCH's formats (pure)."""
import json
import time

CHANNEL_COLUMNS = (
    "uuid,direction,created,created_epoch,name,state,cid_name,cid_num,ip_addr,dest,"
    "application,application_data,dialplan,context,read_codec,read_rate,read_bit_rate,"
    "write_codec,write_rate,write_bit_rate,secure,hostname,presence_id,presence_data,"
    "accountcode,callstate,callee_name,callee_num,callee_direction,call_uuid,"
    "sent_callee_name,sent_callee_num,initial_cid_name,initial_cid_num,initial_ip_addr,"
    "initial_dest,initial_dialplan,initial_context").split(",")


def channel_row(core, ch):
    p = ch.profile
    outbound_flipped = ch.direction == "outbound" and p.index > 1
    app = ch.get_variable("current_application", "") or ""
    return {
        "uuid": ch.uuid, "direction": ch.direction,
        "created": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ch.created)),
        "created_epoch": str(int(ch.created)), "name": ch.name, "state": ch.state,
        "cid_name": p.cid_name, "cid_num": p.cid_number, "ip_addr": "",
        "dest": p.destination_number, "application": app,
        "application_data": ch.get_variable("current_application_data", "") or "",
        "dialplan": p.dialplan, "context": p.context, "read_codec": "L16",
        "read_rate": str(ch.rate), "read_bit_rate": str(ch.rate * 16), "write_codec": "L16",
        "write_rate": str(ch.rate), "write_bit_rate": str(ch.rate * 16), "secure": "",
        "hostname": core.identity.hostname, "presence_id": ch.presence_id or "",
        "presence_data": "", "accountcode": "", "callstate": ch.call_state,
        "callee_name": p.callee_name, "callee_num": p.callee_number,
        "callee_direction": "RECV" if outbound_flipped else "",
        "call_uuid": ch.uuid if outbound_flipped else "", "sent_callee_name": "",
        "sent_callee_num": "", "initial_cid_name": p.orig_cid_name,
        "initial_cid_num": p.orig_cid_number, "initial_ip_addr": "",
        "initial_dest": p.rdnis or p.destination_number, "initial_dialplan": "xml",
        "initial_context": p.context}


CALL_COLUMNS = (
    "uuid,direction,created,created_epoch,name,state,cid_name,cid_num,ip_addr,dest,"
    "presence_id,presence_data,accountcode,callstate,callee_name,callee_num,"
    "callee_direction,call_uuid,hostname,sent_callee_name,sent_callee_num").split(",")
B_COLUMNS = ("uuid,direction,created,created_epoch,name,state,cid_name,cid_num,ip_addr,"
             "dest,presence_id,presence_data,accountcode,callstate,callee_name,callee_num,"
             "callee_direction,sent_callee_name,sent_callee_num").split(",")


def call_row(core, ch):
    """Loopback legs are not bridged, so every channel is a call without a b-leg."""
    row = channel_row(core, ch)
    out = {column: row[column] for column in CALL_COLUMNS}
    out.update({f"b_{column}": "" for column in B_COLUMNS})
    out["call_created_epoch"] = ""
    return out


def show(core, args):
    words = args.split()
    what = words[0] if words else ""
    as_json = words[-2:] == ["as", "json"]
    if what not in ("channels", "calls"):
        return "-USAGE: show [alias|aliases|api|application|calls|channels|codec|...]\n"
    make_row = channel_row if what == "channels" else call_row
    rows = [make_row(core, ch) for ch in core.channels.values() if ch.is_up]
    if as_json:
        if not rows:
            return '{"row_count": 0}\n'
        return json.dumps({"row_count": len(rows), "rows": rows},
                          separators=(",", ":"), ensure_ascii=False)
    if not rows:
        return "\n0 total.\n"
    columns = list(rows[0])
    lines = [",".join(columns)]
    lines += [",".join(row[col] for col in columns) for row in rows]
    return "\n".join(lines) + f"\n\n{len(rows)} total.\n"
