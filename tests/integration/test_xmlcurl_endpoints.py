"""The xml_curl blueprint inside crossbar, fed the requests real FreeSWITCH sent."""
import base64
import hashlib
import logging
import socket
import xml.etree.ElementTree as ET
from urllib.parse import parse_qsl, quote, urlencode

import pytest
import requests
from gevent.pywsgi import WSGIServer

from crossbar.xmlcurl import create_blueprint
from kzcore import fsxml, naming
from kzcore.store.embedded import EmbeddedStore
from tests.support.api import build_app
from tests.support.needs import service_missing
from tests.support.paths import fs_fixture


def recorded_form(name):
    """The form fields of a recorded mod_xml_curl request, in order."""
    raw = fs_fixture(name)
    _head, _, body = raw.partition(b"\r\n\r\n")
    return parse_qsl(body.decode(), keep_blank_values=True)


def replaced(fields, **changes):
    changes = {key.replace("_dash_", "-"): value for key, value in changes.items()}
    return urlencode([(k, changes.get(k, v)) for k, v in fields], quote_via=quote, safe=",/()")


@pytest.fixture
def harness():
    store = EmbeddedStore(":memory:")
    config_holder = {}
    api = build_app(store=store, extra_blueprints=[create_blueprint(store, config_holder.get("c"))])
    yield api
    store.close()


def post(api, body):
    reply = api.client.post("/fsxml", data=body, content_type="application/x-www-form-urlencoded")
    assert reply.status_code == 200
    assert reply.headers["Content-Type"].startswith("text/xml")
    return reply.data


def make_conference(api, data):
    account = api.create_account(api.root, "Callin Co")
    reply = api.call("PUT", f"/v2/accounts/{account.account_id}/conferences", data, token=account.token)
    assert reply.status_code == 201, reply.get_json()
    return account, reply.get_json()["data"]["id"]


def test_profile_fetch_and_request_controls_serve_the_document(harness):
    account, conference_id = make_conference(harness, {
        "name": "Board", "wait_for_moderator": True, "max_participants": 8,
        "profile": {"rate": 16000, "energy-level": 200}})
    room = naming.fs_conference_name(account.account_id, conference_id)
    first = post(harness, replaced(recorded_form(
        "round2/xmlcurl_009_configuration_conference.conf_room7_dynprofile_first_join.request.http"),
        conference_name=room))
    root = ET.fromstring(first)
    profile = root.find("section/configuration/profiles/profile")
    assert profile.get("name") == "dynprofile"
    params = {p.get("name"): p.get("value") for p in profile.findall("param")}
    assert params["rate"] == "16000" and params["energy-level"] == "200"
    assert params["max-members"] == "8" and "wait-mod" in params["conference-flags"]
    groups = {g.get("name") for g in root.findall("section/configuration/caller-controls/group")}
    assert groups == {params["caller-controls"], params["moderator-controls"]}

    controls = post(harness, replaced(recorded_form(
        "round2/xmlcurl_010_configuration_conference.conf_room7_request-controls.request.http"),
        Conf_dash_Name=room))
    assert controls == first  # the same document answers both fetches, as recorded


def test_unknown_rooms_and_other_sections_get_not_found(harness):
    not_found = fs_fixture("round2/xmlcurl_013_configuration_conference.conf_room8_default.response.xml")
    assert post(harness, replaced(recorded_form(
        "round2/xmlcurl_013_configuration_conference.conf_room8_default.request.http"))) == not_found
    ghost = naming.fs_conference_name("a" * 32, "nosuchconference")
    assert post(harness, replaced(recorded_form(
        "round2/xmlcurl_009_configuration_conference.conf_room7_dynprofile_first_join.request.http"),
        conference_name=ghost)) == not_found
    assert post(harness, replaced(recorded_form(
        "round2/xmlcurl_002_configuration_event_socket.conf.request.http"))) == not_found


def test_directory_answers_for_a_device_with_its_credentials(harness):
    # no credentials configured: the test client is a loopback peer (127.0.0.1)
    account = harness.create_account(harness.root, "Phones Co")
    realm = harness.call("GET", f"/v2/accounts/{account.account_id}",
                         token=account.token).get_json()["data"]["realm"]
    reply = harness.call("PUT", f"/v2/accounts/{account.account_id}/devices",
                         {"name": "Alice desk", "sip": {"username": "1000", "password": "pw-1000"}},
                         token=account.token)
    assert reply.status_code == 201, reply.get_json()
    device_id = reply.get_json()["data"]["id"]
    for fixture in ("round3/xmlcurl_001_directory_sip_auth_register_1000.request.http",
                    "round3/xmlcurl_003_directory_user_exists_1000.request.http",
                    "round3/xmlcurl_008_directory_user_call_1000_bgdial_creates_room10.request.http"):
        body = post(harness, replaced(recorded_form(fixture), key_value=realm, domain=realm,
                                      sip_auth_realm=realm))
        domain = ET.fromstring(body).find("section/domain")
        assert domain.get("name") == realm
        assert domain.find("params/param").get("name") == "dial-string"
        user = domain.find("groups/group/users/user")
        assert user.get("id") == "1000"
        secret = {p.get("name"): p.get("value") for p in user.findall("params/param")}
        assert secret == {"a1-hash": hashlib.md5(f"1000:{realm}:pw-1000".encode()).hexdigest()}
        variables = {v.get("name"): v.get("value") for v in user.findall("variables/variable")}
        assert variables["kz_account_id"] == account.account_id
        assert variables["kz_device_id"] == device_id
    not_found = fsxml.not_found().encode()
    assert post(harness, replaced(recorded_form(
        "round3/xmlcurl_005_directory_user_exists_1998_not_found.request.http"),
        key_value=realm, domain=realm)) == not_found
    assert post(harness, replaced(recorded_form(
        "round3/xmlcurl_003_directory_user_exists_1000.request.http"))) == not_found  # rig.test: not ours


