"""kzcore.fsxml against the mod_xml_curl answers real FreeSWITCH accepted."""
import pathlib
import xml.etree.ElementTree as ET

from kzcore import fsxml
from tests.support.paths import fs_fixture

FS_CONF = pathlib.Path(__file__).resolve().parents[2] / "fs_conf"


def paths(xml_text):
    """Every element path with its attribute names: the document's structure."""
    root = ET.fromstring(xml_text.encode() if isinstance(xml_text, str) else xml_text)
    found = set()

    def walk(element, prefix):
        path = f"{prefix}/{element.tag}"
        found.add((path, tuple(sorted(element.attrib))))
        for child in element:
            walk(child, path)
    walk(root, "")
    return found


def test_not_found_is_byte_identical_to_the_recorded_answer():
    recorded = fs_fixture("round3/xmlcurl_005_directory_user_exists_1998_not_found.response.xml")
    assert fsxml.not_found().encode() == recorded
    assert fs_fixture("round2/xmlcurl_013_configuration_conference.conf_room8_default.response.xml") == recorded


def test_a1_hash_matches_the_hash_freeswitch_accepted():
    assert fsxml.a1_hash("1001", "rig.test", "pw-1001-secret") == "9bf146429b9fe505c74a4f834426f8e6"


def test_directory_user_has_the_recorded_structure_and_values():
    recorded = fs_fixture("round3/xmlcurl_001_directory_sip_auth_register_1000.response.xml")
    ours = fsxml.directory_user("rig.test", "1000", [("password", "pw-1000-secret")],
                                [("user_context", "default"), ("device_owner", "alice"),
                                 ("device_label", "Alice desk phone")])
    assert ours.encode() == recorded
    hashed = fsxml.directory_user("rig.test", "1001", [("a1-hash", "x")], [("user_context", "default")])
    assert paths(hashed) == paths(recorded)
    domain = ET.fromstring(hashed).find("section/domain")
    assert domain.get("name") == "rig.test"
    assert domain.find("params/param").attrib == {"name": "dial-string", "value": fsxml.VANILLA_DIAL_STRING}
    assert domain.find("groups/group/users/user").get("id") == "1001"


def test_conference_configuration_matches_the_recorded_dynamic_profile():
    recorded = fs_fixture("round2/xmlcurl_009_configuration_conference.conf_room7_dynprofile_first_join.response.xml")
    root = ET.fromstring(recorded)
    profile = root.find("section/configuration/profiles/profile")
    params = [(p.get("name"), p.get("value")) for p in profile.findall("param")]
    group = root.find("section/configuration/caller-controls/group")
    controls = [(c.get("action"), c.get("digits")) for c in group.findall("control")]
    ours = fsxml.conference_configuration(profile.get("name"), params, {group.get("name"): controls})
    assert ours.encode() == recorded


def test_profile_merges_defaults_document_and_profile_object():
    doc = {"language": "fr-ca", "max_participants": 12, "wait_for_moderator": True,
           "profile": {"rate": 16000, "energy-level": 300, "rm": "-rf", "enter-sound": "tone_stream://%(1,0,2)",
                       "conference-flags": "audio-always"}}
    params = dict(fsxml.conference_profile_params(doc, "/snd"))
    assert params["rate"] == "16000" and params["energy-level"] == "300"
    assert params["max-members"] == "12"
    assert params["enter-sound"] == "tone_stream://%(1,0,2)"
    assert params["exit-sound"] == fsxml.KAZOO_EXIT_TONE
    assert params["sound-prefix"] == "/snd/fr/ca/june"
    assert params["conference-flags"] == "audio-always|wait-mod"
    assert "rm" not in params
    assert params["caller-controls"] == fsxml.CALLER_GROUP


