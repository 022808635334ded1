"""Conference profiles fetched over mod_xml_curl, as round 2 recorded it: the request
fields in FreeSWITCH's order, the served profile used, not-found -> static profile."""
from urllib.parse import parse_qsl

import pytest
from gevent.pywsgi import WSGIServer

from tests.support.paths import fs_fixture

DOCUMENT = fs_fixture(
    "round2/xmlcurl_009_configuration_conference.conf_room7_dynprofile_first_join.response.xml")
NOT_FOUND = fs_fixture(
    "round2/xmlcurl_013_configuration_conference.conf_room8_default.response.xml")


def recorded_field_names(name):
    lines = fs_fixture(f"round2/{name}.params.txt").decode().splitlines()
    return [line.split("=", 1)[0] for line in lines if line and not line.startswith("#")]


@pytest.fixture
def gateway():
    requests_seen = []

    def app(environ, start_response):
        body = environ["wsgi.input"].read().decode()
        fields = parse_qsl(body, keep_blank_values=True)
        requests_seen.append((environ.get("HTTP_USER_AGENT"), fields))
        wanted = dict(fields).get("profile_name") == "dynprofile"
        start_response("200 OK", [("Content-Type", "text/xml")])
        return [DOCUMENT if wanted else NOT_FOUND]

    server = WSGIServer(("127.0.0.1", 0), app, log=None)
    server.start()
    yield f"http://127.0.0.1:{server.server_port}/fsxml", requests_seen
    server.stop()


def test_profile_served_over_xml_curl(fssim_factory, gateway, events_on):
    url, seen = gateway
    sim = fssim_factory(time_scale=0.05, xml_curl_url=url)
    client = events_on(sim)
    sim.join("room7", "1201", "Heidi", profile="dynprofile")
    added = client.wait_event(lambda e: e.get("Action") == "add-member")
    assert added["Conference-Profile-Name"] == "dynprofile"
    assert added["Conference-Domain"] == "mydomain.test"
    assert added["Energy-Level"] == "200"
    room = sim.json_list("room7")[0]
    assert room["rate"] == 16000 and room["members"][0]["energy"] == 200
    (agent, first), (_, second) = seen[:2]
    assert agent == "freeswitch-xml/1.0"
    assert [n for n, _ in first] == recorded_field_names(
        "xmlcurl_009_configuration_conference.conf_room7_dynprofile_first_join")
    assert [n for n, _ in second] == recorded_field_names(
        "xmlcurl_010_configuration_conference.conf_room7_request-controls")
    assert dict(second)["Controls"] == "dyncontrols"
    assert dict(first)["Fetch-Call-UUID"] == added["Unique-ID"]


def test_not_found_falls_back_to_the_static_profile(fssim_factory, gateway):
    url, seen = gateway
    sim = fssim_factory(time_scale=0.05, xml_curl_url=url)
    sim.join("room8", "1203", "Judy")
    room = sim.json_list("room8")[0]
    assert room["rate"] == 8000 and room["members"][0]["energy"] == 100
    assert len(seen) == 2


def test_unreachable_gateway_falls_back(fssim_factory):
    sim = fssim_factory(time_scale=0.05, xml_curl_url="http://127.0.0.1:9/fsxml")
    assert sim.join("room9", "1", "A") is not None
    assert sim.json_list("room9")[0]["rate"] == 8000
