"""Harness for the live-conference tests: two simulator nodes over TCP, an
EslPool, ``LiveConferences`` and the API app wired as the composition root
does it, served on a real port that is also ``KZ_PUBLIC_URL`` (the switch
fetches the media links crossbar hands it), and a plain HTTP server with a
real WAV for media URLs. Other test_live_* modules import the fixtures from
here."""
import dataclasses
import json

import gevent.pywsgi
import pytest

from crossbar.live import LiveConferences, create_blueprint
from crossbar.live.compose import COMMAND_EVENTS
from kzcore.config import load_config
from kzcore.esl.pool import EslPool
from kzcore.naming import account_db, fs_conference_name
from kzcore.store.embedded import EmbeddedStore
from tests.support.api import build_app
from tests.support.round4 import MediaServer
from tests.support.sim import sim_api


@dataclasses.dataclass
class LiveRig:
    api: object          # tests.support.api.ApiHarness
    live: LiveConferences
    sims: list           # [Simulator node1, Simulator node2]
    config: object
    alpha: object        # Account A
    beta: object         # Account B (a sibling: must never reach A's rooms)
    http: object = None  # the WSGI server serving api.app at config.public_url

    def url(self, account, conference_id, tail=""):
        return f"/v2/accounts/{account.account_id}/conferences/{conference_id}{tail}"

    def call(self, method, account, conference_id, tail="", **kwargs):
        return self.api.call(method, self.url(account, conference_id, tail), token=account.token,
                             **kwargs)

    def create_conference(self, account, **fields):
        reply = self.api.call("PUT", f"/v2/accounts/{account.account_id}/conferences",
                              {"name": "Room", **fields}, token=account.token)
        assert reply.status_code == 201, reply.get_json()
        return reply.get_json()["data"]["id"]

    def dialplan_numbers(self, account, numbers):
        """Numbers the product sends to the switch's dialplan (loopback), where the
        simulator's extensions answer them: numbers that are not ours go through
        carriers (crossbar.live.carrier_routing), so a conference claims them."""
        wanted = [str(number) for number in numbers]
        db = account_db(account.account_id)
        held = {n for doc in self.api.store.find(db, {"pvt_type": "conference"})
                for n in doc.get("conference_numbers") or []}
        if not set(wanted) <= held:
            self.create_conference(account, name="Far ends",
                                   conference_numbers=sorted(set(wanted) - held))

    def room(self, account, conference_id):
        return fs_conference_name(account.account_id, conference_id)

    def wire_json_list(self, sim, room):
        """The room as FreeSWITCH lists it, asked over a real ESL connection."""
        reply = sim_api(sim, f"conference {room} json_list")
        return [] if reply.startswith("-ERR") else json.loads(reply)

    def wire_members(self, sim, room):
        listed = self.wire_json_list(sim, room)
        return {m["id"]: m for m in listed[0]["members"] if m.get("type") == "caller"} \
            if listed else {}

    def commands_since(self, sim, mark):
        return sim.command_log[mark:]

    def close(self):
        self.http.stop(timeout=1)
        self.live.close()
        self.live.pool.close()
        self.api.store.close()


def make_rig(fssim_factory, tmp_path, store=None, **overrides):
    sims = [fssim_factory(hostname="node1", recordings_dir=None),
            fssim_factory(hostname="node2", recordings_dir=None)]
    nodes = ",".join(f"{sim.node_name}=127.0.0.1:{sim.port}:ClueCon" for sim in sims)
    http = gevent.pywsgi.WSGIServer(("127.0.0.1", 0), None, log=None)
    http.init_socket()  # bound first: the media links name crossbar's real address
    # New rooms go to node 1 (KZ_FOCUS_RULE=ordered) unless a test asks for rendezvous
    # placement (test_live_focus.py): the other live tests place their far ends there.
    settings = dict(esl_nodes=nodes, esl_timeout=2.0, recordings_dir=str(tmp_path / "rec"),
                    token_secret="live-test-secret", focus_rule="ordered",
                    public_url=f"http://127.0.0.1:{http.server_port}")
    settings.update(overrides)
    config = load_config(env={}, **settings)
    pool = EslPool(config.nodes, timeout=config.esl_timeout, events=COMMAND_EVENTS).start()
    assert pool.wait_connected(5.0)
    store = EmbeddedStore(":memory:") if store is None else store
    live = LiveConferences(pool, store, config)
    api = build_app(store=store, live=live, extra_blueprints=[create_blueprint()], **settings)
    http.application = api.app
    http.start()
    alpha, beta = api.create_sibling_pair()
    return LiveRig(api, live, sims, config, alpha, beta, http), pool


@pytest.fixture
def rig(fssim_factory, tmp_path, new_store, api_store_kind):
    """The rig on a fresh store of ``api_store_kind`` (both kinds in modules marked
    ``both_stores``: tests.support.api); ``new_store`` closes the store."""
    made, pool = make_rig(fssim_factory, tmp_path, store=new_store(api_store_kind))
    yield made
    made.http.stop(timeout=1)
    made.live.close()
    pool.close()


@pytest.fixture
def media_server():
    """A plain HTTP server with a real 2 s WAV at ``/t.wav`` (as round 4's rig):
    what an ``http_cache://`` URL fetches. ``.url(path="/t.wav")``."""
    server = MediaServer()
    server.url = lambda path="/t.wav": f"http://{server.address}{path}"
    yield server
    server.stop()


def test_rig_reaches_both_nodes(rig):
    """The pool answers from both simulators (the harness itself works)."""
    replies = rig.live.pool.api_all("conference json_list")
    assert sorted(replies) == sorted(sim.node_name for sim in rig.sims)
    assert all(reply.strip() in ("[]", "+OK No active conferences.") for reply in replies.values())
