"""What crossbar's /fsxml answers for carriers, fed the requests a real switch
sent (raw HTTP over a socket): the external profile's sofia.conf (round 5's
sofia.conf fetches, round 2's request shape), checked by an XML parser and by
the simulator's sofia.conf reader, and the dialplan that takes our devices'
calls out through the carriers."""
import socket
import xml.etree.ElementTree as ElementTree
from urllib.parse import quote, urlencode

import pytest
from gevent.pywsgi import WSGIServer

from crossbar.xmlcurl import create_blueprint
from fssim.sofia_gateways import parse_sofia_conf
from kzcore.config import load_config
from kzcore.store.embedded import EmbeddedStore
from tests.support.api import build_app
from tests.support.paths import fs_fixture
from tests.support.round5 import recorded_requests

RESOURCE = {"name": "Carrier", "rules": [r"^\+1\d{10}$"],
            "gateways": [{"server": "sip.carrier.net", "username": "u1", "password": "pw-1"},
                         {"server": "10.0.0.9", "port": 5070, "codecs": ["PCMU"]}]}


@pytest.fixture
def fsxml():
    store = EmbeddedStore(":memory:", account_dbs_on_write=False)
    api = build_app(store=store, extra_blueprints=[create_blueprint(store, load_config(env={}))])
    server = WSGIServer(("127.0.0.1", 0), api.app, log=None)
    server.start()
    api.port = server.server_port
    yield api
    server.stop()
    store.close()


def raw_post(port, head, body):
    """One request as mod_xml_curl sends it (its header lines, its body), over TCP."""
    lines = [line for line in head.split("\r\n") if line and not
             line.lower().startswith(("content-length", "host"))]
    request = "\r\n".join(lines[:1] + [f"Host: 127.0.0.1:{port}",
                                       f"Content-Length: {len(body)}"] + lines[1:])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request.encode() + b"\r\n\r\n" + body.encode())
        sock.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head_out, _, payload = data.partition(b"\r\n\r\n")
    assert head_out.startswith(b"HTTP/1.1 200"), head_out
    assert b"Content-Type: text/xml" in head_out
    return payload.decode()


def round5_body(index):
    """The recorded form body of the index-th sofia.conf fetch, exactly as received."""
    text = fs_fixture("round5/xml_curl_requests.txt").decode()
    bodies = [block.split("as received):\n", 1)[1].split("\n", 1)[0]
              for block in text.split("=== request ")[1:] if "key_value=sofia.conf" in block]
    return bodies[index]


ROUND5_HEAD = ("POST /fsxml HTTP/1.1\r\nUser-Agent: freeswitch-xml/1.0\r\nAccept: */*\r\n"
               "Content-Type: application/x-www-form-urlencoded")


def create(api, account, data=RESOURCE):
    reply = api.call("PUT", f"/v2/accounts/{account.account_id}/resources", data,
                     token=account.token)
    assert reply.status_code == 201, reply.get_json()
    return reply.get_json()["data"]


def test_recorded_sofia_conf_fetches_get_the_gateways(fsxml):
    alpha = fsxml.create_account(fsxml.root, "Alpha Co")
    create(fsxml, alpha)
    start, worker = round5_body(0), round5_body(1)
    assert "profile=external&reconfig=true" in start and worker.endswith("profile=external")
    answers = [raw_post(fsxml.port, ROUND5_HEAD, body) for body in (start, worker)]
    assert answers[0] == answers[1]
    root = ElementTree.fromstring(answers[0])
    assert (root.tag, root.get("type")) == ("document", "freeswitch/xml")
    configuration = root.find("section[@name='configuration']/configuration")
    assert configuration.get("name") == "sofia.conf"
    (profile,) = configuration.findall("profiles/profile")
    assert profile.get("name") == "external"
    gateways = profile.findall("gateways/gateway")
    params = [{p.get("name"): p.get("value") for p in g.findall("param")} for g in gateways]
    assert params == [
        {"proxy": "sip.carrier.net", "register": "false", "caller-id-in-from": "true",
         "username": "u1", "password": "pw-1"},
        {"proxy": "10.0.0.9:5070", "register": "false", "caller-id-in-from": "true"}]
    settings, parsed = parse_sofia_conf(answers[0], "external")     # as the simulator reads it
    assert [name for name, _ in parsed] == [g.get("name") for g in gateways]
    assert settings["context"] == "default"


def test_round2_request_shape_answered_for_the_external_profile(fsxml):
    alpha = fsxml.create_account(fsxml.root, "Alpha Co")
    create(fsxml, alpha)
    raw = fs_fixture("round2/xmlcurl_013_configuration_conference.conf_room8_default"
                     ".request.http").decode()
    head, _, body = raw.partition("\r\n\r\n")
    body = body.replace("key_value=conference.conf", "key_value=sofia.conf")
    body = body.split("&conference_name=")[0] + "&profile=external"
    answer = raw_post(fsxml.port, head, body)
    assert len(ElementTree.fromstring(answer).findall(".//gateway")) == 2


