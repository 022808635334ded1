"""`conference <room> relate`: relationships between members. They fire no events, and
setting one replaces the previous flags of that pair (nohear after nospeak = nohear)."""
from fssim.argsplit import separate_string

USAGE_NO_ARGS = "-ERR no reply\n"


def _describe(member_id, other_id, flags):
    speak = "NOSPEAK" if "nospeak" in flags else "SPEAK"
    hear = "NOHEAR" if "nohear" in flags else "HEAR"
    video = "SENDVIDEO" if "sendvideo" in flags else "NOSENDVIDEO"
    return f"{member_id} -> {other_id} {speak} {hear} {video} \n"


def list_relations(conf, member_id):
    member = conf.find(member_id)
    if member is None or not member.relations:
        return "+OK No relationships\n"
    return "".join(_describe(member_id, other, flags)
                   for other, flags in member.relations.items())


def cmd_relate(core, conf, rest):
    words = separate_string(rest)
    if not words:
        return USAGE_NO_ARGS
    if not words[0].isdigit():
        return f"-ERR Non-Existant ID {words[0]}\n"
    if len(words) == 1:
        return list_relations(conf, int(words[0]))
    if len(words) < 3 or not words[1].isdigit():
        return USAGE_NO_ARGS
    member, other = conf.find(int(words[0])), conf.find(int(words[1]))
    action = words[2]
    if action == "clear":
        if member is not None:
            member.relations.pop(other.id if other else int(words[1]), None)
            conf.retalk(member)
        return f"+OK relationship {words[0]}->{words[1]} cleared.\n"
    if member is None or other is None:
        return f"-ERR relationship {words[0]}->{words[1]} not found.\n"
    flags = {flag for flag in action.split(",") if flag in ("nospeak", "nohear", "sendvideo")}
    if not flags:
        return USAGE_NO_ARGS
    member.relations[other.id] = flags
    conf.retalk(member)
    return f"+OK {member.id}->{other.id} {action} set\n"
