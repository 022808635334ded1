"""Reading mod_sofia's status replies (PURE; recorded in fixtures round 5).

- ``sofia status gateway``: a header, a ``====`` line, one line per gateway
  ``<profile>::<name>\\t<data>\\t<state>\\t<ping>\\t<ib>\\t<ob>``, a ``====`` line
  and ``N gateways: ...``.
- ``sofia status gateway <name>``: ``Key\\tvalue`` lines between ``====`` lines
  (``Status\\tUP``, ``DOWN``, ``DOWN (ping)``...), or ``Invalid Gateway!``.
- ``sofia profile <p> rescan``: ``Reload XML [Success]\\n+OK scan complete\\n``.
"""
from kzcore.fs_commands.sofia import KILLGW_OK, KILLGW_UNKNOWN, RESCAN_OK

SUMMARY_TAIL = " gateway"


def gateway_names(listing, profile):
    """Names of ``profile``'s gateways in a ``sofia status gateway`` reply, or
    None when the reply is not that listing."""
    if not isinstance(listing, str):
        return None
    lines = listing.splitlines()
    if not lines or not lines[0].strip().startswith("Profile::Gateway-Name") \
            or not any(SUMMARY_TAIL in line for line in lines[-1:]):
        return None
    names = []
    for line in lines[2:-2]:
        key = line.split("\t", 1)[0].strip()
        owner, sep, name = key.partition("::")
        if sep and owner == profile and name:
            names.append(name)
    return names


def gateway_detail(reply):
    """``{key: value}`` of ``sofia status gateway <name>``, or None (unknown gateway)."""
    if not isinstance(reply, str) or not reply.startswith("====="):
        return None
    detail = {}
    for line in reply.splitlines():
        key, sep, value = line.partition("\t")
        if sep:
            detail[key.strip()] = value
    return detail


def gateway_up(reply):
    """True (UP), False (DOWN or unknown gateway), from ``sofia status gateway <name>``."""
    detail = gateway_detail(reply)
    return bool(detail) and detail.get("Status", "").split(" ")[0] == "UP"


def rescan_ok(reply):
    return isinstance(reply, str) and RESCAN_OK in reply.splitlines()


def killgw_ok(reply):
    """A gateway marked for deletion, or one the node does not have (nothing to kill)."""
    return isinstance(reply, str) and reply.strip() in (KILLGW_OK, KILLGW_UNKNOWN)
