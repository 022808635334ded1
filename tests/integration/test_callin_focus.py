"""Call-in with two FreeSWITCH nodes (two simulators over TCP, SIP between them over
UDP: fssim/sofia_bridge.py): a caller who reaches a node that is not the conference's
focus passes the PIN there and is bridged to the focus node, where the call-in
service trusts the leg only by the token it signed -- the PIN is never asked twice,
and a token a caller forges or replays buys nothing."""
import gevent
import pytest

from callin.directory import ConferenceDirectory
from callin.flow import CallinOptions
from callin.focus import FocusRouter
from callin.focus_token import HEADER_VARIABLE, Claims, FocusTokens
from callin.server import CallinServer
from fssim import outbound
from kzcore import naming, placement
from kzcore.config import parse_esl_nodes
from kzcore.esl.pool import EslPool
from kzcore.store.embedded import EmbeddedStore

pytestmark = pytest.mark.timeout(60)
SCALE = 0.02
ACCOUNT = "f0c5" + "a" * 28
NUMBER, MEMBER_PIN, MODERATOR_PIN = "7100", "1111", "2222"


class FocusRig:
    def __init__(self, fssim_factory, tmp_path):
        self.store = EmbeddedStore(":memory:")
        self.store.save(naming.ACCOUNTS_DB, {"_id": ACCOUNT, "pvt_type": "account",
                                             "name": "Focus"})
        self.calls = []
        options = CallinOptions(names_dir=str(tmp_path / "names"), media_timeout=10.0,
                                join_timeout=3.0, linger_seconds=5)
        self.server = CallinServer(ConferenceDirectory(self.store, rescan_interval=0.0),
                                   "127.0.0.1", 0, options)
        self.server.start()
        handler = outbound.socket_extension("127.0.0.1", self.server.port)
        self.sims = [fssim_factory(hostname=f"node{n}", time_scale=SCALE,
                                   dialplan=[(r"^(\d+)$", handler)]) for n in (1, 2)]
        self.names = [sim.node_name for sim in self.sims]
        sip = {sim.node_name: "{}:{}".format(*sim.start_sip()) for sim in self.sims}
        nodes = parse_esl_nodes(",".join(f"{sim.node_name}=127.0.0.1:{sim.port}:ClueCon"
                                         for sim in self.sims))
        pool = EslPool(nodes, timeout=2.0, events=("BACKGROUND_JOB",)).start()
        assert pool.wait_connected(5.0)
        self.tokens = FocusTokens(b"k" * 32, ttl=30)
        self.server.focus = FocusRouter(pool, placement.RENDEZVOUS, sip, self.tokens,
                                        timeout=2.0)
        self.events = {sim.node_name: [] for sim in self.sims}
        for sim in self.sims:
            sim.core.subscribe(self.events[sim.node_name].append)

    def conference(self, focus_index, **fields):
        """A conference whose rendezvous focus is sims[focus_index]: its room name."""
        rule = placement.Placement(self.names)
        conference_id = next(f"room{n}" for n in range(1000)
                             if rule.choose(f"room{n}", self.names) == self.names[focus_index])
        doc = {"_id": conference_id, "pvt_type": "conference", "name": "Focus room",
               "conference_numbers": [NUMBER], "member": {"pins": [MEMBER_PIN]},
               "moderator": {"pins": [MODERATOR_PIN]}, **fields}
        self.store.save(naming.account_db(ACCOUNT), doc)
        return conference_id, naming.fs_conference_name(ACCOUNT, conference_id)

    def call(self, sim, digits="", cid="5551001", variables=None):
        channel = outbound.place_call(sim.core, NUMBER, cid, "Caller", variables=variables,
                                      dtmf_script=[(0, digits)] if digits else None)
        self.calls.append(channel)
        return channel

    def members(self, sim, room):
        rooms = sim.json_list(room)
        return {m["caller_id_number"]: m for m in rooms[0]["members"]} if rooms else {}

    def wait_for(self, predicate, timeout=8.0):
        with gevent.Timeout(timeout, AssertionError("condition not reached")):
            while not predicate():
                gevent.sleep(0.02)

    def executed(self, sim, app, call=None):
        return [e for e in self.events[sim.node_name] if e.name == "CHANNEL_EXECUTE"
                and e.get("Application") == app
                and (call is None or e.get("Unique-ID") == call.uuid)]

    def close(self):
        for channel in self.calls:
            if channel.is_up:
                outbound.hangup_with_event(channel)
        self.server.stop(timeout=1)
        self.store.close()


@pytest.fixture
def rig(fssim_factory, tmp_path):
    made = FocusRig(fssim_factory, tmp_path)
    yield made
    made.close()


