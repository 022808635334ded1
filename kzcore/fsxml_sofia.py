"""The ``sofia.conf`` document crossbar serves for the external SIP profile (PURE).

Shape as served to, and accepted by, the real switch in fixtures round 5
(``served_sofia_conf_*.xml``): ``configuration name="sofia.conf"`` with
``global_settings`` and one ``<profile>`` holding ``aliases``, ``gateways``
(one ``<gateway name=...>`` with ``<param>`` children each), ``domains`` and
``settings``. mod_xml_curl writes the answer to a file and parses it with the
pre-processor, so ``$${...}`` variables from fs_conf/vars.xml work here as in
the static files; gateway values never hold ``$`` (the schema refuses it), so a
client cannot name a variable.

FreeSWITCH fetches ``sofia.conf`` at load without a ``profile`` field (answer
"not found": the static files start every profile), then once per profile
(``launch_sofia_worker_thread``, ``profile=<name>``) and on ``start``,
``rescan``, ``restart``, ``startgw`` (``reconfig=true``, ``gateway=<name>``
for startgw). Only the external profile's fetches get this document.
"""
from kzcore import fsxml

DESCRIPTION = "sofia Endpoint"
GLOBAL_SETTINGS = (("log-level", "0"), ("debug-presence", "0"))
# The same settings as fs_conf/sip_profiles/external.xml (a unit test compares them):
# carriers' calls arrive here (no device registers), our calls leave through its gateways.
EXTERNAL_SETTINGS = (
    ("context", "default"), ("dialplan", "XML"),
    ("sip-port", "$${external_sip_port}"), ("sip-ip", "$${local_ip_v4}"),
    ("rtp-ip", "$${local_ip_v4}"), ("ext-sip-ip", "$${external_ip}"),
    ("ext-rtp-ip", "$${external_ip}"), ("auth-calls", "false"),
    ("inbound-codec-prefs", "$${global_codec_prefs}"),
    ("outbound-codec-prefs", "$${outbound_codec_prefs}"),
    ("inbound-codec-negotiation", "generous"), ("dtmf-type", "rfc2833"),
    ("rfc2833-pt", "101"), ("rtp-timer-name", "soft"), ("manage-presence", "false"),
    ("tls", "false"),
)


def _params(pairs):
    return [("param", [("name", name), ("value", value)], []) for name, value in pairs]


def gateway_element(gateway):
    """``<gateway name=...>`` for a ``kzcore.carriers.Gateway``."""
    return ("gateway", [("name", gateway.name)], _params(gateway.params))


def sofia_configuration(profile_name, gateways, settings=EXTERNAL_SETTINGS):
    """The whole document for one profile and its gateways."""
    profile = ("profile", [("name", profile_name)], [
        ("aliases", [], []),
        ("gateways", [], [gateway_element(g) for g in gateways]),
        ("domains", [], []),
        ("settings", [], _params(settings)),
    ])
    configuration = ("configuration", [("name", "sofia.conf"), ("description", DESCRIPTION)], [
        ("global_settings", [], _params(GLOBAL_SETTINGS)),
        ("profiles", [], [profile]),
    ])
    return fsxml.document("configuration", [configuration])


def wants_profile(params, profile_name):
    """True for a sofia.conf fetch of ``profile_name`` (the form fields of the request)."""
    return params.get("section") == "configuration" and params.get("key_value") == "sofia.conf" \
        and params.get("profile") == profile_name
