"""Which network destinations the product may call on a customer's behalf (PURE).

Webhook URLs are chosen by API users, so a URL must never make the product
reach its own network (SSRF): loopback, private, link-local, cloud metadata,
multicast, unspecified and every other non-public address is refused, however
it is written (``127.1``, ``2130706433``, ``0177.0.0.1``, ``0x7f.1``, ``[::1]``,
``[::ffff:127.0.0.1]``, NAT64 ``[64:ff9b::a9fe:a9fe]``, 6to4 ``[2002:a9fe:a9fe::]``)
and whatever a host name resolves to. The operator's allow-list
(``webhooks_allow_networks``) lets chosen networks through.

The checks are on addresses, never on spellings: callers resolve a name once,
check every address it gave, and connect to the checked address only.
"""
import dataclasses
import ipaddress
import re
import socket
import urllib.parse

SCHEMES = {"http": 80, "https": 443}
MAX_URL_LENGTH = 2000
# Cloud metadata services (AWS/GCP/Azure/OpenStack, AWS IPv6, Alibaba, Oracle).
METADATA = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200", "192.0.0.192"))
# Public-looking ranges that are not: IETF protocol assignments (192.0.0.192 is
# Oracle's metadata address), benchmarking, and IPv6 forms embedding IPv4.
EXTRA_FORBIDDEN = tuple(ipaddress.ip_network(n) for n in ("192.0.0.0/24", "198.18.0.0/15"))
NAT64 = tuple(ipaddress.ip_network(n) for n in ("64:ff9b::/96", "64:ff9b:1::/48"))
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_NUMERIC_HOST = re.compile(r"[0-9a-fA-FxX.]+")


class Refused(ValueError):
    """A destination the policy does not allow; ``reason`` is one short word."""

    def __init__(self, reason, detail):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclasses.dataclass(frozen=True)
class Url:
    scheme: str
    host: str          # as written (no brackets), lower case
    port: int
    target: str        # path and query, what the request line carries
    username: str = ""
    password: str = ""

    @property
    def host_header(self):
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == SCHEMES[self.scheme] else f"{host}:{self.port}"


def parse_networks(text):
    """``"10.0.0.0/8, 127.0.0.1"`` -> networks (ValueError names a bad one)."""
    networks = []
    for item in filter(None, (part.strip() for part in (text or "").split(","))):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as exc:
            raise ValueError(f"not a network: {item!r} ({exc})") from None
    return tuple(networks)


def parse_url(url):
    """A webhook URL -> ``Url``; ``Refused("invalid", ...)`` for anything else."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL_LENGTH:
        raise Refused("invalid", "a URL of at most 2000 characters is needed")
    if any(ord(ch) < 33 or ord(ch) == 127 for ch in url):
        raise Refused("invalid", "spaces and control characters are not allowed in a URL")
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise Refused("invalid", str(exc)) from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise Refused("invalid", "the URL must start with http:// or https://")
    host = (parts.hostname or "").rstrip(".")
    if not host or "%" in host:
        raise Refused("invalid", "the URL has no usable host")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Url(scheme, host, port or SCHEMES[scheme], target,
               urllib.parse.unquote(parts.username or ""),
               urllib.parse.unquote(parts.password or ""))


def literal_address(host):
    """The address a host spelled as a number stands for, or None for a name.
    IPv4 accepts every form ``inet_aton`` (and so the C resolver) accepts."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _NUMERIC_HOST.fullmatch(host) and any(ch.isdigit() for ch in host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            raise Refused("invalid", f"{host!r} is neither an address nor a host name") from None
    return None


def embedded_ipv4(address):
    """The IPv4 address an IPv6 one carries (mapped, NAT64, 6to4), or None."""
    if address.version != 6:
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if any(address in network for network in NAT64):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def forbidden_reason(address):
    """Why ``address`` is not a public destination, or None if it is."""
    inner = embedded_ipv4(address)
    if inner is not None:
        return forbidden_reason(inner)
    if address.version == 6 and address in IPV4_COMPATIBLE and int(address) > 1:
        return "reserved"       # deprecated ::a.b.c.d ('::' and '::1' are checked below)
    if address in METADATA:
        return "metadata"
    for check, reason in ((address.is_unspecified, "unspecified"),
                          (address.is_loopback, "loopback"),
                          (address.is_link_local, "link-local"),
                          (address.is_multicast, "multicast"),
                          (address.is_private, "private")):
        if check:
            return reason
    if address.version == 6 and address.teredo is not None:
        return "reserved"
    if not address.is_global or any(address in network for network in EXTRA_FORBIDDEN):
        return "reserved"
    return None


def allowed_by(address, networks):
    """True if the operator's allow-list names a network holding ``address``."""
    candidates = [address]
    inner = embedded_ipv4(address)
    if inner is not None:
        candidates.append(inner)
    return any(candidate.version == network.version and candidate in network
               for candidate in candidates for network in networks)


def check_address(address, networks):
    """Raise ``Refused`` unless ``address`` is public or allowed by ``networks``."""
    reason = forbidden_reason(address)
    if reason is not None and not allowed_by(address, networks):
        raise Refused(reason, f"{address} is a {reason} address")
    return address


def check_literal_url(url, networks):
    """What can be decided without DNS (crossbar's check when a webhook is
    saved): the URL's form, and its host when written as an address."""
    parsed = parse_url(url)
    address = literal_address(parsed.host)
    if address is not None:
        check_address(address, networks)
    return parsed
