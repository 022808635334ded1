"""Calls out through sofia gateways: ``sofia/gateway/<gw>/<number>`` in originate,
``conference <room> dial|bgdial``, with ``|`` failover and ``[...]`` per-leg
variables (``[^^:a=1:b=x,y]`` keeps commas), as fixtures round 5 recorded:

- unknown gateway: ``INVALID_GATEWAY`` at once, no channel event;
- gateway pinged DOWN: ``GATEWAY_DOWN`` at once, no channel event (counted in
  FailedCallsOUT, not in CallsOUT);
- otherwise a channel ``sofia/<profile>/<number>`` (``sip_gateway_name``,
  ``sofia_profile_name``, ``sip_profile_name=gateway``) and an INVITE to the
  gateway's proxy (fssim/sip_wire.py; another simulator may answer it:
  fssim/carrier_plan.py): 200 -> SUCCESS (the caller id flips to the far end's
  identity, the dialled number); 486 -> USER_BUSY; 603 -> CALL_REJECTED;
  404 -> NO_ROUTE_DESTINATION; ICMP (nobody on the port) ->
  NORMAL_TEMPORARY_FAILURE with sip_term_status 503 made locally; no final
  answer -> NO_ANSWER after ``originate_timeout`` (CANCEL sent), PROGRESS_TIMEOUT
  after ``leg_progress_timeout`` without 180/183, RECOVERY_ON_TIMER_EXPIRE after
  32 s without even a 100 (timer B; 408), else NO_ANSWER after the 60 s default.
- ``A|B``: B is tried when A fails. The recorded quirk is kept: when A ended in
  PROGRESS_TIMEOUT and B answered, bgdial-result says PROGRESS_TIMEOUT with a
  Peer-UUID and B joins. A NO_ANSWER (originate_timeout) ends the chain unless
  ``originate_continue_on_timeout=true`` (not recorded: mod_sofia/originate docs).
"""
import gevent
from gevent import socket

from fssim import sip_wire
from fssim.channels import CallerProfile, Channel
from fssim.devices import NO_ANSWER_FACTOR
from fssim.loopback import originated_uuid
from fssim.sip_listener import CallingLeg

PREFIX = "sofia/gateway/"
# A gateway leg dialled without caller id carries the switch's outbound_caller_id_name
# and _number (the recorded rig's vars.xml: FSRig / 0000000000).
OUTBOUND_CALLER_ID = ("FSRig", "0000000000")
TIMER_B = 32.0
DEFAULT_ORIGINATE_TIMEOUT = 60.0
FINAL = {200: "SUCCESS", 486: "USER_BUSY", 603: "CALL_REJECTED", 404: "NO_ROUTE_DESTINATION",
         487: "ORIGINATOR_CANCEL"}


def split_legs(target):
    """``a|[x=1|2]b`` -> ['a', '[x=1|2]b']: pipes inside brackets stay."""
    legs, depth, current = [], 0, ""
    for ch in target:
        depth += {"[": 1, "]": -1}.get(ch, 0)
        if ch == "|" and depth == 0:
            legs.append(current)
            current = ""
        else:
            current += ch
    return legs + [current]


def leg_variables(leg):
    """``[^^:a=1:b=x,y][c=2]rest`` -> ([('a','1'),('b','x,y'),('c','2')], 'rest')."""
    pairs = []
    while leg.startswith("["):
        end = leg.find("]")
        if end < 0:
            break
        body, leg = leg[1:end], leg[end + 1:]
        separator = ","
        if body.startswith("^^") and len(body) > 2:
            separator, body = body[2], body[3:]
        for item in body.split(separator):
            name, sep, value = item.partition("=")
            if sep and name:
                pairs.append((name.strip(), value.strip("'")))
    return pairs, leg


def is_gateway_target(target):
    return all(leg_variables(leg)[1].startswith(PREFIX) for leg in split_legs(target))


def dial(core, target, variables, display, number):
    """``(result, answered channel or None)`` over the ``|`` chain."""
    sticky, result = None, "NORMAL_CLEARING"
    for leg in split_legs(target):
        extra, rest = leg_variables(leg)
        leg_vars = list(variables) + extra
        result, channel = place(core, rest, leg_vars, display, number)
        if channel is not None:
            return sticky or result, channel
        if result == "PROGRESS_TIMEOUT":
            sticky = sticky or result
        if result == "NO_ANSWER" and dict(leg_vars).get("originate_continue_on_timeout") != "true":
            break
    return result, None


def originate(core, variables, target, destination):
    """api originate through a gateway: '+OK <uuid>' or '-ERR <CAUSE>'."""
    values = dict(variables)
    result, channel = dial(core, target, variables,
                           values.get("origination_caller_id_name", ""),
                           values.get("origination_caller_id_number", "0000000000"))
    return f"+OK {channel.uuid}\n" if channel is not None else f"-ERR {result}\n"


