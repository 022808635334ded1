"""mod_sofia's profiles and gateways, as fixtures round 5 recorded them.

- Profiles: the static ``internal`` (always running, sip:mod_sofia@<ipv4>:5060)
  and any profile started with ``sofia profile <name> start``, whose sofia.conf
  comes over mod_xml_curl (``--xml-curl-url``): two fetches on start
  (``config_sofia`` with ``reconfig=true``, then ``launch_sofia_worker_thread``),
  one on rescan (``reconfig=true``), one on startgw (``gateway=<name>``).
- Gateways live in one switch-wide table (mod_sofia's gateway hash), listed
  newest first. ``rescan`` adds the gateways it does not have and ignores the
  others ("Ignoring duplicate gateway"): it neither changes nor removes any.
  ``killgw`` marks a gateway; the once-a-second check deletes it
  (``sofia::gateway_delete``). ``restart`` deletes every gateway, then about
  1.2 s later starts again (``sofia::profile_start``, ``gateway_add`` each).
- ``register=false`` gateways start UP without a ``gateway_state`` event; with
  ``ping N`` an OPTIONS goes to the proxy every N s: an ICMP refusal gives
  DOWN ``503 Service Unavailable`` at once, silence DOWN ``408 Request Timeout``
  after 32 s (SIP timer F); ``sofia::gateway_state`` fires only on a change.
The api texts are in fssim/sofia_api.py, the status tables in
fssim/sofia_status_text.py, calls through gateways in fssim/gateway_calls.py.
"""
import dataclasses
import logging
import xml.etree.ElementTree as ElementTree

from gevent import socket

from fssim import sip_wire

log = logging.getLogger(__name__)

PROFILE_START_CALL = ("sofia.c", "config_sofia", 6343)
GATEWAY_ADD_CALL = ("sofia_reg.c", "sofia_reg_add_gateway", 3723)
GATEWAY_DELETE_CALL = ("sofia_reg.c", "sofia_reg_check_gateway", 343)
GATEWAY_STATE_CALL = ("sofia_reg.c", "sofia_reg_fire_custom_gateway_state_event", 156)
CONFIG_CALL = ("sofia.c", "config_sofia", 4486)
WORKER_CALL = ("sofia.c", "launch_sofia_worker_thread", 3046)
CHECK_SECONDS = 1.0     # mod_sofia's gateway check runs once a second
RESTART_SECONDS = 1.2   # recorded: profile_start 1.2 s after a restart's gateway_deletes
TIMER_F = 32.0          # an OPTIONS nobody answers fails after 32 s


@dataclasses.dataclass
class Gateway:
    name: str
    profile: str
    params: dict
    added: float
    status: str = "UP"
    pinging: bool = False
    next_ping: int = 0
    calls_out: int = 0
    failed_out: int = 0
    deleting: bool = False

    @property
    def proxy(self):
        return self.params.get("proxy") or self.params.get("realm") or self.name

    def address(self):
        host, _, port = self.proxy.partition(":")
        return host, int(port or 5060)

    @property
    def username(self):
        return self.params.get("username") or "FreeSWITCH"

    @property
    def realm(self):
        return self.params.get("realm") or self.proxy

    @property
    def ping_freq(self):
        value = self.params.get("ping", "0")
        return int(value) if value.isdigit() else 0


@dataclasses.dataclass
class Profile:
    name: str
    url: str
    started: float
    gateways: list = dataclasses.field(default_factory=list)   # newest first
    inuse: int = 0


def parse_sofia_conf(text, profile_name):
    """``(settings, [(gateway name, params)])`` of one profile, or None."""
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError:
        return None
    for node in root.iter("profile"):
        if node.get("name") != profile_name:
            continue
        settings = {p.get("name"): p.get("value") for p in node.findall("settings/param")}
        gateways = [(g.get("name"), {p.get("name"): p.get("value") for p in g.findall("param")})
                    for g in node.findall("gateways/gateway") if g.get("name")]
        return settings, gateways
    return None


