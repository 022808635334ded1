"""Simulated callers that keep the demo conference alive: they join, talk in
turns, and now and then one leaves and another takes its place.

They survive whatever an operator does in the UI: a locked room refuses them
(they retry later), a kicked caller is noticed and replaced.
"""
import logging
import random

import gevent

log = logging.getLogger(__name__)

DEMO_PEOPLE = [
    ("1001", "Alice"), ("1002", "Bob"), ("1003", "Carol"),
    ("1004", "Dave"), ("1005", "Erin"), ("1006", "Frank"),
]


class DemoCallers:
    """Drives the simulator (``fssim.Simulator``) through its Python API."""

    def __init__(self, sim, conference_name, *, size=3, seed=None, pace=1.0):
        self.sim = sim
        self.conference_name = conference_name
        self.size = size
        self.pace = pace
        self._rng = random.Random(seed)
        self._present = {}  # uuid -> (number, name)
        self._greenlet = None

    def start(self):
        self._greenlet = gevent.spawn(self._run)
        return self

    def stop(self):
        if self._greenlet:
            self._greenlet.kill()
        for uuid in list(self._present):
            self._leave(uuid)

    @property
    def present(self):
        return dict(self._present)

    def _run(self):
        while True:
            try:
                self._one_turn()
            except Exception:  # noqa: BLE001 - a demo must never stop by itself
                log.exception("demo caller turn failed")
            gevent.sleep(self._rng.uniform(1.0, 3.0) * self.pace)

    def _one_turn(self):
        self._forget_the_departed()
        if len(self._present) < self.size:
            self._join(moderator=not self._present)
            return
        if self._rng.random() < 0.1:
            self._leave(self._rng.choice(list(self._present)))
            self._join()
            return
        uuid = self._rng.choice(list(self._present))
        self.sim.talk(uuid)
        gevent.sleep(self._rng.uniform(0.8, 2.5) * self.pace)
        if uuid in self._in_room():
            self.sim.stop_talking(uuid)

    def _in_room(self):
        rooms = self.sim.json_list(self.conference_name)
        members = rooms[0]["members"] if rooms else []
        return {m.get("uuid") for m in members if m.get("type") == "caller"}

    def _forget_the_departed(self):
        """Callers kicked or hung up from the UI or the API are replaced."""
        here = self._in_room()
        for uuid in [u for u in self._present if u not in here]:
            log.info("demo caller left the room", extra={"uuid": uuid})
            del self._present[uuid]

    def _join(self, moderator=False):
        taken = {number for number, _ in self._present.values()}
        free = [p for p in DEMO_PEOPLE if p[0] not in taken]
        if not free:
            return
        number, name = self._rng.choice(free)
        member = self.sim.join(self.conference_name, number, name, moderator=moderator)
        if member is None:  # the room is locked: try again on a later turn
            log.info("demo caller refused by a locked room", extra={"caller": name})
            return
        self._present[member.uuid] = (number, name)
        log.info("demo caller joined", extra={"caller": name, "member_id": member.id})

    def _leave(self, uuid):
        self._present.pop(uuid, None)
        try:
            self.sim.hangup(uuid)
        except Exception:  # noqa: BLE001 - already gone
            pass
