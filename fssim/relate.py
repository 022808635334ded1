"""`conference <room> relate`: relationships between members (conference_api_sub_relate).

As recorded (round 1, round4 relate_*): `relate <id>` lists (or "+OK No relationships");
`relate A[,A2] B[,B2] nospeak|nohear|sendvideo` sets the pair's flags anew ("+OK A->B
nospeak set", also for A == B); a missing member on either side is "-ERR relationship
A->B not found."; `clear` answers "+OK relationship A->B cleared." whenever A exists,
related or not; any other kind (whisper) is the usage text. nospeak clears the
member's talking flag (a new start-talking while it sounds); nohear and sendvideo
change nothing that shows. No relationship event exists.
"""
from fssim.conference_dispatch import SPLIT, Command, Usage, atoi

KINDS = ("nospeak", "nohear", "sendvideo")


def _describe(member_id, other_id, flags):
    speak = "NOSPEAK" if "nospeak" in flags else "SPEAK"
    hear = "NOHEAR" if "nohear" in flags else "HEAR"
    video = "SENDVIDEO" if "sendvideo" in flags else "NOSENDVIDEO"
    return f"{member_id} -> {other_id} {speak} {hear} {video} \n"


def _list(conf, argv):
    if not any(member.relations for member in conf.members):
        return "+OK No relationships\n"
    if len(argv) < 3:
        return ""
    text = ""
    for member_id in (atoi(word) for word in argv[2].split(",")):
        for member in conf.newest_first():
            if member_id > 0 and member.id != member_id:
                continue
            text += "".join(_describe(member.id, other, flags)
                            for other, flags in member.relations.items())
    return text


def _clear(conf, member_id, other_id):
    member = conf.find(member_id)
    if member is None:
        return f"-ERR relationship {member_id}->{other_id} not found.\n"
    member.relations.pop(other_id, None)
    return f"+OK relationship {member_id}->{other_id} cleared.\n"


def _set(conf, member_id, other_id, flags, action):
    member = conf.find(member_id)
    other = conf.find(other_id) if member else None
    if member is None or other is None:
        return f"-ERR relationship {member_id}->{other_id} not found.\n"
    member.relations[other_id] = flags
    if "nospeak" in flags:
        conf.retalk(member)
    return f"+OK {member_id}->{other_id} {action} set\n"


def relate(ctx, argv):
    conf = ctx.conf
    if len(argv) <= 3:
        return _list(conf, argv)
    if len(argv) <= 4:
        raise Usage()
    action = argv[4]
    flags = {kind for kind in KINDS if kind in action}
    clear = action.lower() == "clear"
    if not (clear or flags):
        raise Usage()
    text = ""
    for member_id in (atoi(word) for word in argv[2].split(",") if word):
        for other_id in (atoi(word) for word in argv[3].split(",") if word):
            if clear:
                text += _clear(conf, member_id, other_id)
            if flags:
                text += _set(conf, member_id, other_id, flags, action)
    return text


def list_relations(conf, member_id):
    """`relate <id>` as text (for callers outside the api)."""
    return _list(conf, ["", "relate", str(member_id)])


RELATE = Command(SPLIT, relate, "<member_id>[,<member_id>] <other_member_id>[,<other_member_id>] "
                 "[nospeak|nohear|clear]")
