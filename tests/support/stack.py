"""The whole stack in-process, on free ports, for browser tests: simulator ->
ecallmgr -> MemoryBus -> blackhole gateway, and crossbar (API + live control +
admin UI) served by gevent's WSGI server on a real TCP port. It is the product's
own composition (``kzdemo.stack.Stack``, what ``./run.sh`` runs) plus helpers
that read the simulator over ESL.
"""
import dataclasses
import json
import logging

import pytest
import requests

from tests.support.sim import sim_api

log = logging.getLogger(__name__)

ADMIN = {"account_name": "Browser Admin", "realm": "browser.test.local",
         "username": "operator", "password": "op3rator-pass"}
TOKEN_SECRET = "browser-stack-secret"
HTTP_TIMEOUT = 5.0


@dataclasses.dataclass
class Stack:
    base_url: str            # crossbar, e.g. http://127.0.0.1:PORT
    ws_url: str              # the blackhole gateway
    config: object
    store: object
    bus: object
    sim: object              # fssim.Simulator
    admin: dict              # bootstrap(): account_id, api_key, username, password, account_name
    signer: object
    parts: dict = dataclasses.field(default_factory=dict)

    @property
    def ui_url(self):
        return f"{self.base_url}/ui/"

    @property
    def account_id(self):
        return self.admin["account_id"]

    def fs_name(self, conference_id):
        from kzcore.naming import fs_conference_name
        return fs_conference_name(self.account_id, conference_id)

    def token(self):
        reply = requests.put(f"{self.base_url}/v2/api_auth", timeout=HTTP_TIMEOUT,
                             json={"data": {"api_key": self.admin["api_key"]}})
        reply.raise_for_status()
        return reply.json()["auth_token"]

    def api(self, method, path, data=None):
        """``(status, body)`` of one API call as the admin account."""
        reply = requests.request(method, f"{self.base_url}/v2{path}", timeout=HTTP_TIMEOUT,
                                 headers={"X-Auth-Token": self.token()},
                                 json=None if data is None else {"data": data})
        return reply.status_code, reply.json()

    def wire_room(self, conference_id):
        """The room as the simulator lists it over a real ESL connection (json_list), or None."""
        reply = sim_api(self.sim, f"conference {self.fs_name(conference_id)} json_list")
        rooms = [] if reply.startswith("-ERR") else json.loads(reply)
        return rooms[0] if rooms else None

    def wire_members(self, conference_id):
        """``{member_id: json_list member}`` of the room's callers, over ESL."""
        room = self.wire_room(conference_id) or {"members": []}
        return {m["id"]: m for m in room["members"] if m.get("type") == "caller"}

    def stop_gateway(self):
        gateway = self.parts.pop("gateway", None) or self.parts["product"].gateway
        gateway.stop()

    def start_gateway(self):
        """A new gateway on the same port (as after a gateway restart)."""
        from blackhole.server import create_gateway
        gateway = create_gateway(self.config, consumer=self.bus.consumer(), signer=self.signer,
                                 store=self.store)
        gateway.start()
        self.parts["gateway"] = gateway
        return gateway

    def teardown(self):
        gateway = self.parts.pop("gateway", None)
        if gateway is not None:  # one restarted by start_gateway()
            gateway.stop()
        self.parts.pop("product").stop()


def build_stack(tmp_dir):
    """The product's own one-process composition (``kzdemo.stack.Stack``: the same
    factories as ``./run.sh``), on free ports, with a bootstrapped admin."""
    from crossbar.bootstrap import bootstrap
    from kzcore.config import load_config
    from kzdemo.stack import Stack as ProductStack

    config = load_config(env={}, store_path=":memory:", esl_timeout=2.0,
                         esl_nodes="freeswitch@stack=127.0.0.1:0:ClueCon", listen_port=0,
                         blackhole_port=0, callin_port=0, token_secret=TOKEN_SECRET,
                         recordings_dir=str(tmp_dir / "recordings"), node_name="stack@test",
                         log_format="text", webhooks_allow_networks="127.0.0.0/8",
                         webhooks_cache_ttl=0.0, webhooks_retry_delay=0.1)
    product = ProductStack(config).start()
    try:
        assert product.ecallmgr.pool.wait_connected(5.0), "ecallmgr did not connect"
        assert product.live.pool.wait_connected(5.0), "crossbar did not connect"
        admin = bootstrap(product.store, **ADMIN)
    except BaseException:
        product.stop()
        raise
    return Stack(f"http://127.0.0.1:{product.config.listen_port}", product.websocket_url,
                 product.config, product.store, product.memory_bus, product.sim, admin,
                 product.signer, parts={"product": product})


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """The running stack, shared by the browser tests (each uses its own rooms)."""
    made = build_stack(tmp_path_factory.mktemp("stack"))
    yield made
    made.teardown()
