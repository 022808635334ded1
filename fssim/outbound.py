"""FreeSWITCH's ``socket`` dialplan application, simulated: outbound ESL.

The channel connects to a service (``socket host:port async full``), answers
``connect`` with one header-only frame of URL-encoded channel data, then serves
the service's commands byte-compatible with fixtures/freeswitch/round2/outbound_*.

This module is the dialplan side and the entry point: ``install(core)`` adds
what the call-in service needs beyond the core's applications (``record``,
``socket``, and ``conference`` with ``wait-mod`` and ``conference_enter_sound``);
``socket_extension`` is a dialplan handler running ``socket`` then hanging up;
``place_call`` starts an inbound call with a scripted caller (digits and
hang-ups). The pieces:

- fssim/outbound_session.py: one connection (event filter, read/write loops,
  disconnect and linger notices);
- fssim/outbound_commands.py: the command table (``connect``, ``event``,
  ``sendmsg``, ...) and ``hangup_with_event``;
- fssim/callin_apps.py: the ``record`` and ``conference`` applications.
"""
import logging

import gevent
from gevent import socket

from fssim.callin_apps import conference_app, record
from fssim.channels import CallerProfile, Channel
from fssim.outbound_commands import hangup_with_event
from fssim.outbound_session import OutboundSocket

__all__ = ["OutboundSocket", "conference_app", "hangup_with_event", "install", "place_call",
           "record", "run_script", "run_socket", "socket_app", "socket_extension"]

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 5.0


def install(core):
    """Register the call-in applications on a simulated switch (idempotent)."""
    core.applications.register("record", record)
    core.applications.register("conference", conference_app)
    core.applications.register("socket", socket_app)


def socket_app(channel, arg):
    """``socket host:port [async] [full]`` run as an application."""
    words = arg.split()
    host, _, port = (words[0] if words else "").rpartition(":")
    if not host or not port.isdigit():
        return "_none_"
    run_socket(channel.core, channel, host, int(port), *(words[1:3] or ["async", "full"]))
    return "_none_"


def run_socket(core, channel, host, port, mode="async", control="full"):
    """Connect the channel to the service and serve it until the socket closes."""
    try:
        sock = socket.create_connection((host, port), timeout=CONNECT_TIMEOUT)
    except OSError as exc:
        log.warning("socket application could not connect", extra={"error": str(exc)})
        return None
    sock.settimeout(None)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as mod_event_socket does
    channel.set_state("CS_EXECUTE", None if channel.answered else "RINGING")
    channel.set_variable("current_application_data", f"{host}:{port} {mode} {control}")
    channel.set_variable("current_application", "socket")
    channel.set_variable("socket_host", host)
    session = OutboundSocket(core, channel, sock, mode, control)
    session.run()
    return session


def socket_extension(host, port):
    """A dialplan handler: ``socket host:port async full``, then hang up (fs_conf does)."""
    def handler(channel, match):
        install(channel.core)
        run_socket(channel.core, channel, host, port)
        if channel.is_up:
            hangup_with_event(channel)
    return handler


def run_script(channel, script):
    """The caller's side: ``[(delay_seconds, "12#"), (delay, "hangup")]``."""
    for delay, action in script or ():
        channel.core.clock.sleep(delay)
        if not channel.is_up:
            return
        if action == "hangup":
            hangup_with_event(channel)
            return
        channel.queue_dtmf(action)


def place_call(core, destination_number, caller_id_number, caller_id_name, variables=None,
               dtmf_script=None):
    """An inbound call to ``destination_number`` running the dialplan; returns the Channel."""
    install(core)
    profile = CallerProfile(caller_id_name, caller_id_number, destination_number,
                            source="mod_sofia", context="default")
    name = f"sofia/internal/{caller_id_number}@sim"
    pairs = [("direction", "inbound")] + [(k, str(v)) for k, v in (variables or {}).items()]
    channel = Channel(core, name, "inbound", profile, variables=pairs)
    channel.set_variable("uuid", channel.uuid)
    core.add_channel(channel)
    channel.announce()
    channel.set_state("CS_EXECUTE", "RINGING")
    if not core.dialplan.route(channel, destination_number):
        hangup_with_event(channel, "NO_ROUTE_DESTINATION")
    elif dtmf_script:
        gevent.spawn(run_script, channel, dtmf_script)
    return channel
