"""Where rooms were last seen: FreeSWITCH room name -> node, for a few seconds.

An entry is a hint, never an answer. A command goes to the remembered node and
FreeSWITCH's reply says whether the room is still there (``-ERR Conference <name>
not found``); only a look on every node may conclude that a room runs nowhere
(``LiveConferences.command``). Keys are the full room names
``{account_id}_{conference_id}``, so one account's entry never serves another's.
"""
import collections

DEFAULT_TTL = 3.0
DEFAULT_SIZE = 4096


class RoomCache:
    """``clock()``: monotonic seconds. ``ttl <= 0`` turns the cache off. At most
    ``size`` rooms are kept; the least recently stored one goes first."""

    def __init__(self, clock, ttl=DEFAULT_TTL, size=DEFAULT_SIZE):
        if size < 1:
            raise ValueError("a room cache holds at least one room")
        self.clock, self.ttl, self.size = clock, float(ttl), size
        self._rooms = collections.OrderedDict()  # name -> (node, expires_at)

    def __len__(self):
        return len(self._rooms)

    def get(self, name):
        """The node that hosted ``name`` less than ``ttl`` seconds ago, or None."""
        entry = self._rooms.get(name)
        if entry is None:
            return None
        node, expires_at = entry
        if self.clock() >= expires_at:
            self._rooms.pop(name, None)
            return None
        return node

    def put(self, name, node):
        """``name`` was just seen on ``node`` (a fresh answer from that node)."""
        if self.ttl <= 0:
            return
        self._rooms.pop(name, None)
        self._rooms[name] = (node, self.clock() + self.ttl)
        while len(self._rooms) > self.size:
            self._rooms.popitem(last=False)

    def forget(self, name, node=None):
        """Drop ``name``; with ``node``, only if it still points there (an entry
        stored meanwhile by another request stays)."""
        entry = self._rooms.get(name)
        if entry is not None and (node is None or entry[0] == node):
            del self._rooms[name]

    def forget_node(self, node):
        """Drop every room of ``node`` (its connection was lost: it may have restarted)."""
        for name in [name for name, (where, _) in self._rooms.items() if where == node]:
            del self._rooms[name]
