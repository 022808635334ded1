"""The focus rule (kzcore.placement, PURE): rendezvous hashing of the conference id
over the nodes, the document's focus first, the next node by the same rule when the
focus is not healthy, and the 'ordered' rule."""
import collections
import hashlib

import pytest

from kzcore.placement import ORDERED, Placement, score

NODES = [f"freeswitch@fs{n}" for n in range(1, 5)]


def test_score_is_the_documented_sha256_prefix():
    digest = hashlib.sha256(b"conf-1\nfreeswitch@fs1").digest()
    assert score("conf-1", "freeswitch@fs1") == int.from_bytes(digest[:8], "big")


def test_each_conference_has_one_deterministic_focus_and_rooms_spread():
    rule = Placement(NODES)
    ids = [f"c{n}" for n in range(2000)]
    chosen = [rule.choose(cid, NODES) for cid in ids]
    assert chosen == [Placement(list(reversed(NODES))).choose(cid, NODES) for cid in ids]
    spread = collections.Counter(chosen)
    assert set(spread) == set(NODES) and min(spread.values()) > 400   # ~500 each


def test_a_node_going_down_moves_only_its_rooms_to_their_next_node_and_back():
    rule = Placement(NODES)
    ids = [f"c{n}" for n in range(500)]
    before = {cid: rule.choose(cid, NODES) for cid in ids}
    healthy = [node for node in NODES if node != NODES[0]]
    during = {cid: rule.choose(cid, healthy) for cid in ids}
    moved = {cid for cid in ids if before[cid] != during[cid]}
    assert moved == {cid for cid in ids if before[cid] == NODES[0]}
    assert all(during[cid] == rule.ranking(cid)[1] for cid in moved)   # the second by rank
    assert {cid: rule.choose(cid, NODES) for cid in ids} == before     # back when it is


def test_the_documents_focus_comes_first_while_it_is_healthy():
    rule = Placement(NODES)
    natural = rule.choose("c1", NODES)
    wanted = next(node for node in NODES if node != natural)
    assert rule.choose("c1", NODES, preferred=wanted) == wanted
    assert rule.choose("c1", [n for n in NODES if n != wanted], preferred=wanted) == natural
    assert rule.choose("c1", [], preferred=wanted) is None


def test_primary_of_several_copies_follows_the_same_order():
    rule = Placement(NODES)
    hosting = rule.ranking("c7")[1:3]
    assert rule.primary("c7", list(reversed(hosting))) == hosting[0]
    assert rule.primary("c7", hosting, preferred=hosting[1]) == hosting[1]
    assert rule.primary("c7", []) is None


def test_ordered_rule_takes_the_first_healthy_node_as_configured():
    rule = Placement(NODES, ORDERED)
    assert rule.choose("anything", NODES) == NODES[0]
    assert rule.choose("anything", NODES[2:]) == NODES[2]
    with pytest.raises(ValueError):
        Placement(NODES, "random")
