"""One sounds directory and the call-in secret, end to end in the shipped configuration:
docker-compose.yml, fs_conf/, the Dockerfile's FreeSWITCH stage and the code agree.

- KZ_FS_SOUNDS_DIR (crossbar's xml_curl profiles, call-in's prompts) and FreeSWITCH's
  FS_SOUNDS_DIR (fs_conf/vars.xml -> $${sounds_dir}) are one value in docker-compose.
- local_stream://moh reads directories under $${sounds_dir} that the image makes sure
  exist; the image build fails when a call-in prompt or the music is missing (the
  check itself is run here against a fake sounds tree).
- The dialplan sets callin_secret before `socket`, from the same .env value the
  call-in service compares with; the call-in port is reachable by FreeSWITCH only.
"""
import pathlib
import re
import subprocess
import xml.etree.ElementTree as ET

import pytest
import yaml

from callin import prompts
from callin.cli import build_server
from callin.guard import SECRET_VARIABLE
from kzcore import naming
from kzcore.config import load_config
from kzcore.store.embedded import EmbeddedStore
from tests.unit.test_compose import dockerfile_arg, env, fs_vars

REPO = pathlib.Path(__file__).resolve().parents[2]
FS_CONF = REPO / "fs_conf"


@pytest.fixture(scope="module")
def services():
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"]


def test_one_sounds_directory_for_crossbar_callin_and_freeswitch(services):
    env_set, _ = fs_vars()
    assert env_set["sounds_dir"] == "FS_SOUNDS_DIR" and env_set["sound_prefix"] == "FS_SOUNDS_DIR"
    switch_dir = env(services["freeswitch"])["FS_SOUNDS_DIR"]
    assert switch_dir == "/usr/share/freeswitch/sounds"      # the Debian packages' sounds_dir
    for name in ("crossbar", "callin"):
        assert load_config(env=env(services[name])).fs_sounds_dir == switch_dir
    compose = (REPO / "docker-compose.yml").read_text()
    assert set(re.findall(r"\$\{FS_SOUNDS_DIR:-([^}]*)\}", compose)) == {switch_dir}


def test_the_setting_reaches_crossbars_profiles_and_callins_prompts(tmp_path):
    from crossbar.xmlcurl import create_blueprint
    from flask import Flask
    config = load_config(env={"KZ_FS_SOUNDS_DIR": "/srv/sounds", "KZ_CALLIN_PORT": "0",
                              "KZ_RECORDINGS_DIR": str(tmp_path)})
    store = EmbeddedStore(":memory:")
    account, conference = "ab" * 16, "cd" * 16
    store.save(naming.account_db(account), {"_id": conference, "pvt_type": "conference",
                                            "language": "fr-ca"})
    app = Flask("probe")
    app.register_blueprint(create_blueprint(store, config))
    answer = app.test_client().post("/fsxml", data={
        "section": "configuration", "key_value": "conference.conf", "profile_name": "default",
        "conference_name": naming.fs_conference_name(account, conference)},
        environ_base={"REMOTE_ADDR": "127.0.0.1"})
    served = {p.get("name"): p.get("value") for p in ET.fromstring(answer.data).iter("param")}
    assert served["sound-prefix"] == "/srv/sounds/fr/ca/june"
    server = build_server(config, store)
    try:
        assert server.options.sounds_dir == "/srv/sounds"
        assert prompts.prompt("enter_pin", None, server.options.sounds_dir) == \
            "/srv/sounds/en/us/callie/conference/conf-enter_conf_pin.wav"
    finally:
        store.close()


def test_music_on_hold_is_under_the_sounds_directory():
    root = ET.parse(FS_CONF / "autoload_configs/local_stream.conf.xml").getroot()
    streams = {d.get("name"): d.get("path") for d in root.iter("directory")}
    assert streams == {"default": "$${sounds_dir}/music/8000",
                       "moh/8000": "$${sounds_dir}/music/8000",
                       "moh/16000": "$${sounds_dir}/music/16000"}
    _, plain = fs_vars()
    assert plain["hold_music"] == "local_stream://moh"


def image_check_script():
    """The RUN line of the freeswitch stage that checks prompts and music."""
    text = (REPO / "Dockerfile").read_text()
    start = text.index("RUN set -eu; sounds=/usr/share/freeswitch/sounds;")
    lines = []
    for line in text[start + len("RUN "):].splitlines():
        lines.append(line.rstrip("\\").rstrip())
        if not line.endswith("\\"):
            break
    return " ".join(lines)


def fake_sounds(root, music_layout, missing=()):
    for prompt in prompts.FILES.values():
        folder, _, name = prompt.partition("/")
        if prompt not in missing:
            path = root / "en/us/callie" / folder / "8000" / name     # the packages' layout
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"RIFF")
    for rate in ("8000", "16000"):
        music = root / "music" / music_layout.format(rate=rate)
        music.mkdir(parents=True, exist_ok=True)
        (music / "suite-espanola.wav").write_bytes(b"RIFF")


def run_check(root):
    script = image_check_script().replace("/usr/share/freeswitch/sounds", str(root))
    prompts_arg = " ".join(dockerfile_arg("CALLIN_PROMPTS"))
    return subprocess.run(["sh", "-c", script], env={"CALLIN_PROMPTS": prompts_arg, "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=30)


def test_the_image_checks_every_callin_prompt():
    assert {f"{p}.wav" for p in dockerfile_arg("CALLIN_PROMPTS")} == set(prompts.FILES.values())


@pytest.mark.parametrize("layout", ["{rate}", "default/{rate}"])
def test_the_image_check_passes_and_links_music_for_either_package_layout(tmp_path, layout):
    fake_sounds(tmp_path, layout)
    result = run_check(tmp_path)
    assert result.returncode == 0, result.stderr
    for rate in ("8000", "16000"):
        assert (tmp_path / "music" / rate / "suite-espanola.wav").is_file()


def test_the_image_check_fails_on_a_missing_prompt_or_music(tmp_path):
    fake_sounds(tmp_path / "a", "{rate}", missing={prompts.FILES["enter_pin"]})
    result = run_check(tmp_path / "a")
    assert result.returncode != 0 and "conf-enter_conf_pin missing" in result.stderr
    fake_sounds(tmp_path / "b", "elsewhere/{rate}")
    result = run_check(tmp_path / "b")
    assert result.returncode != 0 and "no music on hold" in result.stderr


def test_the_dialplan_hands_the_secret_to_the_callin_service(services):
    dialplan = ET.parse(FS_CONF / "dialplan/default.xml").getroot()
    actions = [(a.get("application"), a.get("data"))
               for a in dialplan.find(".//extension[@name='kazoo_callin']").iter("action")]
    secret_at = actions.index(("set", f"{SECRET_VARIABLE}=$${{callin_secret}}"))
    socket_at = [app for app, _ in actions].index("socket")
    assert secret_at < socket_at
    assert not SECRET_VARIABLE.startswith(("kz_", "ecallmgr_"))   # never a published CCV
    env_set, _ = fs_vars()
    assert env_set["callin_secret"] == "CALLIN_SECRET"
    compose = (REPO / "docker-compose.yml").read_text()
    assert "CALLIN_SECRET: ${CALLIN_SECRET:?" in compose
    assert "KZ_CALLIN_SECRET: ${CALLIN_SECRET:?" in compose


def test_the_callin_service_allows_the_freeswitch_service_only(services):
    config = load_config(env=env(services["callin"]))
    assert config.callin_allowed_peers.split(",") == ["freeswitch"]
    assert "freeswitch" in services                               # the compose service name
