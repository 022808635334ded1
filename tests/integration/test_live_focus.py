"""Conference focus through the API, on two simulator nodes over TCP: new rooms go
to the conference's rendezvous focus (the document's ``focus`` first), to the next
node by the rule while it is down and to it again when it is back, while a room that
runs stays where it runs; a dial into a locked room is refused unless forced."""

import pytest

from ecallmgr.normalize import normalize
from kzcore.placement import Placement
from tests.integration.test_live_support import make_rig, rig  # noqa: F401 (fixture)
from tests.support.waiting import wait_for as wait_until

pytestmark = pytest.mark.timeout(90)
FAR_END = "5550700"


@pytest.fixture
def spread(fssim_factory, tmp_path):
    """The live rig placing new rooms by rendezvous (KZ_FOCUS_RULE's default)."""
    made, pool = make_rig(fssim_factory, tmp_path, focus_rule="rendezvous")
    made.dialplan_numbers(made.alpha, [FAR_END])
    for sim in made.sims:
        sim.add_extension(rf"^{FAR_END}$", lambda channel, match: channel.answer())
    yield made
    made.http.stop(timeout=1)
    made.live.close()
    pool.close()
    made.api.store.close()


def dial(rig, conference_id, **extra):
    return rig.call("PUT", rig.alpha, conference_id, body={"action": "dial", "data": {
        "data": {"endpoints": [FAR_END], **extra}}})


def hosts(rig, conference_id):
    """The nodes running the room (asked in-process: a stopped node keeps its state)."""
    room = rig.room(rig.alpha, conference_id)
    return [sim.node_name for sim in rig.sims if sim.json_list(room)]


def ids_with_focus(names, node, count=1, prefix="spread"):
    rule = Placement(names)
    return [cid for cid in (f"{prefix}-{n}" for n in range(1000))
            if rule.choose(cid, names) == node][:count]


def test_new_rooms_go_to_their_rendezvous_focus(spread):
    names = [sim.node_name for sim in spread.sims]
    conference_ids = ids_with_focus(names, names[0], 2) + ids_with_focus(names, names[1], 2)
    for conference_id in conference_ids:
        reply = dial(spread, conference_id)
        assert reply.status_code == 200, reply.get_json()
        assert reply.get_json()["data"]["endpoint_responses"][0]["status"] == "success"
    assert [hosts(spread, cid) for cid in conference_ids] == [[names[0]]] * 2 + [[names[1]]] * 2


def test_the_documents_focus_overrides_the_rule_and_must_name_a_node(spread):
    names = [sim.node_name for sim in spread.sims]
    stored = spread.create_conference(spread.alpha)
    natural = Placement(names).choose(stored, names)
    other = next(name for name in names if name != natural)
    patched = spread.call("PATCH", spread.alpha, stored, data={"focus": other})
    assert patched.status_code == 200, patched.get_json()
    assert dial(spread, stored).status_code == 200
    assert hosts(spread, stored) == [other]
    refused = spread.call("PATCH", spread.alpha, stored, data={"focus": "freeswitch@nowhere"})
    assert refused.status_code == 400
    assert refused.get_json()["data"]["focus"]["enum"]["target"] == names


def test_a_focus_that_is_down_gives_new_rooms_to_the_next_node_until_it_is_back(spread):
    names = [sim.node_name for sim in spread.sims]
    first, second = ids_with_focus(names, names[1], 2, prefix="failover")
    spread.sims[1].stop()
    wait_until(lambda: spread.live.pool.connected_names() == [names[0]])
    assert dial(spread, first).status_code == 200
    assert hosts(spread, first) == [names[0]]              # the next node by the rule
    spread.sims[1].start()
    wait_until(lambda: spread.live.pool.connected_names() == names)
    assert dial(spread, second).status_code == 200
    assert hosts(spread, second) == [names[1]]             # its focus again
    assert dial(spread, first).status_code == 200
    assert hosts(spread, first) == [names[0]]              # a running room stays put


def test_a_dial_into_a_locked_room_is_refused_unless_forced(rig):
    rig.dialplan_numbers(rig.alpha, [FAR_END])
    rig.sims[0].add_extension(rf"^{FAR_END}$", lambda channel, match: channel.answer())
    conference_id = rig.create_conference(rig.alpha)
    room = rig.room(rig.alpha, conference_id)
    rig.sims[0].join(room, "1001", "Alice")
    assert rig.call("PUT", rig.alpha, conference_id,
                    body={"action": "lock", "data": {}}).status_code == 202
    mark = len(rig.sims[0].command_log)
    refused = dial(rig, conference_id)
    assert refused.status_code == 409, refused.get_json()
    assert refused.get_json()["error_id"] == "conference_locked"
    assert not [c for c in rig.sims[0].command_log[mark:] if "dial" in c]
    assert len(rig.wire_members(rig.sims[0], room)) == 1
    forced = dial(rig, conference_id, force=True)
    assert forced.status_code == 200, forced.get_json()
    (leg,) = forced.get_json()["data"]["endpoint_responses"]
    assert leg["status"] == "success"
    assert leg["call_id"] in {m["uuid"] for m in rig.wire_members(rig.sims[0], room).values()}
    bad = dial(rig, conference_id, force="yes")
    assert bad.status_code == 400 and "force" in str(bad.get_json()["data"])


def test_a_dialled_member_has_one_identity_in_the_api_and_the_events(rig, events_on):
    """json_list names every dialled leg "Outbound Call"; the API lists the identity
    the member events carry (ecallmgr's normalize of the switch's own add-member)."""
    numbers = ["5550710", "5550711"]
    rig.dialplan_numbers(rig.alpha, numbers)
    for number in numbers:
        rig.sims[0].add_extension(rf"^{number}$", lambda channel, match: channel.answer())
    conference_id = rig.create_conference(rig.alpha)
    room = rig.room(rig.alpha, conference_id)
    rig.sims[0].join(room, "1001", "Alice")
    events = events_on(rig.sims[0])
    named = rig.call("PUT", rig.alpha, conference_id, body={"action": "dial", "data": {"data": {
        "endpoints": [numbers[0]], "caller_id_name": "Conference XYZ",
        "caller_id_number": "5551212"}}})
    plain = dial(rig, conference_id, endpoints=[numbers[1]])
    legs = [reply.get_json()["data"]["endpoint_responses"][0]["call_id"]
            for reply in (named, plain)]
    listed = {m["uuid"]: m for m in rig.wire_members(rig.sims[0], room).values()}
    assert {listed[leg]["caller_id_name"] for leg in legs} == {"Outbound Call"}
    shown = {p["call_id"]: p for p in rig.call("GET", rig.alpha, conference_id,
                                               "/participants").get_json()["data"]}
    identities = []
    for leg in legs:
        added = events.wait_event(lambda e, leg=leg: e.get("Action") == "add-member"
                                  and e.get("Unique-ID") == leg)
        _, payload = normalize(added, node="n", focus=rig.sims[0].node_name, msg_id="x")
        identities.append((payload["caller_id_name"], payload["caller_id_number"]))
        assert (shown[leg]["caller_id_name"], shown[leg]["caller_id_number"]) == identities[-1]
    assert identities == [("Conference XYZ", "5551212"), (numbers[1], numbers[1])]
    one = rig.call("GET", rig.alpha, conference_id,
                   f"/participants/{listed[legs[1]]['id']}").get_json()["data"]
    assert (one["caller_id_name"], one["caller_id_number"]) == identities[1]
