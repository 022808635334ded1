"""docker-compose.yml, fs_conf/ and the code must agree: services, commands,
ports, volumes and every environment variable (kzcore.config.SETTINGS for the
Python services, the env-set variables of fs_conf/vars.xml for FreeSWITCH)."""
import configparser
import pathlib
import re
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from urllib.parse import urlparse

import pytest
import yaml

from kzcore.config import SETTINGS, load_config, parse_esl_nodes

REPO = pathlib.Path(__file__).resolve().parents[2]
FS_CONF = REPO / "fs_conf"
PYTHON_SERVICES = {"crossbar", "ecallmgr", "blackhole", "callin", "webhooks", "lifecycle",
                   "transcribe", "couchdb-init"}
ALL_SERVICES = PYTHON_SERVICES | {"freeswitch", "couchdb", "rabbitmq"}
SETTING_VARS = {spec[0] for spec in SETTINGS.values()}
SUBST = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)(?::?[-?][^}]*)?\}")
SAMPLE_ENV = {"ESL_PASSWORD": "esl-secret", "COUCHDB_PASSWORD": "couch-secret",
              "RABBITMQ_PASSWORD": "rabbit-secret", "KZ_TOKEN_SECRET": "token-secret",
              "XMLCURL_CREDENTIALS": "freeswitch:xml-secret"}
REQUIRED_SECRETS = set(SAMPLE_ENV)


def substitute(value):
    """Compose's ${VAR}, ${VAR:-default}, ${VAR:?error} with SAMPLE_ENV."""
    def repl(match):
        name, text = match.group(1), match.group(0)
        if name in SAMPLE_ENV:
            return SAMPLE_ENV[name]
        default = re.match(r"\$\{[A-Z0-9_]+:-([^}]*)\}", text)
        return default.group(1) if default else ""
    return SUBST.sub(repl, str(value))


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose):
    return compose["services"]


def env(service):
    return {k: substitute(v) for k, v in (service.get("environment") or {}).items()}


def fs_vars():
    """Pre-processing variables of fs_conf/vars.xml: (env-set name -> ENV var, set values)."""
    env_set, plain = {}, {}
    for pre in ET.parse(FS_CONF / "vars.xml").getroot().iter("X-PRE-PROCESS"):
        name, _, value = pre.get("data").partition("=")
        if pre.get("cmd") == "env-set":
            env_set[name] = value.lstrip("$")
        else:
            plain[name] = value
    return env_set, plain


def params(path):
    return {p.get("name"): p.get("value") for p in ET.parse(FS_CONF / path).getroot().iter("param")}


def published(service):
    """Container ports published: {(port, protocol)} (ranges expanded)."""
    out = set()
    for spec in service.get("ports") or []:
        spec, _, proto = str(spec).partition("/")
        container = spec.rsplit(":", 1)[-1]
        low, _, high = container.partition("-")
        for port in range(int(low), int(high or low) + 1):
            out.add((port, proto or "tcp"))
    return out


def console_scripts():
    parser = configparser.ConfigParser()
    parser.read(REPO / "setup.cfg")
    lines = parser["options.entry_points"]["console_scripts"].strip().splitlines()
    return {line.split("=")[0].strip(): line.split("=")[1].strip() for line in lines}


def test_every_service_is_there_with_a_healthcheck(services):
    assert set(services) == ALL_SERVICES
    for name, service in services.items():
        assert "healthcheck" in service, name
        for dependency in service.get("depends_on") or {}:
            assert dependency in services, (name, dependency)


def test_python_services_use_only_configuration_names_of_the_code(services):
    for name in PYTHON_SERVICES:
        variables = env(services[name])
        unknown = set(variables) - SETTING_VARS
        assert not unknown, (name, unknown)
        config = load_config(env=variables)          # every value has the right type
        assert config.store == "couchdb"
        assert urlparse(config.couch_url).hostname == "couchdb"
        assert urlparse(config.couch_url).port == 5984
        amqp = urlparse(config.amqp_url)
        assert (amqp.scheme, amqp.hostname, amqp.port) == ("amqp", "rabbitmq", 5672)
        assert config.couch_password == SAMPLE_ENV["COUCHDB_PASSWORD"]


