"""Carriers in the admin UI (headless Chromium against the in-process stack): an
admin manages the account's carriers and a superduper admin the system's, bad
input shows at its field and stores nothing, and a dial through carriers shows
each gateway tried. The stack's simulator takes its gateways from crossbar over
xml_curl for these tests; another simulator plays the carrier."""
import json

import pytest
from playwright.sync_api import expect

from fssim import Simulator
from fssim.xmlcurl import XmlCurlClient
from tests.browser.helpers import SESSION_KEY, create_conference, sign_in
from tests.support.round5 import closed_udp_port


@pytest.fixture
def carrier_port(stack):
    """The stack's switch with an external profile fed by crossbar, and a carrier."""
    core = stack.sim.core
    core.xml_curl = XmlCurlClient(core, f"{stack.base_url}/fsxml")
    assert stack.sim.api("sofia profile external start").endswith("started successfully\n")
    carrier = Simulator(hostname="carrier", time_scale=0.1)
    port = carrier.start_carrier()[1]
    yield port
    for path in (f"/accounts/{stack.account_id}/resources", "/resources"):
        for item in stack.api("GET", path)[1]["data"]:
            stack.api("DELETE", f"{path}/{item['id']}")
    core.sofia.stop("external")
    core.xml_curl = None
    carrier.stop()


def fill_gateway(page, index, server, port, **extra):
    page.get_by_test_id(f"field-gateways.{index}.server").fill(server)
    page.get_by_test_id(f"field-gateways.{index}.port").fill(str(port))
    for key, value in extra.items():
        page.get_by_test_id(f"field-gateways.{index}.{key}").fill(value)


def test_admin_creates_and_edits_a_carrier(page, stack, carrier_port):
    sign_in(page, stack, through_form=False)
    page.get_by_test_id("nav-resources").click()
    expect(page.get_by_test_id("resources-system")).to_be_visible()      # superduper admin
    page.get_by_test_id("resource-new-account").click()
    page.get_by_test_id("field-name").fill("Acme Telecom")
    page.get_by_test_id("field-rules").fill("^\\+1\\d{10}$")
    fill_gateway(page, 0, "bad host", carrier_port)
    page.get_by_test_id("resource-save").click()
    expect(page.get_by_test_id("error-gateways.0.server")).to_be_visible()
    expect(page.get_by_test_id("field-gateways.0.server")).to_have_attribute("aria-invalid", "true")
    assert stack.api("GET", f"/accounts/{stack.account_id}/resources")[1]["data"] == []

    fill_gateway(page, 0, "127.0.0.1", carrier_port, username="acme", password="s3cret-pw")
    page.get_by_test_id("resource-save").click()
    expect(page.get_by_test_id("resource-form-status")).to_contain_text(
        "Gateways updated on 1 node(s).")
    (listed,) = stack.api("GET", f"/accounts/{stack.account_id}/resources")[1]["data"]
    assert listed["name"] == "Acme Telecom" and listed["gateways"] == 1
    expect(page.get_by_test_id("field-gateways.0.password")).to_have_value("********")
    page.get_by_test_id("gateway-add").click()
    fill_gateway(page, 1, "127.0.0.1", closed_udp_port())
    page.get_by_test_id("resource-save").click()
    expect(page.get_by_test_id("resource-form-status")).to_contain_text("Saved.")
    status, doc = stack.api("GET", f"/accounts/{stack.account_id}/resources/{listed['id']}")
    assert [g["port"] for g in doc["data"]["gateways"]][0] == carrier_port
    assert doc["data"]["gateways"][0]["password"] == "********"
    stored = stack.store.find(f"account/{stack.account_id[:2]}/{stack.account_id[2:4]}/"
                              f"{stack.account_id[4:]}", {"pvt_type": "resource"})
    assert stored[0]["gateways"][0]["password"] == "s3cret-pw"
    page.get_by_test_id("resource-back").click()
    expect(page.get_by_test_id("resource-row")).to_have_count(1)
    expect(page.get_by_test_id("resource-gateways")).to_have_text("2")