@pytest.mark.parametrize("extra", ["", "&profile=internal"])
def test_other_sofia_conf_fetches_fall_back_to_the_static_files(fsxml, extra):
    body = round5_body(0).split("&profile=")[0] + extra
    answer = raw_post(fsxml.port, ROUND5_HEAD, body)
    assert ElementTree.fromstring(answer).find(".//result").get("status") == "not found"
    assert [f for f in recorded_requests()[0] if f[0] == "profile"] == [("profile", "external")]


def test_the_answer_changes_after_an_update(fsxml):
    alpha = fsxml.create_account(fsxml.root, "Alpha Co")
    made = create(fsxml, alpha)
    before = raw_post(fsxml.port, ROUND5_HEAD, round5_body(0))
    path = f"/v2/accounts/{alpha.account_id}/resources/{made['id']}"
    reply = fsxml.call("PATCH", path, {"gateways": [{"server": "sip2.carrier.net"}]},
                       token=alpha.token)
    assert reply.status_code == 200
    after = raw_post(fsxml.port, ROUND5_HEAD, round5_body(0))
    names = [{g.get("name") for g in ElementTree.fromstring(doc).iter("gateway")}
             for doc in (before, after)]
    assert len(names[1]) == 1 and not names[0] & names[1]
    assert 'value="sip2.carrier.net"' in after and "sip.carrier.net" not in after


def dialplan_fetch(number, **variables):
    fields = [("hostname", "vm"), ("section", "dialplan"), ("tag_name", ""), ("key_name", ""),
              ("key_value", ""), ("Event-Name", "REQUEST_PARAMS"),
              ("Channel-Name", f"sofia/internal/1000@{variables.get('sip_auth_realm', 'x')}"),
              ("Caller-Destination-Number", number), ("Hunt-Destination-Number", number),
              ("Hunt-Context", "default")]
    fields += [(f"variable_{name}", value) for name, value in variables.items()]
    return urlencode(fields, quote_via=quote)


def device_account(fsxml):
    alpha = fsxml.create_account(fsxml.root, "Alpha Co")
    realm = fsxml.call("GET", f"/v2/accounts/{alpha.account_id}",
                       token=alpha.token).get_json()["data"]["realm"]
    reply = fsxml.call("PUT", f"/v2/accounts/{alpha.account_id}/devices",
                       {"name": "Desk", "sip": {"username": "1000", "password": "pw12345"}},
                       token=alpha.token)
    assert reply.status_code == 201
    create(fsxml, alpha)
    return alpha, realm, reply.get_json()["data"]["id"]


def actions_of(answer):
    condition = ElementTree.fromstring(answer).find("section/context/extension/condition")
    if condition is None:
        return None
    return [(a.get("application"), a.get("data")) for a in condition.findall("action")]


def test_a_device_calling_a_number_goes_out_through_the_carriers(fsxml):
    alpha, realm, _device = device_account(fsxml)
    answer = raw_post(fsxml.port, ROUND5_HEAD, dialplan_fetch(
        "5552234567", sip_auth_username="1000", sip_auth_realm=realm))
    actions = actions_of(answer)
    bridge = dict(actions)["bridge"]
    legs = bridge.split("|")
    assert len(legs) == 2 and legs[0].startswith("sofia/gateway/kz_")
    assert legs[0].endswith("/+15552234567")
    assert legs[1].startswith("[^^:absolute_codec_string=PCMU]sofia/gateway/kz_")


def test_other_calls_get_the_static_dialplan(fsxml):
    alpha, realm, device = device_account(fsxml)
    reply = fsxml.call("PUT", f"/v2/accounts/{alpha.account_id}/conferences",
                       {"name": "Ours", "conference_numbers": ["5552234567"]}, token=alpha.token)
    assert reply.status_code == 201
    for body in (dialplan_fetch("5552234567", sip_auth_username="1000", sip_auth_realm=realm),
                 dialplan_fetch("5553334444", kz_account_id=alpha.account_id),  # not trusted
                 dialplan_fetch("5553334444", sip_auth_username="9999", sip_auth_realm=realm),
                 dialplan_fetch("+33142685300", sip_auth_username="1000", sip_auth_realm=realm)):
        assert actions_of(raw_post(fsxml.port, ROUND5_HEAD, body)) is None
    fsxml.call("PATCH", f"/v2/accounts/{alpha.account_id}/devices/{device}", {"enabled": False},
               token=alpha.token)
    assert actions_of(raw_post(fsxml.port, ROUND5_HEAD, dialplan_fetch(
        "5553334444", sip_auth_username="1000", sip_auth_realm=realm))) is None
