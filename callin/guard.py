"""Who may drive the call-in service: peer addresses and the dialplan's secret.

Anyone who reaches the call-in port and speaks the outbound-socket protocol can
pretend to be FreeSWITCH and say anything about "its" call. Two checks keep such
clients out before the service sends a single command:

- ``PeerPolicy``: the connecting address must be one of ``KZ_CALLIN_ALLOWED_PEERS``
  (addresses, CIDRs, or host names resolved when a connection arrives, e.g.
  ``freeswitch`` in docker-compose); the default is loopback only.
- ``secret_matches``: with ``KZ_CALLIN_SECRET`` set, the channel must carry the
  same value in ``variable_callin_secret`` (fs_conf/dialplan/default.xml sets it
  before ``socket``; FreeSWITCH sends every channel variable as a ``variable_*``
  header of the connect reply, fixtures round2/outbound_connect_reply.esl).
  Compared in constant time. The name has no ``kz_`` prefix on purpose:
  ecallmgr publishes ``kz_*`` channel variables to tenants (custom_channel_vars).
"""
import hmac
import ipaddress
import logging
import socket
import time

log = logging.getLogger(__name__)

SECRET_VARIABLE = "callin_secret"


def _network(entry):
    try:
        return ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return None


def _address(text):
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)   # ::ffff:127.0.0.1 on a dual-stack socket
    return mapped or address


def resolve(name):
    """Every address ``name`` resolves to (empty if it does not)."""
    try:
        infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
    except OSError:
        return set()
    return {info[4][0] for info in infos}


class PeerPolicy:
    """``allows(address)`` for the configured peers; names are re-resolved at most
    every ``ttl`` seconds (a FreeSWITCH container may come back with a new address)."""

    def __init__(self, setting, resolver=resolve, ttl=30.0, clock=time.monotonic):
        entries = [item.strip() for item in str(setting or "").split(",") if item.strip()]
        self.networks = [net for net in map(_network, entries) if net is not None]
        self.names = [entry for entry in entries if _network(entry) is None]
        self._resolver, self._ttl, self._clock = resolver, ttl, clock
        self._resolved, self._resolved_at = set(), None

    def allows(self, address):
        peer = _address(address or "")
        if peer is None:
            return False
        if any(peer in network for network in self.networks):
            return True
        return bool(self.names) and peer in self._name_addresses()

    def _name_addresses(self):
        now = self._clock()
        if self._resolved_at is None or now - self._resolved_at >= self._ttl:
            found = set()
            for name in self.names:
                found |= {_address(a) for a in self._resolver(name)} - {None}
            # an empty answer (DNS not ready yet) is not remembered: ask again next time
            self._resolved, self._resolved_at = found, (now if found else None)
        return self._resolved


def secret_matches(channel, expected):
    """True when no secret is configured, or the channel carries exactly it."""
    if not expected:
        return True
    given = channel.get(f"variable_{SECRET_VARIABLE}") or ""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))
