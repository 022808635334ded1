"""What reaches mod_sofia and the served XML: the sofia api commands and gateway
dial strings (every value checked), the sofia.conf document (parsed as the
switch and the simulator parse it, the same settings as fs_conf's static
external profile), the carriers' dialplan, and reading the recorded replies."""
import xml.etree.ElementTree as ElementTree

import pytest

from fssim.sofia_gateways import parse_sofia_conf
from kzcore import carriers, fs_commands, fsxml_dialplan, fsxml_sofia, sofia_status
from kzcore.errors import InvalidCommandArgument
from kzcore.fs_commands import sofia
from tests.support.paths import REPO
from tests.support.round5 import reply

NASTY = ["a b", "a\nb", "a\r\napi shutdown", "a'b", 'a"b', "a{b}", "a|b", "a,b", "", "a/b",
         "a[b]", "a:b$", None, 7]


def test_profile_commands():
    assert sofia.profile_command("external", "rescan") == "sofia profile external rescan"
    assert sofia.profile_command("external", "killgw", "kz_1") == \
        "sofia profile external killgw kz_1"
    assert sofia.status_gateway("kz_1") == "sofia status gateway kz_1"
    with pytest.raises(InvalidCommandArgument):
        sofia.profile_command("external", "stop")
    with pytest.raises(InvalidCommandArgument):
        sofia.profile_command("external", "rescan", "kz_1")


@pytest.mark.parametrize("value", NASTY)
def test_profile_and_gateway_names_are_checked(value):
    with pytest.raises(InvalidCommandArgument):
        sofia.profile_command(value, "rescan")
    with pytest.raises(InvalidCommandArgument):
        sofia.profile_command("external", "killgw", value)
    with pytest.raises(InvalidCommandArgument):
        sofia.gateway_endpoint(value, "+15552234567")


@pytest.mark.parametrize("value", [v for v in NASTY if v != "a/b"] + ["1@h@x", "1@h:99999x"])
def test_gateway_users_are_checked(value):
    with pytest.raises(InvalidCommandArgument):
        sofia.gateway_endpoint("kz_1", value)


@pytest.mark.parametrize("codecs", [["PC MU"], ["PCMU,PCMA"], ["a:b"], ["x]"], "PCMU", [1]])
def test_codecs_are_checked(codecs):
    with pytest.raises(InvalidCommandArgument):
        sofia.gateway_endpoint("kz_1", "+1555", codecs=codecs)


def test_gateway_leg_in_a_bgdial():
    endpoint = sofia.gateway_endpoint("kz_1", "+15552234567", ["PCMU", "PCMA"], 5)
    assert endpoint == ("[^^:absolute_codec_string=PCMU,PCMA:leg_progress_timeout=5]"
                        "sofia/gateway/kz_1/+15552234567")
    command = fs_commands.build("room", "bgdial", endpoint=endpoint,
                                variables={"origination_uuid": "u-1"},
                                caller_id_number="+1555", caller_id_name="Acme Sales")
    assert command == ("conference room bgdial {origination_uuid=u-1}" + endpoint
                       + " +1555 'Acme Sales'")
    assert sofia.failover_string([("kz_1", "1", (), None), ("kz_2", "2", (), 3)]) == \
        "sofia/gateway/kz_1/1|[^^:leg_progress_timeout=3]sofia/gateway/kz_2/2"
    with pytest.raises(InvalidCommandArgument):
        sofia.gateway_endpoint("kz_1", "1", progress_timeout=0)


def gateway_of(**spec):
    doc = {"_id": "r1", "_rev": "1-a", "pvt_gateway_salt": "s", "gateways": [spec]}
    return carriers.live_gateways(doc)


def test_sofia_conf_document_parses_like_the_served_one():
    gateways = gateway_of(server="sip.carrier.net", port=5080, username="u1", password='p<&">')
    text = fsxml_sofia.sofia_configuration("external", gateways)
    root = ElementTree.fromstring(text)
    served = ElementTree.fromstring(reply_xml("served_sofia_conf_A.xml"))
    assert shape(root) == shape(served)
    settings, parsed = parse_sofia_conf(text, "external")
    (name, params), = parsed
    assert name == gateways[0].name and params["password"] == 'p<&">'
    assert params["proxy"] == "sip.carrier.net:5080" and settings["sip-port"] == \
        "$${external_sip_port}"


def reply_xml(name):
    return (REPO / "tests/fixtures/freeswitch/round5" / name).read_text()


def shape(root):
    """The element paths of a sofia.conf document (the served one's skeleton)."""
    return sorted({"/".join(p) for p in _paths(root)})


def _paths(node, path=()):
    here = path + (node.tag,)
    yield here
    for child in node:
        if child.tag != "param" or node.tag in ("gateway", "settings", "global_settings"):
            yield from _paths(child, here)


def test_served_settings_are_fs_conf_static_external_profile():
    static = ElementTree.parse(REPO / "fs_conf/sip_profiles/external.xml").getroot()
    assert static.get("name") == "external"
    pairs = tuple((p.get("name"), p.get("value")) for p in static.findall("settings/param"))
    assert pairs == fsxml_sofia.EXTERNAL_SETTINGS


def test_wants_profile_only_for_the_external_profile_fetch():
    base = {"section": "configuration", "key_value": "sofia.conf"}
    assert fsxml_sofia.wants_profile({**base, "profile": "external"}, "external")
    assert not fsxml_sofia.wants_profile(base, "external")          # load: static files
    assert not fsxml_sofia.wants_profile({**base, "profile": "internal"}, "external")


def test_dialplan_bridge_document():
    text = fsxml_dialplan.carrier_bridge("default", "+15552234567",
                                         sofia.failover_string([("kz_1", "+15552234567", (),
                                                                 None)]),
                                         ("+15550000001", "Main Line"))
    root = ElementTree.fromstring(text)
    condition = root.find("section/context/extension/condition")
    assert root.find("section").get("name") == "dialplan"
    assert condition.get("expression") == r"^\+15552234567$"
    actions = [(a.get("application"), a.get("data")) for a in condition.findall("action")]
    assert actions == [("set", "hangup_after_bridge=true"),
                       ("set", "effective_caller_id_number=+15550000001"),
                       ("set", "effective_caller_id_name=Main Line"),
                       ("bridge", "sofia/gateway/kz_1/+15552234567")]
    for context, number in (("a b", "1"), ("default", "1 2"), ("default", "1$")):
        with pytest.raises(InvalidCommandArgument):
            fsxml_dialplan.carrier_bridge(context, number, "sofia/gateway/kz_1/1")
    with pytest.raises(InvalidCommandArgument):
        fsxml_dialplan.carrier_bridge("default", "1", "x", ("1", "Bad{name}"))


def test_recorded_replies_are_read():
    names = sofia_status.gateway_names(reply("sofia_status_gateway_all"), "external")
    assert names == ["carrier_down", "carrier1"]
    assert sofia_status.gateway_names(reply("sofia_status"), "external") is None
    assert sofia_status.gateway_up(reply("sofia_status_gateway_carrier1"))
    assert not sofia_status.gateway_up(reply("sofia_status_gateway_carrier_down_after_ping"))
    assert sofia_status.gateway_detail(reply("sofia_status_gateway_nosuchgw")) is None
    assert sofia_status.rescan_ok(reply("profile_external_rescan"))
    assert not sofia_status.rescan_ok("Invalid Profile [external]")
    assert sofia_status.killgw_ok(reply("killgw_carrier1"))
    assert sofia_status.killgw_ok(reply("killgw_nosuchgw"))
    assert not sofia_status.killgw_ok("-ERR missing gw name\n")
