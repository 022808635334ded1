"""Join the CouchDB nodes of docker-compose.scale.yml into one cluster (run once,
by the ``couchdb-cluster`` service; running it again changes nothing).

CouchDB's cluster setup API (``POST /_cluster_setup`` on the first node):
``enable_cluster`` on it, then ``enable_cluster`` + ``add_node`` for each other
node, then ``finish_cluster`` (which creates ``_users`` and ``_replicator``).
Every node must already share the admin credentials, ``COUCHDB_SECRET`` and
the Erlang cookie (``COUCHDB_ERLANG_COOKIE``), and be named
``couchdb@<service name>`` (``NODENAME``). Stdlib only: it runs in the product's
image. Arguments: the nodes' service names, ``host[:port]`` (the first coordinates);
environment: ``KZ_COUCH_USER``, ``KZ_COUCH_PASSWORD`` (as every Python service).
"""
import base64
import json
import os
import sys
import time
import urllib.error
import urllib.request

PORT = 5984
WAIT_SECONDS = 120


def address(node):
    """``(host, port)`` of ``host[:port]``."""
    host, _, port = node.partition(":")
    return host, int(port or PORT)


def request(node, path, auth, body=None):
    host, port = address(node)
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://{host}:{port}{path}", data=data,
                                 method="POST" if data else "GET",
                                 headers={"Authorization": f"Basic {auth}",
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as reply:
        return json.loads(reply.read() or b"null")


def wait_up(host, auth):
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        try:
            return request(host, "/_up", auth)
        except (OSError, urllib.error.URLError) as error:
            if time.monotonic() > deadline:
                raise SystemExit(f"couchdb node {host} never came up: {error}") from None
            time.sleep(1)


def setup(nodes, user, password):
    auth = base64.b64encode(f"{user}:{password}".encode()).decode()
    for host in nodes:
        wait_up(host, auth)
    first, others = nodes[0], nodes[1:]
    members = request(first, "/_membership", auth)["cluster_nodes"]
    wanted = [f"couchdb@{address(node)[0]}" for node in nodes]
    if all(name in members for name in wanted):
        print(f"cluster already formed: {members}")
        return
    credentials = {"username": user, "password": password}
    request(first, "/_cluster_setup", auth, {"action": "enable_cluster", "bind_address": "0.0.0.0",
                                             "node_count": str(len(nodes)), **credentials})
    for node in others:
        host, port = address(node)
        request(first, "/_cluster_setup", auth, {
            "action": "enable_cluster", "bind_address": "0.0.0.0", "port": port,
            "node_count": str(len(nodes)), "remote_node": host, "remote_current_user": user,
            "remote_current_password": password, **credentials})
        request(first, "/_cluster_setup", auth, {"action": "add_node", "host": host,
                                                 "port": port, **credentials})
    request(first, "/_cluster_setup", auth, {"action": "finish_cluster"})
    print(f"cluster formed: {request(first, '/_membership', auth)['cluster_nodes']}")


def main(argv):
    if len(argv) < 2:
        raise SystemExit("usage: cluster_setup.py <first node> <other node>...")
    setup(argv, os.environ["KZ_COUCH_USER"], os.environ["KZ_COUCH_PASSWORD"])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