def test_commands_are_console_scripts_or_the_wsgi_app(services):
    scripts = console_scripts()
    for name in PYTHON_SERVICES - {"crossbar", "couchdb-init"}:
        command = services[name]["command"]
        assert command[0] in scripts, (name, command)
    crossbar = services["crossbar"]["command"]
    assert crossbar[0] == "gunicorn"
    assert crossbar[crossbar.index("--worker-class") + 1] == "gevent"
    module, _, attribute = crossbar[-1].partition(":")
    source = (REPO / (module.replace(".", "/") + ".py")).read_text()
    assert re.search(rf"^{attribute} = ", source, re.M), crossbar[-1]
    bind = crossbar[crossbar.index("--bind") + 1]
    listen = load_config(env=env(services["crossbar"]))
    assert bind == f"{listen.listen_host}:{listen.listen_port}"
    assert (listen.listen_port, "tcp") in published(services["crossbar"])


def test_ports_match_the_configuration(services):
    blackhole = load_config(env=env(services["blackhole"]))
    assert (blackhole.blackhole_port, "tcp") in published(services["blackhole"])
    callin = load_config(env=env(services["callin"]))
    assert callin.callin_host == "0.0.0.0"
    fs_env = env(services["freeswitch"])
    host, _, port = fs_env["CALLIN_SOCKET"].partition(":")
    assert (host, int(port)) == ("callin", callin.callin_port)
    assert not published(services["callin"])           # only FreeSWITCH connects to it


def test_esl_nodes_point_at_the_event_socket_fs_conf_opens(services):
    esl = params("autoload_configs/event_socket.conf.xml")
    assert esl["password"] == "$${esl_password}"
    env_set, _ = fs_vars()
    assert env_set["esl_password"] == "ESL_PASSWORD"
    for name in ("crossbar", "ecallmgr", "callin", "blackhole", "lifecycle"):
        nodes = parse_esl_nodes(env(services[name])["KZ_ESL_NODES"])
        assert [(n.host, n.port, n.password) for n in nodes] == \
            [("freeswitch", int(esl["listen-port"]), SAMPLE_ENV["ESL_PASSWORD"])]
    assert (int(esl["listen-port"]), "tcp") not in published(services["freeswitch"])


def test_freeswitch_environment_is_exactly_what_fs_conf_reads(services):
    freeswitch = services["freeswitch"]
    env_set, _ = fs_vars()
    assert set(env(freeswitch)) == set(env_set.values())
    assert "./fs_conf:/etc/freeswitch:ro" in freeswitch["volumes"]
    xmlcurl = ET.parse(FS_CONF / "autoload_configs/xml_curl.conf.xml").getroot()
    gateway = xmlcurl.find(".//param[@name='gateway-url']")
    assert gateway.get("value") == "$${xmlcurl_url}"
    assert set(gateway.get("bindings").split("|")) == {"configuration", "directory", "dialplan"}
    url = urlparse(env(freeswitch)["XMLCURL_URL"])
    crossbar = load_config(env=env(services["crossbar"]))
    assert (url.hostname, url.port) == ("crossbar", crossbar.listen_port)
    from crossbar.xmlcurl import create_blueprint
    from flask import Flask
    app = Flask("probe")
    app.register_blueprint(create_blueprint(None, None))
    assert url.path in {rule.rule for rule in app.url_map.iter_rules()}
    assert env(freeswitch)["XMLCURL_CREDENTIALS"] == crossbar.xmlcurl_credentials
    dialplan = (FS_CONF / "dialplan/default.xml").read_text()
    assert 'application="socket" data="$${callin_socket} async full"' in dialplan


def test_sip_and_rtp_ports_are_published(services):
    _, plain = fs_vars()
    ports = published(services["freeswitch"])
    sip = int(plain["internal_sip_port"])
    assert {(sip, "udp"), (sip, "tcp")} <= ports
    profile = params("sip_profiles/internal.xml")
    assert profile["sip-port"] == "$${internal_sip_port}"
    carriers = int(plain["external_sip_port"])      # the external profile (carriers)
    assert {(carriers, "udp"), (carriers, "tcp")} <= ports
    assert params("sip_profiles/external.xml")["sip-port"] == "$${external_sip_port}"
    rtp = range(int(plain["rtp_start_port"]), int(plain["rtp_end_port"]) + 1)
    assert all((port, "udp") in ports for port in rtp)


