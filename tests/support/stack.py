"""The whole stack in-process, on free ports, for browser tests: simulator ->
ecallmgr -> MemoryBus -> blackhole gateway, and crossbar (API + live control +
admin UI) served by gevent's WSGI server on a real TCP port.

Every piece is built by its own factory, as the composition roots do. A piece
that is missing makes the fixture fail with the name of what is missing (never
a silent skip).
"""
import dataclasses
import json
import logging

import pytest
import requests
from gevent import socket

from tests.support.sim import sim_api

log = logging.getLogger(__name__)

ADMIN = {"account_name": "Browser Admin", "realm": "browser.test.local",
         "username": "operator", "password": "op3rator-pass"}
TOKEN_SECRET = "browser-stack-secret"
HTTP_TIMEOUT = 5.0


def _require(what, importer):
    try:
        return importer()
    except ImportError as missing:  # a piece not landed yet: say which
        pytest.fail(f"the browser stack needs {what}, which cannot be imported: {missing}")


def _listening_socket():
    """A bound, listening socket on a free port (the port is known before the app)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    return listener


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
        self.parts.pop("gateway").stop()

    def start_gateway(self):
        """A new gateway on the same port (as after a gateway restart)."""
        from blackhole.server import create_gateway
        gateway = create_gateway(self.config, consumer=self.bus.consumer(), signer=self.signer,
                                 store=self.store)
        gateway.start()
        self.parts["gateway"] = gateway
        return gateway

    def teardown(self):
        for name in ("http", "gateway", "live", "pool", "ecallmgr"):
            part = self.parts.pop(name, None)
            if part is None:
                continue
            try:
                part.close() if name in ("live", "pool") else part.stop()
            except Exception:
                log.exception("stopping %s failed", name)
        self.sim.stop()
        self.bus.close()
        self.store.close()


def _store_with_admin():
    from crossbar.bootstrap import bootstrap
    from kzcore.schemas.loader import load_schemas
    from kzcore.schemas.registry import SchemaRegistry
    from kzcore.store.embedded import EmbeddedStore
    store = EmbeddedStore(":memory:")
    load_schemas(store)
    return store, SchemaRegistry(store), bootstrap(store, **ADMIN)


def _crossbar(stack, schemas, listener):
    from gevent.pywsgi import WSGIServer
    from crossbar.app import create_app
    from crossbar.ui import create_ui_blueprint
    from kzcore.esl.pool import EslPool
    live_pkg = _require("crossbar.live (LiveConferences, create_blueprint)",
                        lambda: __import__("crossbar.live", fromlist=["LiveConferences"]))
    pool = EslPool(stack.config.nodes, timeout=stack.config.esl_timeout).start()
    stack.parts["pool"] = pool
    assert pool.wait_connected(5.0), "crossbar's ESL pool did not connect to the simulator"
    live = live_pkg.LiveConferences(pool, stack.store, stack.config, stack.signer)
    stack.parts["live"] = live
    app = create_app(stack.config, store=stack.store, schemas=schemas, signer=stack.signer,
                     live=live, extra_blueprints=[live_pkg.create_blueprint(),
                                                  create_ui_blueprint(stack.config)])
    server = WSGIServer(listener, app, log=None, error_log=logging.getLogger("stack.http"))
    server.start()
    stack.parts["http"] = server


def build_stack(tmp_dir):
    from fssim import Simulator
    from kzcore.bus.memory import MemoryBus
    from kzcore.config import load_config
    from kzcore.tokens import TokenSigner
    create_daemon = _require("ecallmgr.daemon.create_daemon",
                             lambda: __import__("ecallmgr.daemon", fromlist=["x"]).create_daemon)
    sim = Simulator(port=0)  # writes recordings where crossbar asks (a shared directory)
    sim.start()
    store, schemas, admin = _store_with_admin()
    listener = _listening_socket()
    http_port = listener.getsockname()[1]
    config = load_config(env={}, esl_nodes=f"{sim.node_name}=127.0.0.1:{sim.port}:ClueCon",
                         esl_timeout=2.0, listen_port=http_port, blackhole_port=0,
                         public_url=f"http://127.0.0.1:{http_port}", token_secret=TOKEN_SECRET,
                         recordings_dir=str(tmp_dir / "recordings"), node_name="stack@test",
                         log_format="text")
    signer = TokenSigner(TOKEN_SECRET, config.token_lifetime)
    stack = Stack(f"http://127.0.0.1:{http_port}", "", config, store, MemoryBus(), sim, admin,
                  signer)
    try:
        gateway = stack.start_gateway()
        stack.config = config.replace(blackhole_port=gateway.port)
        stack.ws_url = f"ws://127.0.0.1:{gateway.port}/"
        daemon = create_daemon(stack.config, publisher=stack.bus).start()
        stack.parts["ecallmgr"] = daemon
        assert daemon.pool.wait_connected(5.0), "ecallmgr did not connect to the simulator"
        _crossbar(stack, schemas, listener)
    except BaseException:
        stack.teardown()
        raise
    return stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """The running stack, shared by the browser tests (each uses its own rooms)."""
    made = build_stack(tmp_path_factory.mktemp("stack"))
    yield made
    made.teardown()