class Sofia:
    """``core.sofia``: every profile and gateway of one simulated switch."""

    def __init__(self, core):
        self.core = core
        self.profiles = {"internal": Profile("internal", f"sip:mod_sofia@{core.identity.ipv4}:5060",
                                             core.clock.now())}
        self._checker = None

    # --- lookup ---------------------------------------------------------------------
    def gateway(self, name):
        for profile in self.profiles.values():
            for gateway in profile.gateways:
                if gateway.name == name:
                    return gateway
        return None

    # --- xml_curl -------------------------------------------------------------------
    def fetch(self, profile, calling, reconfig=False, gateway=None):
        client = self.core.xml_curl
        if client is None:
            return None
        fields = [("profile", profile)] + ([("reconfig", "true")] if reconfig else []) \
            + ([("gateway", gateway)] if gateway else [])
        text = client.fetch_configuration("sofia.conf", "REQUEST_PARAMS", calling, fields)
        return parse_sofia_conf(text, profile) if text else None

    def profile_url(self, settings):
        ip, port = settings.get("sip-ip", ""), settings.get("sip-port", "")
        ip = ip if ip and "$" not in ip else self.core.identity.ipv4
        port = port if port.isdigit() else "5080"
        return f"sip:mod_sofia@{ip}:{port}"

    # --- life cycle -----------------------------------------------------------------
    def start(self, name, parsed):
        settings, gateways = parsed
        profile = Profile(name, self.profile_url(settings), self.core.clock.now())
        self.profiles[name] = profile
        self.emit("sofia::profile_start", PROFILE_START_CALL, [
            ("module_name", "mod_sofia"), ("profile_name", name), ("profile_uri", profile.url)])
        for gateway_name, params in gateways:
            self.add_gateway(profile, gateway_name, params)
        return profile

    def add_gateway(self, profile, name, params):
        """Add unless the name is taken (rescan: "Ignoring duplicate gateway")."""
        if self.gateway(name) is not None:
            log.info("Ignoring duplicate gateway", extra={"gateway": name})
            return None
        gateway = Gateway(name, profile.name, dict(params), self.core.clock.now())
        profile.gateways.insert(0, gateway)
        self.emit("sofia::gateway_add", GATEWAY_ADD_CALL,
                  [("Gateway", name), ("profile-name", profile.name)])
        if gateway.ping_freq:
            gateway.next_ping = int(self.core.clock.now() + gateway.ping_freq)
            self.core.clock.later(gateway.ping_freq, self._ping, gateway)
        return gateway

    def delete_gateway(self, profile, gateway):
        if gateway in profile.gateways:
            profile.gateways.remove(gateway)
            self.emit("sofia::gateway_delete", GATEWAY_DELETE_CALL,
                      [("profile-name", profile.name), ("Gateway", gateway.name)])

    def mark_for_deletion(self, gateway):
        gateway.deleting = True
        if self._checker is None or self._checker.dead:
            self._checker = self.core.clock.later(CHECK_SECONDS, self._check)

    def _check(self):
        """The once-a-second gateway check: marked gateways go."""
        for profile in list(self.profiles.values()):
            for gateway in [g for g in profile.gateways if g.deleting]:
                self.delete_gateway(profile, gateway)

    def stop(self, name):
        profile = self.profiles.pop(name, None)
        for gateway in list(profile.gateways if profile else ()):
            profile.gateways.remove(gateway)
            self.emit("sofia::gateway_delete", GATEWAY_DELETE_CALL,
                      [("profile-name", name), ("Gateway", gateway.name)])
        return profile

    def emit(self, subclass, calling, headers):
        self.core.emit(self.core.events.custom(subclass, calling, headers))

    # --- pings ----------------------------------------------------------------------
    def _ping(self, gateway):
        if self.gateway(gateway.name) is not gateway or gateway.deleting:
            return
        gateway.pinging = True
        status = options_ping(gateway.address(), self.core.clock.time_scale)
        gateway.pinging = False
        now_up = status == 200
        if now_up != (gateway.status == "UP"):
            gateway.status = "UP" if now_up else "DOWN"
            gateway.added = self.core.clock.now() if now_up else gateway.added
            headers = [("Gateway", gateway.name), ("State", "NOREG"),
                       ("Ping-Status", gateway.status)]
            if not now_up:
                headers += [("Phrase", sip_wire.PHRASES[status]), ("Status", str(status))]
            self.emit("sofia::gateway_state", GATEWAY_STATE_CALL, headers)
        gateway.next_ping = int(self.core.clock.now() + gateway.ping_freq)
        self.core.clock.later(gateway.ping_freq, self._ping, gateway)


def options_ping(address, time_scale):
    """200, 503 (ICMP: nobody listens) or 408 (no answer within timer F)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.connect(address)
        sock.send(sip_wire.request("OPTIONS", f"sip:{address[0]}:{address[1]};transport=udp",
                                   {"Call-ID": "ping"}))
        sock.settimeout(TIMER_F * time_scale)
        reply = sip_wire.parse(sock.recv(sip_wire.MAX_DATAGRAM))
        return 200 if reply is not None and reply.status == 200 else 503
    except ConnectionRefusedError:
        return 503
    except (socket.timeout, OSError):
        return 408
    finally:
        sock.close()
