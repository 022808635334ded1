"""The public, in-process API of the FreeSWITCH simulator (gevent, same process).

    sim = Simulator(port=0, hostname="node1", time_scale=0.1)
    host, port = sim.start()
    member = sim.join("room1", "1001", "Alice", moderator=True)
    sim.talk(member.uuid); sim.stop_talking(member.uuid); sim.hangup(member.uuid)
    sim.stop()
"""
import json
import logging

from fssim import control, devices, sofia_bridge
from fssim.api import api_reply
from fssim.carrier_plan import CarrierSide
from fssim.calls import place_call
from fssim.core import Core
from fssim.file_open import FileModules
from fssim.server import EslServer
from fssim.xmlcurl import XmlCurlClient

log = logging.getLogger(__name__)


class Simulator:
    def __init__(self, host="127.0.0.1", port=0, password="ClueCon", hostname="vm",
                 recordings_dir=None, time_scale=1.0, dialplan=None, ipv4="127.0.0.1",
                 ipv6="::1", first_member_id=1, xml_curl_url=None, httapi=False,
                 http_timeout=2.0, local_streams=("moh",), shout=False):
        """httapi: the switch loads mod_httapi, so a bare http(s):// file plays (off, as
        on the recorded switch and in fs_conf: such a play is "not found");
        http_timeout: how long an http_cache:// (or httapi) fetch may take;
        local_streams: the mod_local_stream sources (local_stream://moh);
        shout: the switch loads mod_shout, so .mp3 files record (off, as recorded)."""
        self.host = host
        self.port = port
        self.password = password
        self.core = Core(hostname=hostname, time_scale=time_scale,
                         recordings_dir=recordings_dir, ipv4=ipv4, ipv6=ipv6,
                         first_member_id=first_member_id,
                         files=FileModules(httapi, http_timeout, local_streams, shout))
        if xml_curl_url:
            self.core.xml_curl = XmlCurlClient(self.core, xml_curl_url)
        for pattern, handler in dialplan or ():
            self.add_extension(pattern, handler)
        self.server = None
        self.sip = None   # focus hook (issue 18): calls from other switches (start_sip)

    # -- lifecycle ---------------------------------------------------------------------
    @property
    def node_name(self):
        return f"freeswitch@{self.core.identity.hostname}"

    @property
    def hostname(self):
        return self.core.identity.hostname

    @property
    def time_scale(self):
        return self.core.clock.time_scale

    def start(self, session_class=None):
        kwargs = {"session_class": session_class} if session_class else {}
        self.server = EslServer(self.core, self.host, self.port, self.password, **kwargs)
        self.host, self.port = self.server.start()
        log.info("fssim listening", extra={"host": self.host, "port": self.port,
                                           "node": self.node_name})
        return self.host, self.port

    def stop(self):
        """Close the listener and every connection (the switch 'dies'); state is kept."""
        if self.server is not None:
            self.server.stop()
            self.server = None
        if self.core.carrier is not None:
            self.core.carrier.close()
            self.core.carrier = None
        if self.sip is not None:          # focus hook (issue 18): fssim/sofia_bridge.py
            self.sip.close()
            self.sip = None

    def api(self, command):
        """Run an api command in-process; returns FreeSWITCH's reply body."""
        return api_reply(self.core, command)

    # -- callers -----------------------------------------------------------------------
    def join(self, conference_name, caller_id_number, caller_id_name, *, moderator=False,
             flags=(), variables=None, profile="default", far="silent"):
        return control.join(self.core, conference_name, caller_id_number, caller_id_name,
                            moderator, flags, variables, profile, far)

    def talk(self, uuid, seconds=None):
        control.talk(self.core, uuid, seconds)

    def speak(self, uuid, wav_path):
        """TEST CONTROL: the member's far end sends this WAV (fssim/speech.py); it is
        in the member's and the room's recordings. Returns the Segment."""
        from fssim import control
        return control.speak(self.core, uuid, wav_path)

    def stop_talking(self, uuid):
        control.stop_talking(self.core, uuid)

    def dtmf(self, uuid, digits):
        control.dtmf(self.core, uuid, digits)

    def hangup(self, uuid, cause="NORMAL_CLEARING"):
        control.hangup(self.core, uuid, cause)

    def emit_talk_burst(self, uuid, count, rate):
        """`count` start/stop-talking events at `rate`/s; returns the greenlet."""
        return control.talk_burst(self.core, uuid, count, rate)

    def json_list(self, conference_name=None):
        command = f"conference {conference_name} json_list" if conference_name \
            else "conference json_list"
        reply = self.api(command)
        if reply.startswith("-ERR"):
            return []
        return json.loads(reply)

    @property
    def command_log(self):
        """Every api/bgapi command received over ESL, oldest first (strings)."""
        return [entry["command"] for entry in self.core.command_log]

    @property
    def command_entries(self):
        return list(self.core.command_log)

    # -- devices, profiles, dialplan ---------------------------------------------------
    def register_device(self, user, domain, behaviour="answer", contact=None,
                        variables=None):
        """A SIP device registers (contact "host:port" for sofia/ URI dials; variables
        = the directory's <variables>, shown on sofia::register)."""
        return devices.register(self.core, user, domain, behaviour, contact, variables)

    def unregister_device(self, user, domain):
        return devices.unregister(self.core, user, domain)

    def add_profile(self, name, **settings):
        return self.core.add_profile(name, **settings)

    def add_extension(self, pattern, handler):
        """handler(channel, match) runs when a call's destination matches `pattern`."""
        self.core.dialplan.add(pattern, handler)

    def place_call(self, destination_number, caller_id_number, caller_id_name,
                   variables=None, dtmf_script=None):
        return place_call(self.core, destination_number, caller_id_number, caller_id_name,
                          variables, dtmf_script)

    def conference(self, name):
        return self.core.conferences.get(name)

    def channel(self, uuid):
        return self.core.channel(uuid)

    # -- round-5 hook: this switch as another one's carrier (fssim/carrier_plan.py) ----
    def start_carrier(self, host="127.0.0.1", port=0):
        """Listen for gateway calls (SIP-shaped UDP, fssim/sip_wire.py): ``(host, port)``
        to put in a gateway's ``proxy``. Calls answer per ``carrier_plan``."""
        if self.core.carrier is None:
            self.core.carrier = CarrierSide(self.core, host, port)
        return self.core.carrier.address

    def carrier_plan(self, pattern, behaviour):
        """Calls whose dialled user matches ``pattern`` get ``behaviour``: answer, busy,
        no_answer, reject, no_route or blackhole (first match wins; default answer)."""
        self.start_carrier()
        self.core.carrier.add_rule(pattern, behaviour)

    # -- focus hook (issue 18): calls between switches (fssim/sofia_bridge.py) ---------
    def start_sip(self, host="127.0.0.1", port=0):
        """This switch's SIP profile for calls from other switches (SIP-shaped UDP):
        ``(host, port)`` another switch's ``bridge`` dials; also gives this switch the
        ``bridge`` application (``sofia/<profile>/<number>@<host>:<port>``)."""
        sofia_bridge.install(self.core)
        if self.sip is None:
            self.sip = sofia_bridge.SofiaInbound(self.core, host, port)
        return self.sip.address
