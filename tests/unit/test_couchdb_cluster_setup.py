"""deploy/couchdb/cluster_setup.py (run once by the scale profile's
``couchdb-cluster`` service) against three stand-in nodes speaking the part of
CouchDB's cluster API it uses (no CouchDB cluster runs here): the calls come in
CouchDB's documented order, with the admin credentials, and a second run on a
formed cluster changes nothing."""
import base64
import importlib.util
import json

import pytest
from gevent.pywsgi import WSGIServer

from tests.support.paths import REPO

AUTH = "Basic " + base64.b64encode(b"admin:pw").decode()


def load_script():
    spec = importlib.util.spec_from_file_location("cluster_setup",
                                                  REPO / "deploy/couchdb/cluster_setup.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Node:
    """One node: /_up, /_membership, and (the coordinator) /_cluster_setup."""

    def __init__(self, host, cluster):
        self.host, self.cluster = host, cluster
        self.server = WSGIServer((host, 0), self.app, log=None)
        self.server.start()

    @property
    def address(self):
        return f"{self.host}:{self.server.server_port}"

    def app(self, environ, start_response):
        if environ.get("HTTP_AUTHORIZATION") != AUTH:
            start_response("401 Unauthorized", [])
            return [b"{}"]
        path = environ["PATH_INFO"]
        if path == "/_cluster_setup" and environ["REQUEST_METHOD"] == "POST":
            body = json.loads(environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"])))
            self.cluster["calls"].append((self.host, body))
            if body["action"] == "add_node":
                self.cluster["members"].append(f"couchdb@{body['host']}")
            answer = {"ok": True}
        elif path == "/_membership":
            answer = {"all_nodes": self.cluster["members"],
                      "cluster_nodes": self.cluster["members"]}
        else:
            answer = {"status": "ok"}
        start_response("201 Created" if path == "/_cluster_setup" else "200 OK",
                       [("Content-Type", "application/json")])
        return [json.dumps(answer).encode()]


@pytest.fixture
def nodes():
    cluster = {"calls": [], "members": ["couchdb@127.0.0.1"]}
    made = [Node(f"127.0.0.{n}", cluster) for n in (1, 2, 3)]
    yield made, cluster
    for node in made:
        node.server.stop(timeout=1)


def test_the_nodes_are_joined_in_couchdbs_order_once(nodes):
    made, cluster = nodes
    script = load_script()
    script.setup([node.address for node in made], "admin", "pw")
    actions = [(host, body["action"], body.get("remote_node") or body.get("host"))
               for host, body in cluster["calls"]]
    assert actions == [("127.0.0.1", "enable_cluster", None),
                       ("127.0.0.1", "enable_cluster", "127.0.0.2"),
                       ("127.0.0.1", "add_node", "127.0.0.2"),
                       ("127.0.0.1", "enable_cluster", "127.0.0.3"),
                       ("127.0.0.1", "add_node", "127.0.0.3"),
                       ("127.0.0.1", "finish_cluster", None)]
    added = [body for _, body in cluster["calls"] if body["action"] == "add_node"]
    assert all(body["username"] == "admin" and body["password"] == "pw" for body in added)
    assert [body["port"] for body in added] == [made[1].server.server_port,
                                                made[2].server.server_port]
    assert cluster["members"] == [f"couchdb@127.0.0.{n}" for n in (1, 2, 3)]
    cluster["calls"].clear()
    script.setup([node.address for node in made], "admin", "pw")   # formed: nothing to do
    assert cluster["calls"] == []