class Credentials:
    def __init__(self, value):
        self.xmlcurl_credentials = value


@pytest.fixture
def phones():
    """An app with one device (1000 / pw-1000); ``phones(credentials)`` builds it."""
    stores = []

    def build(credentials=""):
        store = EmbeddedStore(":memory:")
        stores.append(store)
        api = build_app(store=store, extra_blueprints=[create_blueprint(store, Credentials(credentials))])
        account = api.create_account(api.root, "Phones Co")
        realm = api.call("GET", f"/v2/accounts/{account.account_id}",
                         token=account.token).get_json()["data"]["realm"]
        reply = api.call("PUT", f"/v2/accounts/{account.account_id}/devices",
                         {"name": "Desk", "sip": {"username": "1000", "password": "pw-1000"}},
                         token=account.token)
        assert reply.status_code == 201, reply.get_json()
        body = replaced(recorded_form("round3/xmlcurl_001_directory_sip_auth_register_1000.request.http"),
                        key_value=realm, domain=realm, sip_auth_realm=realm)
        return api, body, fsxml.a1_hash("1000", realm, "pw-1000")
    yield build
    for store in stores:
        store.close()


def fetch(api, body, remote="127.0.0.1", **headers):
    return api.client.post("/fsxml", data=body, content_type="application/x-www-form-urlencoded",
                           headers=headers, environ_base={"REMOTE_ADDR": remote})


def basic(user_password):
    return "Basic " + base64.b64encode(user_password.encode()).decode()


def test_without_credentials_only_direct_loopback_peers_get_the_directory(phones, caplog):
    api, body, a1 = phones("")
    assert a1.encode() in fetch(api, body, "127.0.0.1").data        # the one-host development run
    assert a1.encode() in fetch(api, body, "::1").data
    for remote in ("203.0.113.9", "10.0.0.7", "2001:db8::5"):
        with caplog.at_level(logging.WARNING, logger="crossbar.xmlcurl.views"):
            refused = fetch(api, body, remote)
        assert refused.status_code == 403
        assert a1.encode() not in refused.data
        record = caplog.records[-1]
        assert record.getMessage() == "fsxml request refused" and record.remote_addr == remote
    # a load balancer on the same host connects from loopback, but says whom it forwards
    proxied = fetch(api, body, "127.0.0.1", **{"X-Forwarded-For": "203.0.113.9"})
    assert proxied.status_code == 403 and a1.encode() not in proxied.data


def test_configured_credentials_are_required_from_everywhere(phones):
    api, body, a1 = phones("fs:secret")
    for remote in ("127.0.0.1", "10.0.0.7"):
        missing = fetch(api, body, remote)
        assert missing.status_code == 401 and missing.headers["WWW-Authenticate"].startswith("Basic")
        wrong = fetch(api, body, remote, Authorization=basic("fs:guess"))
        assert wrong.status_code == 401 and a1.encode() not in wrong.data
        served = fetch(api, body, remote, Authorization=basic("fs:secret"))
        assert served.status_code == 200
        secret = ET.fromstring(served.data).find("section/domain/groups/group/users/user/params/param")
        assert (secret.get("name"), secret.get("value")) == ("a1-hash", a1)


def test_a_user_without_password_is_what_curl_sends_for_it(phones):
    api, body, a1 = phones("fsonly")
    assert fetch(api, body, "10.0.0.7", Authorization=basic("fsonly:")).status_code == 200
    assert fetch(api, body, "10.0.0.7", Authorization=basic("fsonly:x")).status_code == 401


def non_loopback_ipv4():
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("198.51.100.1", 9))  # no packet is sent: only picks the outgoing address
        address = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    return None if address.startswith("127.") else address


def test_real_socket_from_a_non_loopback_address_is_refused(phones):
    address = non_loopback_ipv4()
    if address is None:
        service_missing("A non-loopback IPv4 address", "this host has none",
                        "Run the tests on a host with a network interface")
    api, body, a1 = phones("")
    server = WSGIServer(("0.0.0.0", 0), api.app, log=None)
    server.start()
    try:
        url = f"http://{{}}:{server.server_port}/fsxml"
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        remote = requests.post(url.format(address), data=body, headers=headers, timeout=5)
        assert remote.status_code == 403 and a1 not in remote.text
        local = requests.post(url.format("127.0.0.1"), data=body, headers=headers, timeout=5)
        assert local.status_code == 200 and a1 in local.text
    finally:
        server.stop()
