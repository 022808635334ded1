"""The demo conference's simulated callers join, talk, and survive what an
operator does to the room (lock, kick), so ./run.sh always shows a live room."""
import gevent

from kzdemo.callers import DemoCallers

ROOM = "demo-room"


def _callers(sim):
    rooms = sim.json_list(ROOM)
    return [m for m in (rooms[0]["members"] if rooms else []) if m.get("type") == "caller"]


def _wait(predicate, timeout=10.0):
    deadline = gevent.get_hub().loop.now() + timeout
    while gevent.get_hub().loop.now() < deadline:
        if predicate():
            return True
        gevent.sleep(0.05)
    return predicate()


def test_callers_join_talk_and_survive_lock_and_kick(fssim):
    callers = DemoCallers(fssim, ROOM, size=3, seed=7, pace=0.02).start()
    try:
        assert _wait(lambda: len(_callers(fssim)) == 3), _callers(fssim)
        assert sum(m["flags"]["is_moderator"] for m in _callers(fssim)) == 1
        assert _wait(lambda: any(m["flags"]["talking"] for m in _callers(fssim)))

        # a locked room refuses the replacement of a caller who hung up...
        assert fssim.api(f"conference {ROOM} lock").startswith("+OK")
        fssim.hangup(_callers(fssim)[0]["uuid"])
        assert _wait(lambda: len(_callers(fssim)) == 2)
        gevent.sleep(0.3)  # many turns against the locked room
        assert len(_callers(fssim)) == 2 and not callers._greenlet.dead
        # ...and is filled again once unlocked
        assert fssim.api(f"conference {ROOM} unlock").startswith("+OK")
        assert _wait(lambda: len(_callers(fssim)) == 3), _callers(fssim)

        # everyone kicked: the room is destroyed and the callers come back
        kicked = {m["uuid"] for m in _callers(fssim)}
        fssim.api(f"conference {ROOM} kick all")
        assert _wait(lambda: len(_callers(fssim)) == 3
                     and not kicked & {m["uuid"] for m in _callers(fssim)})
    finally:
        callers.stop()
    assert _wait(lambda: not _callers(fssim))
