"""docker-compose.scale.yml over docker-compose.yml, merged as Compose merges
files, must agree with the code and with deploy/: every service there with a
health check, two instances of each of ours behind the load balancer, whose
checks ask each instance's /ready on the port it really listens on; two
FreeSWITCH nodes known to every service; a 3-node RabbitMQ cluster whose durable
queues (webhooks, lifecycle, transcribe) are quorum queues; a 3-node CouchDB cluster; every variable known
to the code (KZ_*: kzcore.config.SETTINGS and the README) or to docs/DEPLOY.md.

No Docker engine runs on the machines the suite runs on: these checks are
static (the files are read, merged and compared), they do not start anything."""
import ast
import re

import pytest
import yaml

from kzcore.config import SETTINGS, load_config, parse_esl_nodes
from kzcore.netpolicy import parse_networks
from tests.support.paths import REPO
from tests.unit.test_compose import PYTHON_SERVICES, SUBST, env, published, run_healthcheck

REPLACED = {"command", "entrypoint", "test"}   # lists Compose replaces instead of merging
OURS = PYTHON_SERVICES - {"couchdb-init"}
RABBIT_NODES = ["rabbitmq", "rabbitmq-2", "rabbitmq-3"]
COUCH_NODES = ["couchdb", "couchdb-2", "couchdb-3"]
SWITCHES = ["freeswitch", "freeswitch-2"]


class Reset:
    """Compose's ``!reset``: the key goes back to nothing."""


class ComposeLoader(yaml.SafeLoader):
    pass


ComposeLoader.add_constructor("!reset", lambda loader, node: Reset())


def load(name):
    return yaml.load((REPO / name).read_text(), Loader=ComposeLoader)


def merge(base, override, key=None):
    if isinstance(override, Reset):
        return None
    if isinstance(base, dict) and isinstance(override, dict):
        out = dict(base)
        for k, v in override.items():
            merged = merge(base.get(k), v, k) if k in base else (None if isinstance(v, Reset)
                                                                   else v)
            if merged is None and isinstance(v, Reset):
                out.pop(k, None)
            else:
                out[k] = merged
        return out
    if isinstance(base, list) and isinstance(override, list) and key not in REPLACED:
        return base + [item for item in override if item not in base]
    return override


@pytest.fixture(scope="module")
def project():
    return merge(load("docker-compose.yml"), load("docker-compose.scale.yml"))


@pytest.fixture(scope="module")
def services(project):
    return project["services"]


def haproxy_sections():
    """``{"backend crossbar": [lines], ...}`` of deploy/haproxy/haproxy.cfg."""
    sections, current = {}, None
    for raw in (REPO / "deploy/haproxy/haproxy.cfg").read_text().splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line:
            continue
        if not line.startswith((" ", "\t")):
            current = line.strip()
            sections[current] = []
        else:
            sections[current].append(line.strip())
    return sections


def host_ports(service):
    """Host ports a service publishes: {(port, protocol)} (ranges expanded)."""
    out = set()
    for spec in service.get("ports") or []:
        spec, _, proto = str(spec).partition("/")
        parts = spec.split(":")
        host = parts[-2] if len(parts) >= 2 else parts[-1]
        low, _, high = host.partition("-")
        out |= {(port, proto or "tcp") for port in range(int(low), int(high or low) + 1)}
    return out


def test_no_two_services_publish_the_same_host_port(services):
    seen = {}
    for name, service in services.items():
        for port in host_ports(service):
            assert port not in seen, (port, seen.get(port), name)
            seen[port] = name


def test_every_service_has_a_healthcheck_and_real_dependencies(services):
    assert {"lb", "freeswitch-2", "couchdb-cluster", *RABBIT_NODES, *COUCH_NODES} <= set(services)
    for name, service in services.items():
        assert "healthcheck" in service, name
        for dependency in service.get("depends_on") or {}:
            assert dependency in services, (name, dependency)


def test_two_instances_of_each_of_our_services_none_publishing_a_port(services):
    for name in OURS:
        assert services[name]["deploy"]["replicas"] >= 2, name
        assert "container_name" not in services[name]
        assert not published(services[name]), name     # replicas would collide: the lb publishes
    assert {(8000, "tcp"), (5555, "tcp")} <= published(services["lb"])


def test_variables_are_known_to_the_code_and_documented(services):
    readme = (REPO / "README.md").read_text()
    for name in PYTHON_SERVICES:
        variables = env(services[name])
        assert set(variables) <= {spec[0] for spec in SETTINGS.values()}, name
        assert all(f"`{var}`" in readme for var in variables), name
        load_config(env=variables)                       # every value has the right type
    deploy = (REPO / "docs" / "DEPLOY.md").read_text()
    referenced = set(SUBST.findall((REPO / "docker-compose.scale.yml").read_text()))
    assert not {v for v in referenced if v not in deploy}, "docs/DEPLOY.md must explain them"
    text = (REPO / "docker-compose.scale.yml").read_text()
    for secret in ("RABBITMQ_ERLANG_COOKIE", "COUCHDB_ERLANG_COOKIE", "COUCHDB_SECRET",
                   "RABBITMQ_PASSWORD", "ESL_PASSWORD", "COUCHDB_PASSWORD"):
        forms = set(re.findall(rf"\$\{{{secret}(:?[-?])", text))
        assert forms == {":?"}, (secret, forms)          # required, never defaulted


