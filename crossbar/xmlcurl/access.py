"""Who may fetch /fsxml (PURE).

The directory answer carries each device's a1-hash, which works in place of
the SIP password, so the endpoint is never open by default:

- credentials configured (``user:password``, what mod_xml_curl's
  ``gateway-credentials`` sends as HTTP basic auth): they must match (401).
- no credentials: only a direct loopback peer is answered (the one-host
  development run, where FreeSWITCH or fssim sits next to crossbar). A request
  carrying proxy headers came through a load balancer, so it is refused even
  when the balancer connects from loopback (403).
"""
import hmac
import ipaddress

PROXY_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP", "X-Forwarded-Host")
DENIED_NO_CREDENTIALS = (401, "missing or wrong credentials")
DENIED_NOT_LOOPBACK = (403, "no credentials configured: only loopback peers are answered")
DENIED_PROXIED = (403, "no credentials configured: proxied requests are refused")


def expected_credentials(credentials):
    """``user`` alone is what curl sends as ``user:`` (empty password)."""
    credentials = credentials or ""
    if credentials and ":" not in credentials:
        return credentials + ":"
    return credentials


def is_loopback(address):
    try:
        ip = ipaddress.ip_address((address or "").split("%")[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback


def refusal(credentials, remote_addr, header_names, given):
    """None when the request may be answered, else ``(status, reason)``.

    ``header_names``: the request's header names; ``given``: the basic-auth
    ``user:password`` the request carried ("" when none)."""
    expected = expected_credentials(credentials)
    if expected:
        if given and hmac.compare_digest(given.encode(), expected.encode()):
            return None
        return DENIED_NO_CREDENTIALS
    present = {name.lower() for name in header_names}
    if any(header.lower() in present for header in PROXY_HEADERS):
        return DENIED_PROXIED
    if not is_loopback(remote_addr):
        return DENIED_NOT_LOOPBACK
    return None