def test_recordings_are_one_volume_at_one_path(compose, services):
    _, plain = fs_vars()
    path = plain["recordings_dir"]
    assert f"recordings:{path}" in services["freeswitch"]["volumes"]
    for name in ("crossbar", "callin", "transcribe"):
        assert load_config(env=env(services[name])).recordings_dir == path
        assert f"recordings:{path}" in services[name]["volumes"]
    used = {str(v).split(":")[0] for s in services.values() for v in s.get("volumes") or []
            if not str(v).startswith((".", "/"))}
    assert used == set(compose["volumes"])


def loaded_modules():
    return {m.get("module") for m in
            ET.parse(FS_CONF / "autoload_configs/modules.conf.xml").getroot().iter("load")}


def dockerfile_arg(name):
    text = (REPO / "Dockerfile").read_text().replace("\\\n", " ")
    match = re.search(rf'^ARG {name}=(?:"([^"]*)"|(\S+))', text, re.M)
    return (match.group(1) or match.group(2)).split()


def test_modules_needed_by_this_system_are_loaded():
    assert {"mod_xml_curl", "mod_event_socket", "mod_sofia", "mod_conference", "mod_dptools",
            "mod_commands", "mod_dialplan_xml", "mod_local_stream", "mod_tone_stream",
            "mod_sndfile", "mod_loopback", "mod_flite"} <= loaded_modules()


def test_the_freeswitch_image_installs_every_loaded_module(services):
    freeswitch = services["freeswitch"]
    assert freeswitch["image"] == "${FREESWITCH_IMAGE:-kazoo-freeswitch:1.10}"   # pinned, overridable
    assert freeswitch["build"]["target"] == "freeswitch"
    dockerfile = (REPO / "Dockerfile").read_text()
    assert re.search(r"^FROM \S+ AS freeswitch$", dockerfile, re.M)
    assert dockerfile_arg("FS_SERIES") == ["1.10"]
    packaged = {"mod_" + name.replace("-", "_") for name in dockerfile_arg("FS_MODULES")}
    missing = loaded_modules() - packaged
    assert not missing, f"the Dockerfile's freeswitch stage does not install {sorted(missing)}"
    assert re.findall(r"^FROM .*$", dockerfile, re.M)[-1].startswith("FROM python:")  # default target


def test_build_secret_comes_from_the_environment(compose, services):
    for secret in services["freeswitch"]["build"]["secrets"]:
        assert secret in compose["secrets"]
        assert "/run/secrets/" + secret in (REPO / "Dockerfile").read_text()


def test_every_fs_conf_file_parses_and_secrets_are_documented(compose):
    for path in FS_CONF.rglob("*.xml"):
        ET.parse(path)
    referenced = set(SUBST.findall((REPO / "docker-compose.yml").read_text()))
    referenced |= {spec["environment"] for spec in compose["secrets"].values()}
    deploy = (REPO / "docs" / "DEPLOY.md").read_text()
    missing = {name for name in referenced if name not in deploy}
    assert not missing, f"docs/DEPLOY.md does not explain {sorted(missing)}"


def test_secrets_are_required_never_defaulted():
    text = (REPO / "docker-compose.yml").read_text()
    uses = re.findall(r"\$\{([A-Z_][A-Z0-9_]*)(:?[-?])?[^}]*\}", text)
    for name in REQUIRED_SECRETS:
        forms = {form for used, form in uses if used == name}
        assert forms == {":?"}, (name, forms)      # compose refuses to start without it


def test_xml_curl_credentials_are_the_same_on_both_ends(services):
    freeswitch, crossbar = env(services["freeswitch"]), env(services["crossbar"])
    assert freeswitch["XMLCURL_CREDENTIALS"] == SAMPLE_ENV["XMLCURL_CREDENTIALS"]
    assert load_config(env=crossbar).xmlcurl_credentials == SAMPLE_ENV["XMLCURL_CREDENTIALS"]
    env_set, _ = fs_vars()
    assert env_set["xmlcurl_credentials"] == "XMLCURL_CREDENTIALS"
    binding = params("autoload_configs/xml_curl.conf.xml")
    assert binding["gateway-credentials"] == "$${xmlcurl_credentials}"
    assert binding["auth-scheme"] == "basic"           # what crossbar.xmlcurl checks


