"""Where rooms were last seen: FreeSWITCH room name -> node, as a hint.

An entry is a hint, never an answer (issue 16: a member action should not cost a
``list count`` to every node first). Safe with the conference focus (a room may
run on two nodes, crossbar.live.split) because:

- only a room found on exactly one node is remembered (a split room is looked up
  every time);
- an entry is trusted only while crossbar's own event watch (``DialWatcher``) is
  subscribed and filtered on every node (``trusted()``): a ``conference-create``
  or ``conference-destroy`` of the room on any node drops it (a second copy that
  starts elsewhere makes the next action look again, and see the split); a node
  whose watch (re)connects drops every entry (its events of the gap were missed);
- a lookup that was under way while its room changed does not store what it saw
  (``mark()`` before the lookup, ``put(name, node, mark)`` after);
- the switch's reply is still judged: ``-ERR Conference <name> not found`` from the
  remembered node drops the entry and the caller looks on every node (only such a
  look may conclude that a room runs nowhere);
- entries expire after ``ttl`` seconds (``ttl <= 0``: off).

Keys are full room names ``{account_id}_{conference_id}``: one account's entry
never serves another's.
"""
import collections

DEFAULT_TTL = 3.0
DEFAULT_SIZE = 4096


class RoomCache:
    """``clock()``: monotonic seconds; ``trusted()``: True while every node's
    events are watched. At most ``size`` rooms are kept (oldest stored first out)."""

    def __init__(self, clock, ttl=DEFAULT_TTL, size=DEFAULT_SIZE, trusted=lambda: True):
        if size < 1:
            raise ValueError("a room cache holds at least one room")
        self.clock, self.ttl, self.size, self.trusted = clock, float(ttl), size, trusted
        self._rooms = collections.OrderedDict()     # name -> (node, expires_at)
        self._changed = collections.OrderedDict()   # name -> sequence of its last change
        self._sequence = 0
        self._floor = 0    # puts marked before this are refused (a clear, forgotten changes)

    def __len__(self):
        return len(self._rooms)

    def get(self, name):
        """The node that alone hosted ``name`` less than ``ttl`` seconds ago, or None."""
        entry = self._rooms.get(name)
        if entry is None:
            return None
        node, expires_at = entry
        if self.clock() >= expires_at:
            self._rooms.pop(name, None)
            return None
        return node if self.trusted() else None

    def mark(self):
        """Taken before a lookup; ``put`` refuses what changed since."""
        return self._sequence

    def put(self, name, node, mark):
        """``name`` was found on ``node`` only, by a lookup started at ``mark``."""
        if self.ttl <= 0 or mark < self._floor or self._changed.get(name, -1) > mark \
                or not self.trusted():
            return
        self._rooms.pop(name, None)
        self._rooms[name] = (node, self.clock() + self.ttl)
        while len(self._rooms) > self.size:
            self._rooms.popitem(last=False)

    def forget(self, name, node=None):
        """Drop ``name`` (it changed: created, destroyed, not where it was); with
        ``node``, only an entry that still points there."""
        entry = self._rooms.get(name)
        if node is not None and entry is not None and entry[0] != node:
            return
        self._rooms.pop(name, None)
        self._sequence += 1
        self._changed.pop(name, None)
        self._changed[name] = self._sequence
        while len(self._changed) > self.size:
            _, sequence = self._changed.popitem(last=False)
            self._floor = max(self._floor, sequence)

    def forget_node(self, node):
        """Drop every room of ``node`` (its connection was lost: it may have restarted)."""
        for name in [name for name, (where, _) in self._rooms.items() if where == node]:
            self.forget(name)

    def clear(self):
        """Drop everything, and what lookups under way would store."""
        self._rooms.clear()
        self._changed.clear()
        self._sequence += 1
        self._floor = self._sequence
