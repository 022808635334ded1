"""mod_commands' ``uuid_dump <uuid>``: the channel's data as one plain event text.

As recorded (fixtures round3/api_uuid_dump_member_user_1000.esl): a CHANNEL_DATA
event, common block first (``Event-Calling-Function: uuid_dump_function``), then
the channel's Channel-*, Caller-* and variable_* headers, URL-encoded, one per
line, a blank line at the end; an unknown uuid answers "-ERR No such channel!"
(the same text as ``uuid_getvar``, also mod_commands'). Only the plain form is
modelled (``uuid_dump <uuid> json`` and ``xml`` are not shown by any fixture).
"""
from fssim.wire import event_plain_text

DUMP_CALL = ("mod_commands.c", "uuid_dump_function", 6495)


def uuid_dump(core, args):
    words = args.split()
    channel = core.channel(words[0]) if words else None
    if channel is None:
        return "-ERR No such channel!\n"
    if len(words) > 1 and words[1] != "plain":
        return f"-ERR fssim: uuid_dump {words[1]} is not modelled\n"
    event = core.events.make("CHANNEL_DATA", DUMP_CALL, channel.headers())
    return event_plain_text(event.headers)