# service -> (the port setting its health check asks, the path), see kzcore.healthcheck
HEALTH_ENDPOINTS = {"crossbar": ("listen_port", "/health"), "blackhole": ("blackhole_port", "/ready"),
                    "ecallmgr": ("ecallmgr_health_port", "/ready"),
                    "callin": ("callin_health_port", "/ready"),
                    "webhooks": ("webhooks_health_port", "/ready"),
                    "lifecycle": ("lifecycle_health_port", "/ready"),
                    "transcribe": ("transcribe_health_port", "/ready")}


def run_healthcheck(service, port):
    """The service's compose health check, run here against ``port``."""
    test = service["healthcheck"]["test"]
    assert test[:4] == ["CMD", "python", "-m", "kzcore.healthcheck"], test
    setting = test[4]
    variables = dict(env(service), PATH="/usr/bin:/bin", PYTHONPATH=str(REPO),
                     **{SETTINGS[setting][0]: str(port)})
    return subprocess.run([sys.executable, *test[2:]], env=variables, capture_output=True,
                          text=True, timeout=30)


def served_paths(app):
    """The paths ``app`` (a kzcore.health.HealthApp) answers other than 404."""
    from werkzeug.test import Client
    return {path for path in ("/health", "/ready", "/metrics", "/nope")
            if Client(app).get(path).status_code != 404}


@pytest.mark.parametrize("name", sorted(HEALTH_ENDPOINTS))
def test_healthchecks_ask_the_services_own_endpoints(services, name):
    """Each Python service's check asks its own /ready (crossbar: /health, see the
    compose file) on the port its configuration gives it, never a published one."""
    from kzcore.health import HealthApp, serve_health
    setting, path = HEALTH_ENDPOINTS[name]
    test = services[name]["healthcheck"]["test"]
    assert test[4:] == [setting] + ([path] if path != "/ready" else [])
    config = load_config(env=env(services[name]))
    assert getattr(config, setting) > 0
    assert path in served_paths(HealthApp(name))
    closed = socket.create_server(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()
    nobody = run_healthcheck(services[name], closed_port)
    assert nobody.returncode != 0 and "no answer" in nobody.stderr
    state = {"ready": False}
    server = serve_health(HealthApp(name, checks={
        "dependency": lambda: (state["ready"], {"missing": [] if state["ready"] else ["x"]})}),
        "127.0.0.1", 0)
    try:
        first = run_healthcheck(services[name], server.server_port)
        if path == "/ready":
            assert first.returncode != 0 and '"missing": ["x"]' in first.stderr
        state["ready"] = True
        ready = run_healthcheck(services[name], server.server_port)
        assert ready.returncode == 0, ready.stderr
    finally:
        server.stop(timeout=1)


def test_every_python_service_has_a_health_endpoint(services):
    """A service added later (e.g. kz-transcribe) must come with its /ready: a
    ``<service>/observability.py`` (kzcore.health), a ``KZ_<SERVICE>_HEALTH_PORT``
    and a compose health check (docs/DEPLOY.md, "Health, readiness and metrics")."""
    assert PYTHON_SERVICES - {"couchdb-init"} == set(HEALTH_ENDPOINTS)


def test_health_ports_are_private(services):
    for name in ("ecallmgr", "callin", "webhooks", "lifecycle", "transcribe"):
        config = load_config(env=env(services[name]))
        port = getattr(config, HEALTH_ENDPOINTS[name][0])
        assert getattr(config, f"{name}_health_host") == "0.0.0.0"
        assert (port, "tcp") not in published(services[name])


def test_ecallmgr_runs_as_an_active_standby_pair(services):
    ecallmgr = services["ecallmgr"]
    assert ecallmgr["deploy"]["replicas"] >= 2
    config = load_config(env=env(ecallmgr))
    assert config.ecallmgr_ha is True
    assert "KZ_NODE_NAME" not in env(ecallmgr)       # each replica: ecallmgr@<hostname>
    assert "container_name" not in ecallmgr
