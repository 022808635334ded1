"""A minimal SIP-over-UDP exchange between two simulated switches (PURE helpers).

fssim does not implement SIP. To let one simulator play a carrier for another
(a sofia gateway whose ``proxy`` is the other simulator's address), the two
exchange SIP-shaped datagrams over real UDP: a request line or status line and
a few headers, nothing else (no SDP, no transactions, no retransmissions).
Using real UDP keeps what the recordings show about the network: a port nobody
listens on answers with ICMP, which a connected UDP socket reports as
ConnectionRefusedError (the recorded ``503 Service Unavailable``, made
locally), and a socket that never answers gives the recorded timer B.

Requests: ``INVITE``, ``CANCEL``, ``BYE``, ``OPTIONS``; answers: ``100 Trying``,
``180 Ringing``, ``200 OK``, ``404 Not Found``, ``486 Busy Here``,
``487 Request Terminated``, ``603 Decline``.
"""
import dataclasses

PHRASES = {100: "Trying", 180: "Ringing", 200: "OK", 404: "Not Found", 486: "Busy Here",
           487: "Request Terminated", 503: "Service Unavailable", 408: "Request Timeout",
           603: "Decline"}
MAX_DATAGRAM = 4096


@dataclasses.dataclass
class Message:
    method: str = None        # requests
    uri: str = None
    status: int = None        # answers
    headers: dict = dataclasses.field(default_factory=dict)

    @property
    def call_id(self):
        return self.headers.get("Call-ID", "")


def request(method, uri, headers):
    lines = [f"{method} {uri} SIP/2.0"] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


def answer(status, call_id, extra=None):
    headers = {"Call-ID": call_id, **(extra or {})}
    lines = [f"SIP/2.0 {status} {PHRASES.get(status, 'Unknown')}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


def parse(data):
    """A Message, or None for anything that is not one."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    lines = text.split("\r\n")
    first = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(": ")
        if sep:
            headers[name] = value
    if len(first) == 3 and first[0] == "SIP/2.0" and first[1].isdigit():
        return Message(status=int(first[1]), headers=headers)
    if len(first) == 3 and first[2] == "SIP/2.0":
        return Message(method=first[0], uri=first[1], headers=headers)
    return None


def uri_user(uri):
    """``sip:9001@127.0.0.1:5060`` -> ``9001``."""
    rest = uri[4:] if uri.startswith("sip:") else uri
    return rest.split("@", 1)[0] if "@" in rest else ""


def display_and_number(from_header):
    """``"Acme Sales" <sip:5551000@127.0.0.1>`` -> (``Acme Sales``, ``5551000``)."""
    name, _, rest = from_header.partition("<")
    return name.strip().strip('"'), uri_user(rest.rstrip(">").split(";")[0])

