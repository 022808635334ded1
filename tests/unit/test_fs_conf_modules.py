"""Every module fs_conf loads finds the configuration file it reads at load time.

A module that opens ``<name>.conf`` asks mod_xml_curl first (our binding covers
``configuration``); crossbar answers "not found" for everything but conference.conf,
and FreeSWITCH then reads the static ``autoload_configs/`` file (round2 README:
post_load_modules.conf, event_socket.conf, acl.conf, post_load_switch.conf were all
answered "not found" at boot and the switch carried on with its static files). With
no static file either, the module fails: round 4 saw ``open of http_cache.conf failed``
/ ``Module load routine returned an error``, ``Could not open db.conf`` and
``Opening of opus.conf failed``.

CONF_FILES says, per module, which file its load routine opens. Source: signalwire/
freeswitch master, ``switch_xml_open_cfg`` / ``switch_xml_config_parse_module_settings``
calls in src/mod/<kind>/<module>/*.c (read through the search tool's mirror of the
repository); None = the module opens no file, or its file is optional (opened only
"if present": mod_hash hash.conf, mod_loopback loopback.conf, mod_sndfile sndfile.conf,
mod_dptools ivr.conf only for an ivr menu).
"""
import xml.etree.ElementTree as ET

import pytest

from crossbar.xmlcurl.service import XmlCurlService
from kzcore import fsxml
from tests.support.paths import REPO

FS_CONF = REPO / "fs_conf"

CONF_FILES = {
    "mod_console": "console.conf",            # mod_console.c: "Open of %s failed" -> TERM
    "mod_logfile": "logfile.conf",            # mod_logfile.c: "Open of %s failed"
    "mod_xml_curl": "xml_curl.conf",          # mod_xml_curl.c: "open of %s failed" -> TERM
    "mod_event_socket": "event_socket.conf",  # mod_event_socket.c: "Open of %s failed"
    "mod_sofia": "sofia.conf",                # sofia.c: "Open of %s failed"
    "mod_loopback": None,                     # loopback.conf optional
    "mod_commands": None,
    "mod_conference": "conference.conf",      # mod_conference.c: "Open of %s failed"
    "mod_db": "db.conf",                      # mod_db.c: "No config file found" (warning)
    "mod_dptools": None,                      # ivr.conf only when an ivr menu runs
    "mod_expr": None,
    "mod_hash": None,                         # hash.conf optional (remotes)
    "mod_http_cache": "http_cache.conf",      # mod_http_cache.c: "open of %s failed" -> TERM
    "mod_dialplan_xml": None,                 # reads the dialplan section, not a .conf
    "mod_g723_1": None,
    "mod_g729": None,
    "mod_opus": "opus.conf",                  # mod_opus.c: "Opening of %s failed"
    "mod_sndfile": None,                      # sndfile.conf optional
    "mod_shout": "shout.conf",                # mod_shout.c: "Open of %s failed"
    "mod_native_file": None,
    "mod_local_stream": "local_stream.conf",  # mod_local_stream.c: "Open of %s failed"
    "mod_tone_stream": None,
    "mod_flite": None,
    "mod_say_en": None,
}


def loaded_modules():
    root = ET.parse(FS_CONF / "autoload_configs/modules.conf.xml").getroot()
    return [load.get("module") for load in root.iter("load")]


def shipped_configurations():
    return {ET.parse(path).getroot().get("name") for path in (FS_CONF / "autoload_configs").glob("*.xml")}


def test_every_loaded_module_is_classified():
    unknown = [module for module in loaded_modules() if module not in CONF_FILES]
    assert not unknown, (f"modules.conf.xml loads {unknown}: add them to CONF_FILES with the "
                         "configuration file their load routine opens (or None)")


def test_every_loaded_module_has_its_configuration_file():
    shipped = shipped_configurations()
    missing = {module: CONF_FILES[module] for module in loaded_modules()
               if CONF_FILES.get(module) and CONF_FILES[module] not in shipped}
    assert not missing, f"fs_conf/autoload_configs ships no configuration for {missing}"


def test_media_modules_are_loaded():
    """What media playback needs: mod_http_cache fetches http_cache:// URLs, mod_sndfile and
    mod_shout play the .wav and .mp3 it saves; mod_httapi (bare http://) is not loaded."""
    modules = loaded_modules()
    assert {"mod_http_cache", "mod_sndfile", "mod_shout"} <= set(modules)
    assert "mod_httapi" not in modules


def test_http_cache_leaves_bare_http_alone_and_fails_fast():
    settings = {param.get("name"): param.get("value") for param in
                ET.parse(FS_CONF / "autoload_configs/http_cache.conf.xml").getroot().iter("param")}
    assert settings["enable-file-formats"] == "false"
    assert int(settings["max-urls"]) > 0 and int(settings["default-max-age"]) > 0
    assert settings["location"].startswith("$${cache_dir}")  # writable, not the read-only conf mount
    assert int(settings["connect-timeout"]) <= 10 and int(settings["download-timeout"]) <= 60


@pytest.mark.parametrize("module", sorted(m for m, conf in CONF_FILES.items() if conf))
def test_xml_curl_answers_not_found_so_the_static_file_is_used(module):
    """crossbar answers the not-found document for every module configuration (and for
    conference.conf when no room of ours is named), so FreeSWITCH reads the static file."""
    answer = XmlCurlService(store=None).answer({"section": "configuration", "tag_name": "configuration",
                                                "key_name": "name", "key_value": CONF_FILES[module]})
    assert answer == fsxml.not_found()