def place(core, target, variables, display, number):
    """One leg through one gateway: ``(cause, answered channel or None)``."""
    gateway_name, _, user = target[len(PREFIX):].partition("/")
    gateway = core.sofia.gateway(gateway_name)
    if gateway is None:
        return "INVALID_GATEWAY", None
    if gateway.status != "UP":
        gateway.failed_out += 1
        return "GATEWAY_DOWN", None
    gateway.calls_out += 1
    channel = _leg(core, gateway, user, variables, display, number)
    cause = SipLeg(core, gateway, channel, user, channel.profile.cid_name,
                   channel.profile.cid_number).run(dict(variables))
    if cause == "SUCCESS":
        return cause, channel
    gateway.failed_out += 1
    channel.hangup(cause)
    return cause, None


def _leg(core, gateway, user, variables, display, number):
    if display == "conference":   # no caller id given: the switch's outbound_caller_id
        display, number = OUTBOUND_CALLER_ID
    profile = CallerProfile(display, number, user, callee_name="Outbound Call",
                            callee_number=user, ani=number, dialplan=None,
                            source="src/switch_ivr_originate.c")
    extra = [("sip_gateway_name", gateway.name), ("sofia_profile_name", gateway.profile),
             ("sip_profile_name", "gateway")]
    channel = Channel(core, f"sofia/{gateway.profile}/{user}", "outbound", profile,
                      variables=list(variables) + extra, uuid=originated_uuid(variables))
    channel.write_codec = ("PCMU", 8000, 64000)
    core.add_channel(channel)
    channel.announce()
    return channel


class SipLeg(CallingLeg):
    """The INVITE transaction of one leg, then (answered) its BYE either way."""

    def __init__(self, core, gateway, channel, user, display, number):
        self.core, self.gateway, self.channel = core, gateway, channel
        self.user, self.display, self.number = user, display, number
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)

    def _send(self, method):
        host, port = self.gateway.address()
        headers = {"Call-ID": self.channel.uuid,
                   "From": f'"{self.display}" <sip:{self.number}@{self.core.identity.ipv4}>',
                   "To": f"<sip:{self.user}@{host}>",
                   "Contact": f"<sip:gw+{self.gateway.name}@{self.core.identity.ipv4}>"}
        self.sock.send(sip_wire.request(method, f"sip:{self.user}@{host}:{port}", headers))

    def run(self, values):
        try:
            self.sock.connect(self.gateway.address())
            self._send("INVITE")
            cause = self._await_final(values)
        except ConnectionRefusedError:
            self.channel.set_variable("sip_term_status", "503")
            cause = "NORMAL_TEMPORARY_FAILURE"
        if cause == "SUCCESS":
            self.channel.profile.callee_name = self.user
            self.channel.progress = self.core.clock.now()
            self.channel.set_state("CS_CONSUME_MEDIA", "RINGING")
            self.channel.answer()
            self.channel.set_state("CS_EXECUTE", "ACTIVE")
            self.channel.on_hangup(lambda ch: self._bye())
            gevent.spawn(self._await_bye)
        else:
            self.sock.close()
        return cause

    def _deadlines(self, values):
        now = self.core.clock.now()
        out = {}
        timeout = values.get("originate_timeout", "")
        if timeout.isdigit():
            out["NO_ANSWER"] = now + int(timeout) * NO_ANSWER_FACTOR
        progress = values.get("leg_progress_timeout", "")
        if progress.isdigit():
            out["PROGRESS_TIMEOUT"] = now + int(progress)
        return out

    def _await_final(self, values):
        deadlines, started = self._deadlines(values), self.core.clock.now()
        trying = progress = False
        while True:
            live = dict(deadlines)
            if not trying:
                live.setdefault("RECOVERY_ON_TIMER_EXPIRE", started + TIMER_B)
            if progress:
                live.pop("PROGRESS_TIMEOUT", None)
            live.setdefault("NO_ANSWER", started + DEFAULT_ORIGINATE_TIMEOUT)
            cause, when = min(live.items(), key=lambda item: item[1])
            message = self._receive(max(0.0, when - self.core.clock.now()))
            if message is None:
                return self._timed_out(cause, trying)
            trying = trying or message.status == 100
            progress = progress or message.status in (180, 183)
            if message.status in FINAL:
                if message.status != 200:
                    self.channel.set_variable("sip_term_status", str(message.status))
                return FINAL[message.status]

    def _receive(self, seconds):
        self.sock.settimeout(max(0.001, seconds * self.core.clock.time_scale))
        try:
            return sip_wire.parse(self.sock.recv(sip_wire.MAX_DATAGRAM))
        except socket.timeout:
            return None

    def _timed_out(self, cause, trying):
        if cause == "RECOVERY_ON_TIMER_EXPIRE":
            self.channel.set_variable("sip_term_status", "408")
        elif trying:
            self._send("CANCEL")
            self.channel.set_variable("sip_invite_failure_status", "487")
        return cause
