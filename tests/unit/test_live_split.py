"""A room on several nodes as the API shows it (crossbar.live.split, PURE): summed
counts, every copy's participants under node-qualified ids, and ids that name a
member unambiguously or not at all."""
import pytest

from crossbar.live import split, state
from crossbar.live.located import Located
from kzcore.errors import InvalidCommandArgument
from kzcore.fs_commands import apps
from kzcore.fs_commands.apps import UnsafeArgument


def room(node, members, locked=False, uuid=None):
    listed = {"conference_name": "a_c", "member_count": len(members), "locked": locked,
              "run_time": len(members) * 10, "conference_uuid": uuid or f"uuid-{node}",
              "members": [{"type": "caller", "id": mid, "uuid": f"{node}-{mid}",
                           "flags": {"is_moderator": mod}} for mid, mod in members]}
    return node, state.conference_state(listed, node, 1000)


def test_one_copy_is_shown_as_before_with_its_node():
    shown = split.merged_state([room("n1", [(2, False)])])
    assert shown["nodes"] == ["n1"] and "split" not in shown and "warning" not in shown
    assert [p["participant_id"] for p in shown["participants"]] == [2]


def test_two_copies_are_summed_and_their_ids_qualified():
    shown = split.merged_state([room("n2", [(2, True)], locked=True), room("n1", [(2, False),
                                                                                 (5, False)])])
    assert shown["nodes"] == ["n2", "n1"] and shown["split"] is True
    assert "2 FreeSWITCH nodes" in shown["warning"] and "n1" in shown["warning"]
    assert (shown["members"], shown["moderators"], shown["is_locked"]) == (3, 1, True)
    assert shown["duration"] == 20 and shown["focus"] == "n2"
    assert [p["participant_id"] for p in shown["participants"]] == ["n2:2", "n1:2", "n1:5"]
    assert [c["node"] for c in shown["copies"]] == ["n2", "n1"]


@pytest.mark.parametrize("text, parsed", [("7", (None, 7)), ("freeswitch@fs2:7",
                                                             ("freeswitch@fs2", 7)),
                                          ("a:b:12", ("a:b", 12))])
def test_participant_ids_bare_or_qualified(text, parsed):
    assert split.parse_participant_id(text) == parsed


@pytest.mark.parametrize("text", ["", "x", "0", ":7", "fs1:", "fs1:x", "fs1:-1", "٣", "7 "])
def test_malformed_participant_ids_are_400(text):
    with pytest.raises(InvalidCommandArgument):
        split.parse_participant_id(text)


def test_member_node_refuses_a_bare_id_in_a_split_room_naming_the_nodes():
    one = Located("a", "c", "a_c", "n1")
    both = Located("a", "c", "a_c", "n1", copies=(one, Located("a", "c", "a_c", "n2")))
    assert split.member_node(one, None, 3) == "n1"
    assert split.member_node(both, "n2", 3) == "n2"
    assert split.member_node(both, "n9", 3) is None
    with pytest.raises(split.ConferenceSplit) as refused:
        split.member_node(both, None, 3)
    assert refused.value.data["nodes"] == ["n1", "n2"] and "n1:3" in refused.value.message


def test_the_bridge_application_is_built_safely():
    assert apps.bridge("sofia/internal/7100@10.0.0.2:5060", {"sip_h_X-KZ-Focus": "kzf1.ab.cd"}) \
        == ("bridge", "{sip_h_X-KZ-Focus=kzf1.ab.cd}sofia/internal/7100@10.0.0.2:5060")
    for endpoint, variables in (("sofia/internal/7100@h,x", {}), ("loopback/7100", {}),
                                ("sofia/internal/7100@h", {"a": "b,c"}),
                                ("sofia/internal/7100@h", {"a": "b}c"}),
                                ("sofia/internal/7100@h", {"a b": "c"})):
        with pytest.raises(UnsafeArgument):
            apps.bridge(endpoint, variables)