def test_a_caller_on_the_wrong_node_is_bridged_to_the_focus_with_pin_and_role(rig):
    node1, node2 = rig.sims
    _, room = rig.conference(focus_index=1)
    caller = rig.call(node1, f"{MODERATOR_PIN}#", cid="5551001")
    rig.wait_for(lambda: "5551001" in rig.members(node2, room))
    member = rig.members(node2, room)["5551001"]
    assert member["flags"]["is_moderator"] is True        # the role carried over
    assert rig.members(node1, room) == {}                  # no room on the wrong node
    assert len(rig.executed(node1, "play_and_get_digits", caller)) == 1   # PIN asked once
    assert rig.executed(node2, "play_and_get_digits") == []               # not again
    (bridged,) = rig.executed(node1, "bridge", caller)
    assert bridged.get("Application-Data").startswith(f"{{{HEADER_VARIABLE}=kzf1.")
    assert bridged.get("Application-Data").endswith(f"}}sofia/internal/{NUMBER}@"
                                                     f"{node2.sip.address[0]}:"
                                                     f"{node2.sip.address[1]}")
    stats = rig.server.stats
    assert (stats["focus_bridges"], stats["focus_arrivals"], stats["wrong_pins"]) == (1, 1, 0)
    outbound.hangup_with_event(caller)                     # hanging up on node 1 ...
    rig.wait_for(lambda: rig.members(node2, room) == {})   # ... leaves the room on node 2
    rig.wait_for(lambda: rig.server.active_calls == 0)


def test_a_caller_on_the_focus_node_joins_there_and_others_follow(rig):
    node1, node2 = rig.sims
    _, room = rig.conference(focus_index=0)
    first = rig.call(node1, f"{MEMBER_PIN}#", cid="100")
    rig.wait_for(lambda: "100" in rig.members(node1, room))
    assert rig.executed(node1, "bridge") == []
    second = rig.call(node2, f"{MEMBER_PIN}#", cid="200")   # the room runs on node 1
    rig.wait_for(lambda: "200" in rig.members(node1, room))
    assert rig.members(node1, room)["200"]["flags"]["is_moderator"] is False
    assert rig.members(node2, room) == {}
    assert len(rig.executed(node2, "bridge", second)) == 1
    for call in (first, second):
        outbound.hangup_with_event(call)


def test_a_forged_or_replayed_token_is_no_pass(rig):
    node1, node2 = rig.sims
    conference_id, room = rig.conference(focus_index=1)
    forged = rig.tokens.issue(Claims(ACCOUNT, conference_id, "moderator", "300"))
    forged = forged[:-4] + ("0000" if not forged.endswith("0000") else "1111")
    caller = rig.call(node2, f"{MEMBER_PIN}#", cid="300", variables={HEADER_VARIABLE: forged})
    rig.wait_for(lambda: "300" in rig.members(node2, room))
    assert rig.members(node2, room)["300"]["flags"]["is_moderator"] is False  # the PIN decided
    assert len(rig.executed(node2, "play_and_get_digits", caller)) == 1
    genuine = rig.tokens.issue(Claims(ACCOUNT, conference_id, "moderator", "400"))
    assert rig.tokens.redeem(genuine, "400").role == "moderator"     # used once already ...
    replay = rig.call(node2, f"{MEMBER_PIN}#", cid="400", variables={HEADER_VARIABLE: genuine})
    rig.wait_for(lambda: "400" in rig.members(node2, room))
    assert rig.members(node2, room)["400"]["flags"]["is_moderator"] is False  # ... no pass
    assert len(rig.executed(node2, "play_and_get_digits", replay)) == 1
    assert rig.server.stats["focus_token_refused"] == 2
    assert rig.server.stats["focus_arrivals"] == 0


def test_a_focus_node_that_does_not_answer_the_bridge_leaves_the_caller_here(rig):
    node1, node2 = rig.sims
    _, room = rig.conference(focus_index=1)
    node2.sip.close()                     # its SIP port is closed: ICMP, as round 5
    caller = rig.call(node1, f"{MEMBER_PIN}#", cid="500")
    rig.wait_for(lambda: "500" in rig.members(node1, room))
    assert rig.server.stats["focus_bridge_failed"] == 1
    assert len(rig.executed(node1, "bridge", caller)) == 1


def test_the_next_node_by_the_rule_takes_new_rooms_while_the_focus_is_down(rig):
    node1, node2 = rig.sims
    _, room = rig.conference(focus_index=1)
    node2.stop()                          # its event socket is gone: not a healthy node
    rig.wait_for(lambda: rig.server.focus.pool.connected_names() == [node1.node_name])
    caller = rig.call(node1, f"{MEMBER_PIN}#", cid="600")
    rig.wait_for(lambda: "600" in rig.members(node1, room))
    assert rig.executed(node1, "bridge", caller) == []
