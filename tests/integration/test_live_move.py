"""``move``: a participant goes from one conference of the account to another, on
the simulator over TCP (``transfer``). The other conference's rules apply: its
join flags for the participant's role and, when its room starts, its profile as
crossbar serves it over mod_xml_curl. Another account's conference is a 404, the
same room a 400, a locked or far room a 409: all before anything is sent."""
import gevent
import pytest
from gevent.pywsgi import WSGIServer

from crossbar.live import LiveConferences, create_blueprint
from crossbar.live.compose import COMMAND_EVENTS
from crossbar.xmlcurl import create_blueprint as xmlcurl_blueprint
from kzcore.config import load_config
from kzcore.esl.pool import EslPool
from kzcore.store.embedded import EmbeddedStore
from tests.integration.test_live_participants import one
from tests.integration.test_live_support import LiveRig, rig  # noqa: F401 (fixture)
from tests.support.api import build_app
from tests.support.sim import sim_api


def transfers(sim, mark):
    return [c for c in sim.command_log[mark:] if " transfer " in c]


def wait_member(rig, sim, room, member_id):
    with gevent.Timeout(3, AssertionError(f"{member_id} did not join {room}")):
        while member_id not in rig.wire_members(sim, room):
            gevent.sleep(0.02)
    return rig.wire_members(sim, room)[member_id]


def two_rooms(rig, **other_fields):
    source_id = rig.create_conference(rig.alpha)
    other_id = rig.create_conference(rig.alpha, **other_fields)
    source = rig.room(rig.alpha, source_id)
    sim = rig.sims[0]
    people = {"alice": sim.join(source, "1001", "Alice"), "bob": sim.join(source, "1002", "Bob"),
              "boss": sim.join(source, "1003", "Boss", moderator=True)}
    return source_id, other_id, source, rig.room(rig.alpha, other_id), sim, people


def test_move_starts_the_other_room_with_its_join_flags(rig, esl_client_factory):
    source_id, other_id, source, other, sim, people = two_rooms(rig)
    events = esl_client_factory(sim)
    assert events.command("event plain CUSTOM conference::maintenance").headers[
        "Reply-Text"].startswith("+OK")
    alice = people["alice"]
    reply = one(rig, source_id, alice.id, "move", {"conference_id": other_id})
    assert reply.status_code == 202, reply.get_json()
    assert reply.get_json()["data"] == f"+OK Member '{alice.id}' sent to conference " \
                                       f"{other}@default+flags{{mute}}."
    moved = wait_member(rig, sim, other, alice.id)           # the id is kept
    assert moved["uuid"] == alice.uuid
    assert moved["flags"]["can_speak"] is False               # members join muted (Kazoo)
    assert alice.id not in rig.wire_members(sim, source)
    transfer = events.wait_event(lambda e: e.get("Action") == "transfer")
    assert (transfer["Old-Conference-Name"], transfer["Member-ID"]) == (source, str(alice.id))
    events.wait_event(lambda e: e.get("Action") == "add-member"
                      and e.get("Conference-Name") == other)
    boss = people["boss"]
    assert one(rig, source_id, boss.id, "move", {"conference_id": other_id}).status_code == 202
    flags = wait_member(rig, sim, other, boss.id)["flags"]
    assert (flags["is_moderator"], flags["can_speak"]) == (True, True)


def test_move_into_a_running_room(rig):
    source_id, other_id, source, other, sim, people = two_rooms(rig, member={"join_muted": False})
    carol = sim.join(other, "1004", "Carol")
    reply = one(rig, source_id, people["bob"].id, "move", {"data": {"conference_id": other_id}})
    assert reply.status_code == 202, reply.get_json()
    assert wait_member(rig, sim, other, people["bob"].id)["flags"]["can_speak"] is True
    assert set(rig.wire_members(sim, other)) == {carol.id, people["bob"].id}


def test_another_accounts_conference_is_404_and_nothing_moves(rig):
    source_id, _, source, _, sim, people = two_rooms(rig)
    theirs = rig.create_conference(rig.beta)
    sim.join(rig.room(rig.beta, theirs), "2001", "Mallory")
    mark = len(sim.command_log)
    for target in (theirs, "nosuchconference"):
        reply = one(rig, source_id, people["alice"].id, "move", {"conference_id": target})
        assert reply.status_code == 404, reply.get_json()
    assert transfers(sim, mark) == []
    assert people["alice"].id in rig.wire_members(sim, source)