def test_dial_shows_every_gateway_tried(page, stack, carrier_port):
    status, made = stack.api("PUT", f"/accounts/{stack.account_id}/resources", {
        "name": "Backup route", "rules": ["^\\+1"],
        "gateways": [{"server": "127.0.0.1", "port": closed_udp_port()},
                     {"server": "127.0.0.1", "port": carrier_port}]})
    assert status == 201, made
    sign_in(page, stack, through_form=False)
    conference_id = create_conference(page, "Carrier room")
    stack.sim.join(stack.fs_name(conference_id), "6001", "Heidi")
    page.get_by_label("Endpoints").fill("+15552234567")
    page.get_by_test_id("dial-submit").click()
    result = page.get_by_test_id("dial-result")
    expect(result).to_have_attribute("data-status", "success")
    expect(result).to_contain_text("via Backup route")
    attempts = page.get_by_test_id("dial-attempt")
    expect(attempts).to_have_count(2)
    expect(attempts.nth(0)).to_contain_text("gateway 1 (127.0.0.1): NORMAL_TEMPORARY_FAILURE")
    expect(attempts.nth(1)).to_contain_text("gateway 2 (127.0.0.1): SUCCESS")
    expect(page.get_by_test_id("participant-row")).to_have_count(2)


def test_an_account_admin_sees_no_system_carriers(page, stack, carrier_port):
    status, child = stack.api("PUT", f"/accounts/{stack.account_id}", {"name": "UI Child Co"})
    assert status == 201, child
    child_id = child["data"]["id"]
    status, key = stack.api("GET", f"/accounts/{child_id}/api_key")
    import requests
    token = requests.put(f"{stack.base_url}/v2/api_auth", timeout=5,
                         json={"data": {"api_key": key["data"]["api_key"]}}).json()["auth_token"]
    session = {"token": token, "accountId": child_id, "accountName": "UI Child Co"}
    page.add_init_script(f"sessionStorage.setItem({json.dumps(SESSION_KEY)}, "
                         f"{json.dumps(json.dumps(session))});")
    page.goto(stack.ui_url + "#/resources")
    expect(page.get_by_test_id("resource-empty-account")).to_be_visible()
    expect(page.get_by_test_id("resources-system")).to_be_hidden()


def test_every_form_field_reaches_a_stored_system_carrier(page, stack, carrier_port):
    """A superduper admin's system carrier with every field of the form filled, and a
    second gateway added then removed: the stored document says what was typed."""
    sign_in(page, stack, through_form=False)
    page.get_by_test_id("nav-resources").click()
    page.get_by_test_id("resource-new-system").click()
    form = page.get_by_test_id("resource-form")
    form.get_by_test_id("field-name").fill("Every field")
    form.get_by_test_id("field-weight_cost").fill("7")
    form.get_by_test_id("field-rules").fill("^\\+44\\d{10}$")
    form.get_by_test_id("field-allow_sip_uris").check()
    form.get_by_test_id("field-caller_id_options.number").fill("+442071234567")
    form.get_by_test_id("field-caller_id_options.name").fill("Main Line")
    form.get_by_test_id("field-caller_id_options.force").check()
    for test_id, text in (("field-gateways.0.server", "127.0.0.1"),
                          ("field-gateways.0.port", str(carrier_port)),
                          ("field-gateways.0.realm", "carrier.example"),
                          ("field-gateways.0.username", "acct1"),
                          ("field-gateways.0.prefix", "99"), ("field-gateways.0.suffix", "1"),
                          ("field-gateways.0.codecs", "PCMU, PCMA"),
                          ("field-gateways.0.progress_timeout", "6")):
        form.get_by_test_id(test_id).fill(text)
    form.get_by_test_id("field-gateways.0.invite_format").select_option("route")
    form.get_by_test_id("field-gateways.0.enabled").uncheck()
    page.get_by_test_id("gateway-add").click()
    fill_gateway(page, 1, "sip.second.example", 5070)
    page.get_by_test_id("gateway-remove").nth(1).click()
    page.get_by_test_id("resource-save").click()
    expect(page.get_by_test_id("resource-form-status")).to_contain_text("Saved")
    (stored,) = [r for r in stack.api("GET", "/resources")[1]["data"]
                 if r["name"] == "Every field"]
    doc = stack.api("GET", f"/resources/{stored['id']}")[1]["data"]
    assert (doc["weight_cost"], doc["rules"], doc["allow_sip_uris"]) \
        == (7, ["^\\+44\\d{10}$"], True)
    assert {key: doc["caller_id_options"].get(key) for key in ("number", "name", "force")} \
        == {"number": "+442071234567", "name": "Main Line", "force": True}
    (gateway,) = doc["gateways"]
    assert {key: gateway.get(key) for key in ("server", "port", "realm", "username", "prefix",
                                              "suffix", "codecs", "progress_timeout",
                                              "invite_format", "enabled")} \
        == {"server": "127.0.0.1", "port": carrier_port, "realm": "carrier.example",
            "username": "acct1", "prefix": "99", "suffix": "1", "codecs": ["PCMU", "PCMA"],
            "progress_timeout": 6, "invite_format": "route", "enabled": False}
