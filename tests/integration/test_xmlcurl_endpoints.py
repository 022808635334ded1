"""The xml_curl blueprint inside crossbar, fed the requests real FreeSWITCH sent."""
import hashlib
import xml.etree.ElementTree as ET
from urllib.parse import parse_qsl, quote, urlencode

import pytest

from crossbar.xmlcurl import create_blueprint
from kzcore import fsxml, naming
from kzcore.store.embedded import EmbeddedStore
from tests.support.api import build_app
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


def test_basic_credentials_are_enforced_when_configured():
    store = EmbeddedStore(":memory:")

    class Config:
        xmlcurl_credentials = "fs:secret"
    api = build_app(store=store, extra_blueprints=[create_blueprint(store, Config())])
    body = replaced(recorded_form("round2/xmlcurl_002_configuration_event_socket.conf.request.http"))
    denied = api.client.post("/fsxml", data=body, content_type="application/x-www-form-urlencoded")
    assert denied.status_code == 401
    allowed = api.client.post("/fsxml", data=body, content_type="application/x-www-form-urlencoded",
                              headers={"Authorization": "Basic ZnM6c2VjcmV0"})
    assert allowed.status_code == 200
    store.close()
