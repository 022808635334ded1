"""One simulator playing a carrier for another: it listens for the SIP-shaped
datagrams of fssim/sip_wire.py on a UDP port (the other simulator's gateway
``proxy``) and answers each INVITE per a plan, as the recorded rig's far side
did (fixtures round 5): the carrier's inbound leg is a channel on *this*
switch, ``sofia/internal/<caller number>@<host>``, with its CHANNEL_* events.

Plan: ``[(regex on the dialled user, behaviour)]``, first match wins, default
``answer``. Behaviours:

- ``answer``: 100 Trying, 200 OK after 20 ms; the leg answers and stays up
  until a BYE (or a hang-up on this side, which sends BYE back);
- ``busy``: 100, then 486 Busy Here; the leg ends USER_BUSY (q850 17);
- ``no_answer``: 100 and nothing more (the rig's 5xxx "rings forever, sends no
  180"); a CANCEL ends the leg ORIGINATOR_CANCEL and is answered 487;
- ``reject``: 100, then 603 Decline; the leg ends CALL_REJECTED;
- ``no_route``: 100, then 404 Not Found; the leg ends NO_ROUTE_DESTINATION (the
  recorded ``originate ... +15551234567`` the rig had no extension for);
- ``blackhole``: nothing at all, not even to OPTIONS (the rig's UDP black hole).

OPTIONS pings get 200 OK unless the plan's first rule for ``OPTIONS`` (or the
catch-all) is ``blackhole``. Simulator-only: ``sim_carrier_plan`` and
``Simulator.start_carrier`` / ``carrier_plan`` (fssim/README.md).
"""
import logging
import re


from fssim import sip_wire
from fssim.sip_listener import UdpListener
from fssim.channels import CallerProfile, Channel

log = logging.getLogger(__name__)

BEHAVIOURS = ("answer", "busy", "no_answer", "reject", "no_route", "blackhole")
REFUSALS = {"busy": (486, "USER_BUSY"), "reject": (603, "CALL_REJECTED"),
            "no_route": (404, "NO_ROUTE_DESTINATION")}
RING_SECONDS = 0.02
CREATE_SOURCE = "mod_sofia"


class CarrierSide(UdpListener):
    def __init__(self, core, host="127.0.0.1", port=0):
        self.core = core
        self.plan = []
        self.received = []   # first line of every datagram, for tests
        super().__init__(host, port)

    def add_rule(self, pattern, behaviour):
        if behaviour not in BEHAVIOURS:
            raise ValueError(f"unknown carrier behaviour {behaviour!r} (one of {BEHAVIOURS})")
        self.plan.append((re.compile(pattern), behaviour))

    def behaviour_for(self, user):
        for pattern, behaviour in self.plan:
            if pattern.search(user):
                return behaviour
        return "answer"

    def received_line(self, data):
        self.received.append(data.split(b"\r\n", 1)[0].decode("utf-8", "replace"))

    def handle(self, message, peer):
        if message.method == "OPTIONS":
            if self.behaviour_for("OPTIONS") != "blackhole":
                self.send(peer, 200, message.call_id)
        elif message.method == "INVITE":
            self._invite(message, peer)
        elif message.method in ("CANCEL", "BYE"):
            self._end(message, peer)

    # --- calls ----------------------------------------------------------------------
    def _invite(self, message, peer):
        user = sip_wire.uri_user(message.uri)
        behaviour = self.behaviour_for(user)
        if behaviour == "blackhole":
            return
        name, number = sip_wire.display_and_number(message.headers.get("From", ""))
        channel = self._inbound_leg(name, number, user, peer)
        self.calls[message.call_id] = (channel, peer)
        self.send(peer, 100, message.call_id)
        if behaviour == "no_answer":
            return
        self.core.clock.sleep(RING_SECONDS)
        if behaviour == "answer":
            channel.answer()
            channel.set_state("CS_EXECUTE", "ACTIVE")
            channel.on_hangup(lambda ch: self._hung_up_here(message.call_id))
            self.send(peer, 200, message.call_id)
            return
        status, cause = REFUSALS[behaviour]
        channel.set_variable("sip_term_status", str(status))
        self.calls.pop(message.call_id, None)
        self.send(peer, status, message.call_id)
        channel.hangup(cause)

    def _inbound_leg(self, name, number, user, peer):
        host = peer[0]
        profile = CallerProfile(name or number, number, user, dialplan="XML",
                                source=CREATE_SOURCE, callee_name=None, callee_number=None)
        profile.network_addr = host
        channel = Channel(self.core, f"sofia/internal/{number}@{host}", "inbound", profile,
                          variables=[("sofia_profile_name", "internal"),
                                     ("sip_acl_authed_by", "rig_local"),
                                     ("sip_authorized", "true"), ("sip_req_user", user),
                                     ("sip_to_user", user), ("sip_from_user", number)])
        channel.write_codec = ("PCMU", 8000, 64000)
        self.core.add_channel(channel)
        channel.announce()
        return channel

    def _end(self, message, peer):
        entry = self.calls.pop(message.call_id, None)
        if message.method == "CANCEL":
            self.send(peer, 487, message.call_id)
        if entry is not None:
            channel = entry[0]
            if message.method == "CANCEL":
                channel.set_variable("sip_term_status", "487")
            channel.hangup("ORIGINATOR_CANCEL" if message.method == "CANCEL"
                           else "NORMAL_CLEARING")

    def _hung_up_here(self, call_id):
        """This side hung up an answered call: BYE to the caller's switch."""
        entry = self.calls.pop(call_id, None)
        if entry is not None:
            try:
                self.sock.sendto(sip_wire.request("BYE", "sip:caller", {"Call-ID": call_id}),
                                 entry[1])
            except OSError:
                pass
