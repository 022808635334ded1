"""Where a webhook request may go: resolve once, check every address, connect
to the checked address only (a second lookup, e.g. by the HTTP library, could
answer differently: DNS rebinding).

``resolver(host, port) -> [address text]`` is passed in (tests replace it;
the default is the system's ``getaddrinfo``). Nothing here opens a connection.
"""
import dataclasses
import ipaddress
import socket

from kzcore import netpolicy


def system_resolver(host, port):
    """Every address ``host`` resolves to (IPv4 and IPv6), as text."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [info[4][0] for info in infos]


@dataclasses.dataclass(frozen=True)
class Target:
    """A checked destination: connect to ``address``:``port``, speak for ``url.host``."""
    url: netpolicy.Url
    address: str

    @property
    def pool_key(self):
        return (self.url.scheme, self.address, self.url.port, self.url.host)

    @property
    def server_hostname(self):
        """The TLS name to ask for and check (None when the URL names an address)."""
        try:
            ipaddress.ip_address(self.url.host)
            return None
        except ValueError:
            return self.url.host


class Destinations:
    def __init__(self, allowed_networks=(), resolver=system_resolver):
        self.allowed = tuple(allowed_networks)
        self.resolver = resolver

    def target(self, url_text):
        """The ``Target`` for a webhook URL; ``netpolicy.Refused`` if it may not be called."""
        url = netpolicy.parse_url(url_text)
        literal = netpolicy.literal_address(url.host)
        if literal is not None:
            return Target(url, str(netpolicy.check_address(literal, self.allowed)))
        addresses = self._resolve(url)
        for address in addresses:       # one forbidden answer refuses the name
            netpolicy.check_address(address, self.allowed)
        return Target(url, str(addresses[0]))

    def _resolve(self, url):
        try:
            answers = self.resolver(url.host, url.port)
        except OSError as exc:
            raise netpolicy.Refused("unresolvable", f"{url.host}: {exc}") from None
        addresses = []
        for text in answers:
            try:
                addresses.append(ipaddress.ip_address(str(text).partition("%")[0]))
            except ValueError:
                raise netpolicy.Refused("unresolvable", f"{url.host}: bad answer {text!r}") \
                    from None
        if not addresses:
            raise netpolicy.Refused("unresolvable", f"{url.host} has no address")
        return addresses
