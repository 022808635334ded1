"""Simulated callers that keep the demo conference alive: they join, talk in
turns, and now and then one leaves and another takes its place."""
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

    def _run(self):
        for index in range(self.size):
            self._join(moderator=(index == 0))
            gevent.sleep(0.5 * self.pace)
        while True:
            gevent.sleep(self._rng.uniform(1.0, 3.0) * self.pace)
            self._one_turn()

    def _one_turn(self):
        if not self._present:
            self._join(moderator=True)
            return
        if self._rng.random() < 0.1 and len(self._present) > 1:
            self._leave(self._rng.choice(list(self._present)))
            self._join()
            return
        uuid = self._rng.choice(list(self._present))
        try:
            self.sim.talk(uuid)
            gevent.sleep(self._rng.uniform(0.8, 2.5) * self.pace)
            self.sim.stop_talking(uuid)
        except Exception:  # the caller may have been kicked from the UI
            log.info("demo caller gone", extra={"uuid": uuid})
            self._present.pop(uuid, None)

    def _join(self, moderator=False):
        taken = {number for number, _ in self._present.values()}
        free = [p for p in DEMO_PEOPLE if p[0] not in taken]
        if not free:
            return
        number, name = self._rng.choice(free)
        member = self.sim.join(self.conference_name, number, name, moderator=moderator)
        self._present[member.uuid] = (number, name)
        log.info("demo caller joined", extra={"caller": name, "member_id": member.id})

    def _leave(self, uuid):
        self._present.pop(uuid, None)
        try:
            self.sim.hangup(uuid)
        except Exception:
            pass