@pytest.mark.parametrize("data", [{}, {"conference_id": ""}, {"conference_id": "a b"},
                                  {"conference_id": 7}, {"conference_id": "x", "profile": "p"}])
def test_bad_requests_are_400(rig, data):
    source_id, _, source, _, sim, people = two_rooms(rig)
    mark = len(sim.command_log)
    assert one(rig, source_id, people["alice"].id, "move", data).status_code == 400
    assert transfers(sim, mark) == []


def test_moving_into_the_same_room_is_400(rig):
    source_id, _, source, _, sim, people = two_rooms(rig)
    mark = len(sim.command_log)
    reply = one(rig, source_id, people["alice"].id, "move", {"conference_id": source_id})
    assert reply.status_code == 400 and "not_same" in reply.get_json()["data"]["data.conference_id"]
    assert transfers(sim, mark) == [] and people["alice"].id in rig.wire_members(sim, source)


def test_a_room_that_would_refuse_the_caller_is_409(rig):
    source_id, other_id, source, other, sim, people = two_rooms(rig, max_participants=2)
    first, second = sim.join(other, "1004", "Carol"), sim.join(other, "1005", "Dave")
    mark = len(sim.command_log)
    full = one(rig, source_id, people["alice"].id, "move", {"conference_id": other_id})
    assert full.status_code == 409 and full.get_json()["data"]["refusal"] == "full"
    sim_api(sim, f"conference {other} hup {second.id}")
    assert sim_api(sim, f"conference {other} lock").startswith("+OK")
    locked = one(rig, source_id, people["alice"].id, "move", {"conference_id": other_id})
    assert locked.status_code == 409 and locked.get_json()["data"]["refusal"] == "locked"
    assert transfers(sim, mark) == []
    assert set(rig.wire_members(sim, other)) == {first.id}


def test_a_room_on_another_node_is_409(rig):
    source_id, other_id, source, other, sim, people = two_rooms(rig)
    rig.sims[1].join(other, "1004", "Carol")
    reply = one(rig, source_id, people["alice"].id, "move", {"conference_id": other_id})
    assert reply.status_code == 409 and "another FreeSWITCH node" in reply.get_json()["message"]


def test_a_participant_not_in_the_room_is_404(rig):
    source_id, other_id, source, other, sim, people = two_rooms(rig)
    assert one(rig, source_id, 9999, "move", {"conference_id": other_id}).status_code == 404


class LateApp:
    """A WSGI app bound after the server started (the switch needs the URL first)."""
    app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


@pytest.fixture
def xml_curl_rig(fssim_factory, tmp_path):
    late = LateApp()
    server = WSGIServer(("127.0.0.1", 0), late, log=None)
    server.start()
    sim = fssim_factory(hostname="node1", xml_curl_url=f"http://127.0.0.1:{server.server_port}/fsxml")
    settings = dict(esl_nodes=f"{sim.node_name}=127.0.0.1:{sim.port}:ClueCon", esl_timeout=2.0,
                    recordings_dir=str(tmp_path / "rec"), token_secret="move-secret",
                    public_url=f"http://127.0.0.1:{server.server_port}")
    config = load_config(env={}, **settings)
    pool = EslPool(config.nodes, timeout=config.esl_timeout, events=COMMAND_EVENTS).start()
    assert pool.wait_connected(5.0)
    store = EmbeddedStore(":memory:")
    live = LiveConferences(pool, store, config)
    api = build_app(store=store, live=live, **settings,
                    extra_blueprints=[create_blueprint(), xmlcurl_blueprint(store, config)])
    late.app = api.app
    alpha, beta = api.create_sibling_pair()
    yield LiveRig(api, live, [sim], config, alpha, beta)
    live.close()
    pool.close()
    server.stop()
    store.close()


def test_the_started_room_gets_the_other_conference_s_profile(xml_curl_rig):
    rig = xml_curl_rig
    source_id = rig.create_conference(rig.alpha)
    other_id = rig.create_conference(rig.alpha, profile={"rate": 16000, "energy-level": 250})
    sim = rig.sims[0]
    alice = sim.join(rig.room(rig.alpha, source_id), "1001", "Alice")
    assert sim.json_list(rig.room(rig.alpha, source_id))[0]["rate"] == 8000
    reply = one(rig, source_id, alice.id, "move", {"conference_id": other_id})
    assert reply.status_code == 202, reply.get_json()
    other = rig.room(rig.alpha, other_id)
    member = wait_member(rig, sim, other, alice.id)
    assert rig.wire_json_list(sim, other)[0]["rate"] == 16000 and member["energy"] == 250