def test_control_groups_default_to_kazoo_map_and_drop_unknown_actions():
    doc = {"caller_controls": "mine",
           "controls": {"mine": [{"action": "mute", "digits": "0"}, {"action": "system", "digits": "1"},
                                 {"action": "hangup", "digits": "##\n"}]}}
    params = fsxml.conference_profile_params(doc)
    groups = fsxml.control_groups(doc, params)
    assert groups["mine"] == [("mute", "0")]
    assert groups[fsxml.MODERATOR_GROUP][:6] == [("mute", "*1"), ("mute on", "*2"), ("mute off", "*3"),
                                                  ("deaf", "*4"), ("deaf on", "*5"), ("deaf off", "*6")]
    assert ("hangup", "#") in groups[fsxml.MODERATOR_GROUP]
    xml = fsxml.conference_configuration("default", params, groups)
    assert paths(xml) >= paths(fs_fixture(
        "round2/xmlcurl_010_configuration_conference.conf_room7_request-controls.response.xml"))


def test_values_are_escaped_and_languages_fall_back():
    xml = fsxml.directory_user("d.test", "u", [("password", 'a"<&>b')], [])
    user = ET.fromstring(xml).find("section/domain/groups/group/users/user/params/param")
    assert user.get("value") == 'a"<&>b'
    assert fsxml.voice_dir("xx-yy") == fsxml.DEFAULT_VOICE
    assert fsxml.voice_dir("fr") == "fr/ca/june"
    assert not fsxml.valid_profile_name("a b") and fsxml.valid_profile_name("default")


def test_profiles_speak_tts_with_flite_at_the_profile_rate():
    narrow = dict(fsxml.conference_profile_params({}))
    assert (narrow["tts-engine"], narrow["tts-voice"]) == ("flite", "kal")
    wide = dict(fsxml.conference_profile_params({"profile": {"rate": 16000}}))
    assert (wide["tts-engine"], wide["tts-voice"]) == ("flite", "kal16")
    chosen = dict(fsxml.conference_profile_params({"profile": {"rate": 16000, "tts-voice": "slt"}}))
    assert chosen["tts-voice"] == "slt"
    other = dict(fsxml.conference_profile_params({"profile": {"tts-engine": "unimrcp"}}))
    assert other["tts-engine"] == "unimrcp" and "tts-voice" not in other
    served = ET.fromstring(fsxml.conference_configuration("p", list(wide.items()), {}))
    params = {p.get("name"): p.get("value") for p in served.iter("param")}
    assert (params["tts-engine"], params["tts-voice"]) == ("flite", "kal16")


def test_static_fallback_profiles_match_the_served_tts_settings():
    conf = ET.parse(FS_CONF / "autoload_configs/conference.conf.xml").getroot()
    for profile in conf.iter("profile"):
        params = {p.get("name"): p.get("value") for p in profile.iter("param")}
        assert params["tts-engine"] == fsxml.TTS_ENGINE, profile.get("name")
        assert params["tts-voice"] == fsxml.flite_voice(params["rate"]), profile.get("name")
    modules = {m.get("module") for m in
               ET.parse(FS_CONF / "autoload_configs/modules.conf.xml").getroot().iter("load")}
    assert "mod_flite" in modules


def test_entry_and_exit_tones_follow_play_entry_tone_and_play_exit_tone():
    """Kazoo's conf_config_req: false removes the profile's sound (a room without one
    plays none), a string is the sound, unless the profile object names one."""
    silent = dict(fsxml.conference_profile_params({"play_entry_tone": False,
                                                   "play_exit_tone": False}))
    assert "enter-sound" not in silent and "exit-sound" not in silent
    toned = dict(fsxml.conference_profile_params({"play_entry_tone": "%(100,0,900)",
                                                  "play_exit_tone": "goodbye.wav"}))
    assert toned["enter-sound"] == "tone_stream://%(100,0,900)"
    assert toned["exit-sound"] == "goodbye.wav"          # under the profile's sound-prefix
    explicit = dict(fsxml.conference_profile_params({
        "play_entry_tone": "%(100,0,900)", "profile": {"enter-sound": "tone_stream://%(1,0,2)"}}))
    assert explicit["enter-sound"] == "tone_stream://%(1,0,2)"
    kept = dict(fsxml.conference_profile_params({"play_entry_tone": True}))
    assert kept["enter-sound"] == fsxml.KAZOO_ENTRY_TONE
