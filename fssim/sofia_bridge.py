"""A call from one simulated switch to another: mod_dptools' ``bridge`` to
``sofia/<profile>/<number>@<host>:<port>``, and the other switch's SIP profile
taking it into its dialplan (issue 18: the call-in service on node A hands a
caller to the conference's focus node B).

No fixture records a call between two switches. What this follows: round 3
(``sofia/<profile>/<user>@<host:port>`` endpoints: an outbound SIP leg of that
name, answered or failed by its far end) and round 5 (SIP between simulators
over real UDP with the datagrams of fssim/sip_wire.py; the receiving switch's
leg is ``sofia/internal/<caller number>@<caller host>``, round 5's carrier leg).
Modelled from mod_sofia / mod_dptools, not shown by any fixture:

- ``sip_h_X-*`` variables of the bridge's ``{...}`` go out as ``X-*`` headers
  of the INVITE and arrive as ``sip_h_X-*`` channel variables (so in the
  connect reply of the ``socket`` application as ``variable_sip_h_X-*``);
- the INVITE carries the caller's caller id; the far switch runs its dialplan
  for the Request-URI user, answers 100 at once, 200 when its leg is answered,
  404 when no extension matches, 480 when the leg ends unanswered;
- ``bridge`` answers the caller once the far end did, then blocks until either
  side hangs up (a BYE ends the other side); the caller's
  ``originate_disposition`` says SUCCESS or the failure's cause
  (NORMAL_TEMPORARY_FAILURE when nobody listens: ICMP, as round 5;
  NO_ROUTE_DESTINATION on 404, NO_ANSWER on 480 or after ``originate_timeout``);
  after the bridge the caller's dialplan (here: its socket session) goes on.

No SDP, no media: a bridged caller's audio is not carried (the far leg is the
member). Simulator-only: ``Simulator.start_sip()`` starts the listener.
"""
import logging
import re

import gevent
from gevent import socket

from fssim import sip_wire
from fssim.sip_listener import CallingLeg, UdpListener
from fssim.channels import CallerProfile, Channel

log = logging.getLogger(__name__)

ENDPOINT = re.compile(r"sofia/([^/]+)/([^@]+)@([^:]+):(\d+)")
DEFAULT_TIMEOUT = 60.0
ANSWER_POLL = 0.01        # real seconds between looks at the inbound leg's state
FINAL = {200: "SUCCESS", 404: "NO_ROUTE_DESTINATION", 480: "NO_ANSWER",
         486: "USER_BUSY", 603: "CALL_REJECTED"}


def install(core):
    core.applications.register("bridge", bridge_app)


# --- the calling switch: bridge ------------------------------------------------------
def bridge_app(channel, arg):
    """``bridge {a=1,b=2}sofia/<profile>/<number>@<host>:<port>`` (one leg)."""
    variables, target = _variables(arg)
    match = ENDPOINT.fullmatch(target)
    if match is None:
        log.warning("bridge endpoint not modelled", extra={"endpoint": target})
        channel.set_variable("originate_disposition", "CHAN_NOT_IMPLEMENTED")
        return "_none_"
    leg = BridgeLeg(channel, *match.groups(), variables)
    cause = leg.call()
    channel.set_variable("originate_disposition", cause)
    if cause == "SUCCESS":
        leg.stay_bridged()
    return "_none_"


def _variables(arg):
    """``{a=1,b=2}rest`` -> ([(a, 1), (b, 2)], rest); [] without a block."""
    if not arg.startswith("{") or "}" not in arg:
        return [], arg
    body, rest = arg[1:].split("}", 1)
    pairs = [item.partition("=") for item in body.split(",") if item]
    return [(name, value) for name, _, value in pairs], rest


