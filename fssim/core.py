"""The simulated switch: clock, event factory and fan-out, channels, conferences,
the process-wide member id counter, profiles, devices and the dialplan."""
import itertools
import logging
import uuid as uuidlib

from fssim.applications import Applications
from fssim.clock import Clock
from fssim.dialplan import Dialplan
from fssim.events import EventFactory, Identity
from fssim.file_open import FileModules
from fssim.profiles import Profile, default_profiles
from fssim.recorder import Recorder
from fssim.registry import Conferences
from fssim.sofia_gateways import Sofia

log = logging.getLogger(__name__)


class Core:
    def __init__(self, hostname="vm", time_scale=1.0, recordings_dir=None,
                 ipv4="127.0.0.1", ipv6="::1", first_member_id=1, files=None):
        self.clock = Clock(time_scale)
        self.identity = Identity(str(uuidlib.uuid4()), hostname, ipv4, ipv6)
        self.events = EventFactory(self.identity, self.clock)
        self.started = self.clock.now()
        self.profiles = default_profiles()
        self.conferences = Conferences(self)
        self.recorder = Recorder(self, recordings_dir)
        self.files = files or FileModules()  # which sound paths open (file_open.py)
        self.dialplan = Dialplan(self)
        self.channels = {}
        self.devices = {}
        self.xml_curl = None  # fssim.xmlcurl.XmlCurlClient when a gateway URL is set
        self.command_log = []  # every api/bgapi received: {connection, command}
        self.sessions_since_start = 0
        self._member_ids = itertools.count(first_member_id)
        self._session_ids = itertools.count(1)
        self._listeners = []
        self.applications = Applications(self)
        # round-5 hook: mod_sofia profiles and gateways (fssim/sofia_gateways.py), and
        # the carrier side this switch may play for another (fssim/carrier_plan.py)
        self.sofia = Sofia(self)
        self.carrier = None

    # -- events ------------------------------------------------------------------------
    def subscribe(self, listener):
        """listener(event) is called for every event; it must only enqueue."""
        self._listeners.append(listener)

    def unsubscribe(self, listener):
        if listener in self._listeners:
            self._listeners.remove(listener)

    def emit(self, event):
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # a broken listener must not break the switch
                log.exception("event listener failed")

    # -- ids and registries ------------------------------------------------------------
    def next_member_id(self):
        return next(self._member_ids)

    def next_session_id(self):
        self.sessions_since_start += 1
        return next(self._session_ids)

    def add_channel(self, channel):
        self.channels[channel.uuid] = channel

    def channel_gone(self, channel):
        self.channels.pop(channel.uuid, None)

    def channel(self, uuid):
        return self.channels.get(uuid)

    def profile(self, name):
        return self.profiles.get(name) or self.profiles["default"]

    def add_profile(self, name, **settings):
        self.profiles[name] = Profile(name, **settings)
        return self.profiles[name]
