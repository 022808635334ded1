"""RoomCache: entries expire after the TTL, the size is bounded (oldest stored
goes first), and entries can be dropped per room (optionally only if they still
name a node) or per node; a lookup under way while its room changed (or the cache
was cleared) stores nothing; nothing is used or stored while untrusted (the
event watch is not on every node)."""
import pytest

from crossbar.live.room_cache import RoomCache


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


def test_an_entry_lives_for_the_ttl_only(clock):
    rooms = RoomCache(clock, ttl=3.0)
    rooms.put("acc_room", "node1", rooms.mark())
    clock.now += 2.999
    assert rooms.get("acc_room") == "node1"
    clock.now += 0.001
    assert rooms.get("acc_room") is None
    assert len(rooms) == 0                       # an expired entry is dropped when met


def test_storing_again_renews_the_ttl_and_the_node(clock):
    rooms = RoomCache(clock, ttl=3.0)
    rooms.put("acc_room", "node1", rooms.mark())
    clock.now += 2.0
    rooms.put("acc_room", "node2", rooms.mark())
    clock.now += 2.0
    assert rooms.get("acc_room") == "node2"


def test_unknown_rooms_are_none(clock):
    assert RoomCache(clock).get("acc_nothing") is None


def test_size_is_bounded_and_the_oldest_stored_goes_first(clock):
    rooms = RoomCache(clock, ttl=60, size=3)
    for name in ("a", "b", "c"):
        rooms.put(name, "node1", rooms.mark())
    rooms.put("a", "node2", rooms.mark())                      # "a" is now the newest
    rooms.put("d", "node1", rooms.mark())
    assert len(rooms) == 3
    assert rooms.get("b") is None
    assert [rooms.get(name) for name in ("a", "c", "d")] == ["node2", "node1", "node1"]


def test_forget_drops_a_room(clock):
    rooms = RoomCache(clock)
    rooms.put("a", "node1", rooms.mark())
    rooms.forget("a")
    rooms.forget("never-stored")
    assert rooms.get("a") is None


def test_forget_with_a_node_keeps_an_entry_that_names_another_node(clock):
    """A request that found the hint stale must not drop what another one stored meanwhile."""
    rooms = RoomCache(clock)
    rooms.put("a", "node2", rooms.mark())
    rooms.forget("a", "node1")
    assert rooms.get("a") == "node2"
    rooms.forget("a", "node2")
    assert rooms.get("a") is None


def test_forget_node_drops_only_that_nodes_rooms(clock):
    rooms = RoomCache(clock)
    rooms.put("a", "node1", rooms.mark())
    rooms.put("b", "node2", rooms.mark())
    rooms.put("c", "node1", rooms.mark())
    rooms.forget_node("node1")
    assert (rooms.get("a"), rooms.get("b"), rooms.get("c")) == (None, "node2", None)


def test_ttl_zero_turns_the_cache_off(clock):
    rooms = RoomCache(clock, ttl=0)
    rooms.put("a", "node1", rooms.mark())
    assert rooms.get("a") is None and len(rooms) == 0


def test_a_cache_holds_at_least_one_room(clock):
    with pytest.raises(ValueError):
        RoomCache(clock, size=0)


def test_a_lookup_under_way_while_its_room_changed_stores_nothing(clock):
    rooms = RoomCache(clock)
    before = rooms.mark()
    rooms.forget("a")                            # conference-create/-destroy seen meanwhile
    rooms.put("a", "node1", before)
    assert rooms.get("a") is None
    rooms.put("b", "node1", before)              # another room's change does not matter
    assert rooms.get("b") == "node1"
    rooms.put("a", "node1", rooms.mark())        # a lookup started after the change
    assert rooms.get("a") == "node1"


def test_a_clear_refuses_lookups_under_way(clock):
    rooms = RoomCache(clock)
    rooms.put("a", "node1", rooms.mark())
    before = rooms.mark()
    rooms.clear()                                # a node's watch reconnected
    assert rooms.get("a") is None
    rooms.put("b", "node1", before)
    assert rooms.get("b") is None
    rooms.put("b", "node1", rooms.mark())
    assert rooms.get("b") == "node1"


def test_changes_forgotten_past_the_size_still_refuse_older_lookups(clock):
    rooms = RoomCache(clock, size=2)
    before = rooms.mark()
    for name in ("a", "b", "c"):                 # "a"'s change falls out of the record
        rooms.forget(name)
    rooms.put("a", "node1", before)
    assert rooms.get("a") is None


def test_nothing_is_used_or_stored_while_untrusted(clock):
    watched = [True]
    rooms = RoomCache(clock, trusted=lambda: watched[0])
    rooms.put("a", "node1", rooms.mark())
    watched[0] = False                           # a node's event watch is down
    assert rooms.get("a") is None
    rooms.put("b", "node1", rooms.mark())
    watched[0] = True
    assert rooms.get("a") == "node1" and rooms.get("b") is None


def test_the_ttl_setting_reaches_the_config():
    from kzcore.config import load_config
    assert load_config(env={}).room_cache_ttl == 3.0
    assert load_config(env={"KZ_ROOM_CACHE_TTL": "0.5"}).room_cache_ttl == 0.5