def test_the_balancer_checks_each_instance_on_ready_where_it_listens(services):
    sections = haproxy_sections()
    for service, setting in (("crossbar", "listen_port"), ("blackhole", "blackhole_port")):
        backend = sections[f"backend {service}"]
        assert "option httpchk GET /ready" in backend and "http-check expect status 200" in backend
        port = getattr(load_config(env=env(services[service])), setting)
        targets = [line.split()[3] for line in backend if line.startswith("server-template")]
        assert targets == [f"{service}:{port}"], targets
        count = int(next(line.split()[2] for line in backend if line.startswith("server-template")))
        assert count >= services[service]["deploy"]["replicas"]
    frontends = {name.split()[1]: lines for name, lines in sections.items()
                 if name.startswith("frontend")}
    binds = {int(line.split(":")[-1]) for lines in frontends.values() for line in lines
             if line.startswith("bind")}
    assert {port for port, _ in published(services["lb"])} <= binds
    assert "http-request deny if { path_beg /fsxml } || { path /metrics }" in frontends["api"]


@pytest.mark.parametrize("name", ["crossbar", "blackhole"])
def test_the_ready_path_the_balancer_asks_is_the_one_the_service_answers(services, name):
    """The LB's check path, run through the service's own health-check command
    against the service's HealthApp (kzcore.health) on the configured port."""
    from kzcore.health import HealthApp, serve_health
    server = serve_health(HealthApp(name, checks={"x": lambda: (False, "down")}), "127.0.0.1", 0)
    try:
        service = dict(services[name], healthcheck={"test": [
            "CMD", "python", "-m", "kzcore.healthcheck", services[name]["healthcheck"]["test"][4],
            "/ready"]})
        result = run_healthcheck(service, server.server_port)
        assert result.returncode != 0 and "503" in result.stderr
    finally:
        server.stop(timeout=1)


def test_crossbar_trusts_exactly_the_balancers_address(project, services):
    address = services["lb"]["networks"]["default"]["ipv4_address"]
    subnet = project["networks"]["default"]["ipam"]["config"][0]["subnet"]
    trusted = parse_networks(load_config(env=env(services["crossbar"])).trusted_proxies)
    assert [str(n) for n in trusted] == [f"{address}/32"]
    assert any(n.subnet_of(parse_networks(subnet)[0]) for n in trusted)


def test_every_service_knows_both_freeswitch_nodes(services):
    for name in OURS:
        nodes = parse_esl_nodes(env(services[name])["KZ_ESL_NODES"])
        assert [(n.name, n.host, n.port) for n in nodes] == \
            [(f"freeswitch@{s}", s, 8021) for s in SWITCHES], name
    assert load_config(env=env(services["callin"])).callin_allowed_peers.split(",") == SWITCHES
    one, two = services["freeswitch"], services["freeswitch-2"]
    assert set(env(one)) == set(env(two)) and one["volumes"] == two["volumes"]
    assert host_ports(one).isdisjoint(host_ports(two))          # both can run on one host
    assert published(two) == {(5060, "udp"), (5060, "tcp"), (5080, "udp"), (5080, "tcp")}


def test_rabbitmq_is_a_three_node_cluster_with_quorum_durable_queues(services):
    conf = (REPO / "deploy/rabbitmq/cluster.conf").read_text()
    listed = re.findall(r"classic_config\.nodes\.\d+ = rabbit@(\S+)", conf)
    assert listed == RABBIT_NODES
    cookies = set()
    for node in RABBIT_NODES:
        assert services[node]["hostname"] == node
        assert "./deploy/rabbitmq/cluster.conf:/etc/rabbitmq/conf.d/20-cluster.conf:ro" in \
            services[node]["volumes"]
        cookies.add(services[node]["environment"]["RABBITMQ_ERLANG_COOKIE"])
    assert len(cookies) == 1
    for name in ("webhooks", "lifecycle", "transcribe"):      # their durable shared queues
        assert getattr(load_config(env=env(services[name])), f"{name}_queue_type") == "quorum"
    for name in PYTHON_SERVICES:
        assert env(services[name])["KZ_AMQP_URL"].split("@")[1] == "lb:5672/"
    backend = haproxy_sections()["backend rabbitmq"]
    assert [line.split()[2] for line in backend if line.startswith("server ")] == \
        [f"{node}:5672" for node in RABBIT_NODES]


def test_couchdb_is_a_three_node_cluster_set_up_once(services):
    for node in COUCH_NODES:
        environment = services[node]["environment"]
        assert environment["NODENAME"] == node
        assert {"COUCHDB_SECRET", "COUCHDB_ERLANG_COOKIE"} <= set(environment)
    setup = services["couchdb-cluster"]
    assert setup["command"][-3:] == COUCH_NODES
    script = REPO / setup["command"][1].replace("/deploy/", "deploy/", 1)
    ast.parse(script.read_text())                        # the script the service runs exists
    assert set(setup["depends_on"]) == set(COUCH_NODES)
    assert services["couchdb-init"]["depends_on"]["couchdb-cluster"]["condition"] == \
        "service_completed_successfully"
    for name in PYTHON_SERVICES:
        assert load_config(env=env(services[name])).couch_url == "http://lb:5984"
    backend = haproxy_sections()["backend couchdb"]
    assert "option httpchk GET /_up" in backend
    assert [line.split()[2] for line in backend if line.startswith("server ")] == \
        [f"{node}:5984" for node in COUCH_NODES]
