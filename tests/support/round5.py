"""Round 5 (carriers) replay helpers: the recorded files, a mod_xml_curl gateway
serving the recorded sofia.conf variants (their proxies pointed at the test's
own ports), and a carrier simulator with the rig's far-side plan."""
import json
import re
import socket
from urllib.parse import parse_qsl

import pytest
from gevent.pywsgi import WSGIServer

from kzcore.esl.frames import FrameParser
from tests.support.paths import fs_fixture

RIG_PORTS = {"5060": "carrier", "5999": "down", "5998": "unreachable", "5997": "blackhole"}


def reply(name):
    """The api reply body of a round-5 ``<name>.esl`` (its third frame)."""
    return FrameParser().feed(fs_fixture(f"round5/{name}.esl"))[-1].body.decode()


def events(name, kind="events"):
    """The JSON events of ``<name>.<kind>.json.esl`` as dicts, in order."""
    try:
        raw = fs_fixture(f"round5/{name}.{kind}.json.esl")
    except FileNotFoundError:
        return []
    return [json.loads(frame.body) for frame in FrameParser().feed(raw)]


def recorded_requests():
    """The decoded form fields of every sofia.conf request in xml_curl_requests.txt."""
    text = fs_fixture("round5/xml_curl_requests.txt").decode()
    found = []
    for block in text.split("=== request ")[1:]:
        body = block.split("--- form body", 1)[1].split("\n", 1)[1].split("\n", 1)[0]
        fields = parse_qsl(body, keep_blank_values=True)
        if dict(fields).get("key_value") == "sofia.conf":
            found.append(fields)
    return found


def closed_udp_port():
    """A UDP port nobody listens on (ICMP port unreachable)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


class SofiaConfServer:
    """Serves ``served_sofia_conf_<variant>.xml`` for ``key_value=sofia.conf`` with
    ``profile=external`` (not found otherwise), the rig's ports replaced by ``ports``."""

    NOT_FOUND = ('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<document '
                 'type="freeswitch/xml">\n  <section name="result">\n    <result '
                 'status="not found"/>\n  </section>\n</document>\n')

    def __init__(self, ports):
        self.ports, self.variant, self.requests = ports, "A", []
        self.server = WSGIServer(("127.0.0.1", 0), self.app, log=None)
        self.server.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/fsxml"

    def document(self, variant):
        path = f"round5/{'blackhole/' if variant == 'D' else ''}served_sofia_conf_{variant}.xml"
        text = fs_fixture(path).decode()
        return swap_ports(text, {rig: str(self.ports[role]) for rig, role in RIG_PORTS.items()})

    def app(self, environ, start_response):
        fields = parse_qsl(environ["wsgi.input"].read().decode(), keep_blank_values=True)
        values = dict(fields)
        self.requests.append((environ.get("HTTP_USER_AGENT"), fields))
        wanted = values.get("key_value") == "sofia.conf" and values.get("profile") == "external"
        start_response("200 OK", [("Content-Type", "text/xml")])
        return [(self.document(self.variant) if wanted else self.NOT_FOUND).encode()]

    def sofia_requests(self):
        return [fields for _agent, fields in self.requests
                if dict(fields).get("key_value") == "sofia.conf"]

    def close(self):
        self.server.stop()


def unported(text, ports):
    """Our reply with the test's ports put back to the rig's, spaces squeezed (the
    status tables right-align by width)."""
    text = swap_ports(text, {str(ports[role]): rig for rig, role in RIG_PORTS.items()})
    return re.sub(r" +", " ", text)


def swap_ports(text, mapping):
    """``127.0.0.1:<port>`` with each whole port number in ``mapping`` replaced, in
    one pass (replacing one after the other rewrote a test port that began with a
    later rig port, e.g. 59991 -> <down port>1)."""
    return re.sub(r"127\.0\.0\.1:(\d+)",
                  lambda m: f"127.0.0.1:{mapping.get(m.group(1), m.group(1))}", text)


@pytest.fixture
def round5(fssim_factory):
    """``(switch, carrier, conf_server, ports)``: the carrier answers per the rig's plan
    (6xxx busy, 5xxx rings forever, +1555... no route, anything else answers)."""
    carrier = fssim_factory(hostname="carrier", time_scale=0.05)
    carrier.carrier_plan(r"^6\d{3}$", "busy")
    carrier.carrier_plan(r"^5\d{3}$", "no_answer")
    carrier.carrier_plan(r"^\+1555", "no_route")
    hole = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)   # reads nothing, answers nothing
    hole.bind(("127.0.0.1", 0))
    ports = {"carrier": carrier.start_carrier()[1], "down": closed_udp_port(),
             "unreachable": closed_udp_port(), "blackhole": hole.getsockname()[1]}
    server = SofiaConfServer(ports)
    switch = fssim_factory(hostname="vm", time_scale=0.05, xml_curl_url=server.url)
    yield switch, carrier, server, ports
    server.close()
    hole.close()
