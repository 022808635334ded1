"""The commands an outbound ESL service sends on its socket, one handler each.

``connect``, ``myevents``, ``event``, ``linger``/``nolinger``, ``getvar``,
``api``, ``sendmsg`` (``execute`` with ``Event-UUID`` echoed as
``Application-UUID``, ``hangup``) and ``exit``, with the reply texts of
fixtures/freeswitch/round2/outbound_*. A handler gets the session
(fssim/outbound_session.py), the rest of the command line and the headers;
returning False closes the connection.
"""
import gevent

from fssim import wire


def hangup_with_event(channel, cause="NORMAL_CLEARING"):
    """Hang the call up (Channel.hangup sends CHANNEL_HANGUP, the running
    application's completion, then CHANNEL_HANGUP_COMPLETE, as recorded)."""
    if channel.is_up:
        channel.hangup(cause)


def _cmd_connect(session, rest, headers):
    session.send(session.connect_reply())


def _cmd_myevents(session, rest, headers):
    session.myevents = True
    session.format = "json" if rest.startswith("json") else "plain"
    session.reply("+OK Events Enabled")


def _cmd_event(session, rest, headers):
    words = rest.split()
    if not words or words[0] not in ("plain", "json", "xml"):
        session.reply("-ERR invalid event format")
        return
    session.format = "json" if words[0] == "json" else "plain"
    custom = False
    for word in words[1:]:
        if word == "CUSTOM":
            custom = True
        elif custom and "::" in word:
            session.subclasses.add(word)
        else:
            session.names.add(word)
    session.reply(f"+OK event listener enabled {words[0]}")


def _cmd_linger(session, rest, headers):
    session.linger = int(rest) if rest.lstrip("-").isdigit() else -1
    session.reply("+OK will linger" if session.linger < 0
                  else f"+OK will linger {session.linger} seconds")


def _cmd_nolinger(session, rest, headers):
    session.linger = None
    session.reply("+OK will not linger")


def _cmd_getvar(session, rest, headers):
    value = session.channel.get_variable(rest)
    session.reply(value if isinstance(value, str) and value else "_undef_")


def _cmd_api(session, rest, headers):
    from fssim.api import execute_api
    session.send(wire.api_response(execute_api(session.core, rest)))


def _cmd_sendmsg(session, rest, headers):
    command = headers.get("call-command", "")
    if command == "execute":
        session.reply("+OK")
        session.queue_app(headers.get("execute-app-name", ""), headers.get("execute-app-arg", ""),
                          headers.get("Event-UUID"))
    elif command == "hangup":
        session.reply("+OK")
        cause = headers.get("hangup-cause") or "NORMAL_CLEARING"
        gevent.spawn(hangup_with_event, session.channel, cause)
    else:
        session.reply("-ERR invalid command")


def _cmd_exit(session, rest, headers):
    session.reply("+OK bye")
    session.send(wire.disconnect_notice([
        ("Controlled-Session-UUID", session.channel.uuid), ("Content-Disposition", "disconnect")]))
    return False


COMMANDS = {"connect": _cmd_connect, "myevents": _cmd_myevents, "event": _cmd_event,
            "linger": _cmd_linger, "nolinger": _cmd_nolinger, "getvar": _cmd_getvar,
            "api": _cmd_api, "sendmsg": _cmd_sendmsg, "exit": _cmd_exit}
