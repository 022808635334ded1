"""`conference list` / `json_list` / `xml_list` text, in FreeSWITCH's exact formats (pure)."""
from fssim import cjson

def conference_flags(conf):
    flags = (["locked"] if conf.locked else []) + ["running", "answered", "enforce_min",
                                                   "dynamic"]
    flags += (["exit_sound"] if conf.exit_sound_on else []) + \
        (["enter_sound"] if conf.enter_sound_on else [])
    if conf.recordings:
        flags.append("recording")
    return flags + ["json_status"]


def summary_line(conf):
    count = conf.count
    plural = "member" if count == 1 else "members"
    locked = " locked" if conf.locked else ""
    return (f"+OK Conference {conf.name} ({count} {plural} rate: {conf.profile.rate}{locked} "
            f"flags: {'|'.join(conference_flags(conf))})\n")


def member_lines(conf, delim=";"):
    lines = []
    for m in conf.newest_first():
        fields = [str(m.id), m.channel.name, m.uuid, m.caller_id_name, m.caller_id_number,
                  m.list_flags(), str(m.volume_in), str(m.volume_out), str(m.energy_level)]
        lines.append(delim.join(fields) + "\n")
    return "".join(lines)


def _seconds_since(now, then):
    return int(now - then)


def member_json(m, now):
    return [
        ("type", "caller"), ("id", m.id),
        ("flags", [("can_hear", m.can_hear and not m.hold), ("can_see", not m.hold),
                   ("can_speak", m.can_speak and not m.hold), ("hold", m.hold),
                   ("mute_detect", m.mute_detect), ("talking", m.talking),
                   ("has_video", False), ("video_bridge", False), ("has_floor", m.has_floor),
                   ("is_moderator", m.moderator), ("end_conference", m.end_conference),
                   ("mandatory_member_end_conference", m.mandatory_member_end_conference),
                   ("pass_digits", False)]),
        ("uuid", m.uuid), ("caller_id_name", m.caller_id_name),
        ("caller_id_number", m.caller_id_number),
        ("join_time", _seconds_since(now, m.join_time)),
        ("last_talking", _seconds_since(now, m.last_talking) if m.last_talking else 0),
        ("energy", m.energy_level), ("volume_in", m.volume_in), ("volume_out", m.volume_out),
        ("output-volume", m.volume_out), ("input-volume", m.volume_in)]


def conference_json(conf, now):
    members = [[("type", "recording_node"), ("record_path", node.path),
                ("join_time", int(node.started))] for node in reversed(conf.recordings)]
    members += [member_json(m, now) for m in conf.newest_first()]
    flags = [("locked", conf.locked), ("destruct", False), ("wait_mod", bool(getattr(conf, "wait_mod", False))),
             ("audio_always", False), ("running", True), ("answered", True),
             ("enforce_min", True), ("bridge_to", False), ("dynamic", True),
             ("exit_sound", conf.exit_sound_on), ("enter_sound", conf.enter_sound_on),
             ("recording", bool(conf.recordings)),
             ("video_bridge", False), ("video_floor_only", False), ("video_rfc4579", False)]
    if conf.max_members > 0:
        flags.append(("max_members", conf.max_members))
    return ([("conference_name", conf.name), ("member_count", conf.count),
             ("ghost_count", conf.ghosts), ("rate", conf.profile.rate),
             ("run_time", _seconds_since(now, conf.created)),
             ("conference_uuid", conf.uuid), ("canvas_count", 0), ("max_bw_in", 0),
             ("force_bw_in", 0), ("video_floor_packets", 0)]
            + flags + [("variables", list(conf.variables.items())), ("members", members)])


def json_list(conferences, now, compact=False):
    value = [conference_json(conf, now) for conf in conferences]
    return cjson.dumps(value, compact=compact)


def _xml_bool(value):
    return "true" if value else "false"


def xml_member(m, now):
    f = [("can_hear", m.can_hear and not m.hold), ("can_see", not m.hold),
         ("can_speak", m.can_speak and not m.hold), ("mute_detect", m.mute_detect),
         ("talking", m.talking), ("hold", m.hold), ("has_video", False),
         ("video_bridge", False), ("has_floor", m.has_floor), ("is_moderator", m.moderator),
         ("end_conference", m.end_conference),
         ("mandatory_member_end_conference", m.mandatory_member_end_conference),
         ("is_ghost", m.ghost)]
    flags = "".join(f"          <{k}>{_xml_bool(v)}</{k}>\n" for k, v in f)
    talking = _seconds_since(now, m.last_talking) if m.last_talking else (
        0 if m.talking else "N/A")
    return ('      <member type="caller">\n'
            f"        <id>{m.id}</id>\n        <flags>\n{flags}        </flags>\n"
            f"        <uuid>{m.uuid}</uuid>\n"
            f"        <caller_id_name>{_xml(m.caller_id_name)}</caller_id_name>\n"
            f"        <caller_id_number>{_xml(m.caller_id_number)}</caller_id_number>\n"
            f"        <join_time>{_seconds_since(now, m.join_time)}</join_time>\n"
            f"        <last_talking>{talking}</last_talking>\n"
            f"        <energy>{m.energy_level}</energy>\n"
            f"        <volume_in>{m.volume_in}</volume_in>\n"
            f"        <volume_out>{m.volume_out}</volume_out>\n"
            f"        <output-volume>{m.volume_out}</output-volume>\n"
            "      </member>\n")


def _xml(text):
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xml_conference(conf, now):
    attrs = (f'name="{conf.name}" member-count="{conf.count}" ghost-count="{conf.ghosts}" '
             f'rate="{conf.profile.rate}" uuid="{conf.uuid}" '
             + ('locked="true" ' if conf.locked else "")
             + 'running="true" answered="true" enforce_min="true" dynamic="true" '
             + ('exit_sound="true" ' if conf.exit_sound_on else "")
             + ('enter_sound="true" ' if conf.enter_sound_on else "")
             + (f'max_members="{conf.max_members}" ' if conf.max_members > 0 else "")
             + ('recording="true" ' if conf.recordings else "")
             + f'run_time="{_seconds_since(now, conf.created)}"')
    variables = "".join(f"      <variable name=\"{k}\">{_xml(v)}</variable>\n"
                        for k, v in conf.variables.items())
    variables = f"    <variables>\n{variables}    </variables>\n" if variables \
        else "    <variables></variables>\n"
    nodes = "".join('      <member type="recording_node">\n'
                    f"        <record_path>{_xml(n.path)}</record_path>\n"
                    f'        <join_time type="UNIX-epoch">{int(n.started)}</join_time>\n'
                    "      </member>\n" for n in reversed(conf.recordings))
    members = nodes + "".join(xml_member(m, now) for m in conf.newest_first())
    return (f"  <conference {attrs}>\n{variables}    <members>\n{members}    </members>\n"
            "  </conference>\n")


def xml_list(conferences, now):
    body = "".join(xml_conference(conf, now) for conf in conferences)
    if not body:
        return '<?xml version="1.0"?>\n<conferences></conferences>\n'
    return f'<?xml version="1.0"?>\n<conferences>\n{body}</conferences>\n'
