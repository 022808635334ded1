"""Harness for the carrier tests: crossbar served over real HTTP (mod_xml_curl
fetches sofia.conf from it), two simulated FreeSWITCH nodes over TCP whose
external profile takes its gateways from crossbar, and simulators playing the
carriers (fssim/carrier_plan.py), each answering per its own plan."""
import dataclasses

import pytest
from gevent.pywsgi import WSGIServer

from crossbar.live import LiveConferences, create_blueprint
from crossbar.live.compose import COMMAND_EVENTS
from crossbar.xmlcurl import create_blueprint as xmlcurl_blueprint
from kzcore.config import load_config
from kzcore.esl.pool import EslPool
from kzcore.naming import fs_conference_name
from kzcore.store.embedded import EmbeddedStore
from tests.support.api import build_app
from tests.support.round5 import closed_udp_port
from tests.support.sim import sim_api
from tests.support.waiting import wait_for

NODE_SCALE = 0.1   # node delays (ringing, no-answer timeouts) run ten times faster


@dataclasses.dataclass
class CarrierRig:
    api: object
    live: LiveConferences
    nodes: list
    make_carrier: object   # (plan [(regex, behaviour)]) -> (Simulator, port)
    alpha: object
    beta: object

    def resource(self, account, ports, scope="account", **fields):
        """Create a resource whose gateways point at ``ports`` (127.0.0.1)."""
        gateways = [{"server": "127.0.0.1", "port": port, **extra}
                    for port, extra in ((p if isinstance(p, tuple) else (p, {})) for p in ports)]
        data = {"name": fields.pop("name", "carrier"), "gateways": gateways, **fields}
        path = "/v2/resources" if scope == "system" else \
            f"/v2/accounts/{account.account_id}/resources"
        token = self.api.root.token if scope == "system" else account.token
        reply = self.api.call("PUT", path, data, token=token)
        assert reply.status_code == 201, reply.get_json()
        return reply.get_json()["data"]

    def running_room(self, account, node=0):
        reply = self.api.call("PUT", f"/v2/accounts/{account.account_id}/conferences",
                              {"name": "Room"}, token=account.token)
        assert reply.status_code == 201, reply.get_json()
        conference_id = reply.get_json()["data"]["id"]
        room = fs_conference_name(account.account_id, conference_id)
        self.nodes[node].join(room, "1001", "Alice")
        return conference_id, room

    def dial(self, account, conference_id, endpoints, **data):
        body = {"action": "dial", "data": {"data": {"endpoints": endpoints, **data}}}
        return self.api.call("PUT", f"/v2/accounts/{account.account_id}/conferences/"
                                    f"{conference_id}", body=body, token=account.token)

    def gateway_names(self, node):
        listing = sim_api(node, "sofia status gateway")
        return sorted(line.split("\t")[0].strip().split("::")[1]
                      for line in listing.splitlines()[2:-2])

    def bgdials(self, node, mark=0):
        return [c for c in node.command_log[mark:] if " bgdial " in c]


@pytest.fixture
def carrier_rig(fssim_factory, tmp_path):
    store = EmbeddedStore(":memory:", account_dbs_on_write=False)
    holder = {}

    def app(environ, start_response):
        return holder["app"](environ, start_response)

    server = WSGIServer(("127.0.0.1", 0), app, log=None)
    server.start()
    url = f"http://127.0.0.1:{server.server_port}/fsxml"
    nodes = [fssim_factory(hostname=f"node{i}", time_scale=NODE_SCALE, recordings_dir=None,
                           xml_curl_url=url) for i in (1, 2)]
    settings = dict(esl_nodes=",".join(f"{n.node_name}=127.0.0.1:{n.port}:ClueCon" for n in nodes),
                    esl_timeout=2.0, recordings_dir=str(tmp_path / "rec"),
                    token_secret="carrier-test-secret", public_url=url.rsplit("/", 1)[0])
    config = load_config(env={}, **settings)
    pool = EslPool(config.nodes, timeout=config.esl_timeout, events=COMMAND_EVENTS).start()
    assert pool.wait_connected(5.0)
    live = LiveConferences(pool, store, config)
    api = build_app(store=store, live=live, extra_blueprints=[
        create_blueprint(), xmlcurl_blueprint(store, config)], **settings)
    holder["app"] = api.app
    for node in nodes:
        assert sim_api(node, "sofia profile external start").endswith("started successfully\n")

    def make_carrier(plan=()):
        carrier = fssim_factory(hostname="carrier", time_scale=NODE_SCALE)
        port = carrier.start_carrier()[1]
        for pattern, behaviour in plan:
            carrier.carrier_plan(pattern, behaviour)
        return carrier, port

    alpha, beta = api.create_sibling_pair()
    yield CarrierRig(api, live, nodes, make_carrier, alpha, beta)
    live.close()
    pool.close()
    server.stop()


__all__ = ["carrier_rig", "closed_udp_port", "wait_for"]