class BridgeLeg(CallingLeg):
    """The outbound SIP leg of a bridge and its INVITE transaction."""

    def __init__(self, caller, profile, number, host, port, variables):
        self.caller, self.core = caller, caller.core
        self.address = (host, int(port))
        self.number, self.variables = number, dict(variables)
        p = caller.profile
        self.channel = Channel(self.core, f"sofia/{profile}/{number}@{host}:{port}", "outbound",
                           CallerProfile(p.cid_name, p.cid_number, number, callee_name=number,
                                         callee_number=number, dialplan=None,
                                         source="src/switch_ivr_originate.c"),
                           variables=[*variables, ("sofia_profile_name", profile)])
        self.channel.write_codec = ("PCMU", 8000, 64000)
        self.core.add_channel(self.channel)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)

    def _send(self, method):
        p = self.caller.profile
        headers = {"Call-ID": self.channel.uuid,
                   "From": f'"{p.cid_name}" <sip:{p.cid_number}@{self.core.identity.ipv4}>',
                   "To": f"<sip:{self.number}@{self.address[0]}>"}
        headers.update({name[len("sip_h_"):]: value for name, value in self.variables.items()
                        if name.startswith("sip_h_X-")})
        self.sock.send(sip_wire.request(method, f"sip:{self.number}@{self.address[0]}:"
                                                f"{self.address[1]}", headers))

    def call(self):
        """The cause: SUCCESS (answered) or why not."""
        self.channel.announce()
        timeout = self.variables.get("originate_timeout", "")
        seconds = float(timeout) if timeout.isdigit() else DEFAULT_TIMEOUT
        try:
            self.sock.connect(self.address)
            self._send("INVITE")
            cause = self._final(seconds)
        except ConnectionRefusedError:
            cause = "NORMAL_TEMPORARY_FAILURE"
        if cause != "SUCCESS":
            self.sock.close()
            self.channel.hangup(cause)
            return cause
        self.channel.answer()
        self.caller.answer()
        return cause

    def _final(self, seconds):
        self.sock.settimeout(max(0.001, seconds * self.core.clock.time_scale))
        while True:
            try:
                message = sip_wire.parse(self.sock.recv(sip_wire.MAX_DATAGRAM))
            except socket.timeout:
                self._send("CANCEL")
                return "NO_ANSWER"
            if message is not None and message.status in FINAL:
                return FINAL[message.status]

    def stay_bridged(self):
        """Until either side hangs up; the other side follows (BYE both ways)."""
        far = gevent.spawn(self._await_bye)
        gevent.wait([self.caller.done, self.channel.done], count=1)
        if self.channel.is_up:
            self._bye()
            self.channel.hangup("NORMAL_CLEARING")
        far.kill(block=False)


# --- the called switch: its SIP profile takes the call into the dialplan -------------
class SofiaInbound(UdpListener):
    """A UDP listener playing this switch's SIP profile for calls from other switches."""

    def __init__(self, core, host="127.0.0.1", port=0):
        self.core = core
        super().__init__(host, port)

    def handle(self, message, peer):
        if message.method == "INVITE":
            self._invite(message, peer)
        elif message.method in ("BYE", "CANCEL"):
            entry = self.calls.pop(message.call_id, None)
            if entry is not None:
                entry[0].hangup("NORMAL_CLEARING" if message.method == "BYE"
                                else "ORIGINATOR_CANCEL")

    def _invite(self, message, peer):
        user = sip_wire.uri_user(message.uri)
        channel = self._inbound_leg(message, user, peer)
        self.calls[message.call_id] = (channel, peer)
        self.send(peer, 100, message.call_id)
        channel.set_state("CS_EXECUTE", "RINGING")
        if not self.core.dialplan.route(channel, user):
            self.calls.pop(message.call_id, None)
            self.send(peer, 404, message.call_id)
            channel.hangup("NO_ROUTE_DESTINATION")
            return
        while channel.is_up and not channel.answered:
            gevent.sleep(ANSWER_POLL)
        if not channel.is_up:
            if self.calls.pop(message.call_id, None) is not None:
                self.send(peer, 480, message.call_id)
            return
        self.send(peer, 200, message.call_id)
        channel.on_hangup(lambda ch: self._hung_up_here(message.call_id))

    def _inbound_leg(self, message, user, peer):
        name, number = sip_wire.display_and_number(message.headers.get("From", ""))
        profile = CallerProfile(name or number, number, user, dialplan="XML",
                                source="mod_sofia", callee_name=None, callee_number=None)
        profile.network_addr = peer[0]
        extra = [(f"sip_h_{header}", value) for header, value in message.headers.items()
                 if header.startswith("X-")]
        channel = Channel(self.core, f"sofia/internal/{number}@{peer[0]}", "inbound", profile,
                          variables=[("sofia_profile_name", "internal"), ("sip_req_user", user),
                                     ("sip_to_user", user), ("sip_from_user", number), *extra])
        channel.write_codec = ("PCMU", 8000, 64000)
        channel.set_variable("uuid", channel.uuid)
        self.core.add_channel(channel)
        channel.announce()
        return channel

    def _hung_up_here(self, call_id):
        entry = self.calls.pop(call_id, None)
        if entry is not None:
            try:
                self.sock.sendto(sip_wire.request("BYE", "sip:caller", {"Call-ID": call_id}),
                                 entry[1])
            except OSError:
                pass
