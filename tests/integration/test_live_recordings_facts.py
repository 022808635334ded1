"""Recording facts from FreeSWITCH's stop-recording event (and the WAV file only as
a fallback), and the store-level "one active recording per conference" guard,
against the simulator over TCP."""
import os

import gevent
import pytest

from crossbar.app import create_app
from crossbar.live import LiveConferences, create_blueprint, recordings
from crossbar.live.compose import COMMAND_EVENTS
from crossbar.live.dial_watch import DialWatcher
from kzcore.esl.pool import EslPool
from kzcore.naming import account_db
from kzcore.schemas.registry import SchemaRegistry
from kzcore.tokens import TokenSigner
from tests.integration.test_live_support import rig  # noqa: F401 (fixture)

pytestmark = pytest.mark.timeout(60)


def action(rig, conference_id, data, client=None):
    url = rig.url(rig.alpha, conference_id)
    body = {"json": {"action": "record", "data": data}, "headers": {"X-Auth-Token": rig.alpha.token}}
    return (client or rig.api.client).open(url, method="PUT", **body)


def running_room(rig, node=0):
    conference_id = rig.create_conference(rig.alpha)
    room = rig.room(rig.alpha, conference_id)
    rig.sims[node].join(room, "1001", "Caller")
    return conference_id, room


def record_for(rig, conference_id, seconds=0.3):
    started = action(rig, conference_id, {"action": "start"})
    assert started.status_code == 202, started.get_json()
    gevent.sleep(seconds)
    stopped = action(rig, conference_id, {"action": "stop"})
    assert stopped.status_code == 202, stopped.get_json()
    (done,) = stopped.get_json()["data"]["recordings"]
    return started.get_json()["data"]["recording"], done


def recording_nodes(rig, sim, room):
    listed = rig.wire_json_list(sim, room)
    return [m for m in listed[0]["members"] if m.get("type") == "recording_node"] if listed else []


def without_events(rig):
    """The live part with an event connection that never comes up (no nodes)."""
    rig.live.watcher.close()
    rig.live.watcher = rig.live.recordings.watcher = DialWatcher(lambda **sub: EslPool([], **sub))
    rig.live.recordings.event_wait = 0.2


def test_facts_come_from_the_stop_recording_event_even_when_the_file_is_not_shared(rig, tmp_path):
    elsewhere = tmp_path / "fs-disk"
    rig.sims[0].core.recorder.recordings_dir = str(elsewhere)   # FreeSWITCH writes on its own disk
    conference_id, _ = running_room(rig)
    recording, done = record_for(rig, conference_id)
    written = elsewhere / rig.live.recordings.load(rig.alpha.account_id, conference_id,
                                                   recording["id"])["path"].lstrip("/")
    assert not os.path.exists(rig.live.recordings.load(rig.alpha.account_id, conference_id,
                                                       recording["id"])["path"])
    assert done["facts_source"] == "event"
    assert done["size"] == os.path.getsize(written)       # Record-File-Size, as FreeSWITCH wrote it
    assert done["samplerate"] == 8000 and done["samples"] > 0
    assert done["duration"] == pytest.approx(done["samples"] / 8000, abs=0.01)
    assert done["duration"] >= 0.25


def test_without_the_event_the_wav_file_is_the_fallback_and_says_so(rig, monkeypatch):
    monkeypatch.setattr(recordings, "READY_WAIT", 0.1)
    without_events(rig)
    conference_id, _ = running_room(rig)
    recording, done = record_for(rig, conference_id)
    path = rig.live.recordings.load(rig.alpha.account_id, conference_id, recording["id"])["path"]
    assert done["facts_source"] == "file" and "no stop-recording event" in done["facts_note"]
    assert done["size"] == os.path.getsize(path) and done["duration"] >= 0.25


def test_neither_event_nor_file_is_never_a_silent_none(rig, tmp_path, monkeypatch):
    monkeypatch.setattr(recordings, "READY_WAIT", 0.1)
    without_events(rig)
    rig.live.recordings.file_wait = 0.2
    rig.sims[0].core.recorder.recordings_dir = str(tmp_path / "fs-disk")
    conference_id, _ = running_room(rig)
    _, done = record_for(rig, conference_id, seconds=0.1)
    # no facts from the switch: the duration is crossbar's own clock, and it says so
    assert done["facts_source"] == "none" and done["duration_source"] == "clock"
    assert 0.05 <= done["duration"] < 5
    assert "no stop-recording event" in done["facts_missing"]
    assert "no readable WAV file" in done["facts_missing"]


# --- one active recording per conference, across processes ------------------------------

def second_app(rig):
    """Another crossbar process: its own ESL pool and LiveConferences, the same store."""
    pool = EslPool(rig.config.nodes, timeout=rig.config.esl_timeout, events=COMMAND_EVENTS).start()
    assert pool.wait_connected(5.0)
    live = LiveConferences(pool, rig.api.store, rig.config)
    app = create_app(rig.config, store=rig.api.store, schemas=SchemaRegistry(rig.api.store),
                     signer=TokenSigner("test-secret-for-crossbar", 3600), live=live,
                     extra_blueprints=[create_blueprint()])
    return app.test_client(), live


def rendezvous_after_locate(lives):
    """Each request waits after every json_list until the other one has read it too,
    so both pass FreeSWITCH's 'not recording' check before either starts."""
    seen = {}

    def wrap(original):
        def locate(*args):
            result = original(*args)
            me = gevent.getcurrent()
            seen[me] = seen.get(me, 0) + 1
            with gevent.Timeout(2, False):
                while len(seen) < 2 or min(seen.values()) < seen[me]:
                    gevent.sleep(0.005)
            return result
        return locate
    for live in lives:
        live.locate = wrap(live.locate)


def test_two_processes_starting_at_once_make_one_recording(rig):
    client, other = second_app(rig)
    try:
        conference_id, room = running_room(rig)
        rendezvous_after_locate([rig.live, other])
        calls = [gevent.spawn(action, rig, conference_id, {"action": "start"}, c)
                 for c in (rig.api.client, client)]
        gevent.joinall(calls, raise_error=True)
        statuses = sorted(call.value.status_code for call in calls)
        assert statuses == [202, 409]
        refused = next(call.value for call in calls if call.value.status_code == 409)
        assert "already recording" in refused.get_json()["message"]
        assert len(recording_nodes(rig, rig.sims[0], room)) == 1
        # stopping releases the guard: the other process can record next
        del rig.live.locate, other.locate
        assert action(rig, conference_id, {"action": "stop"}).status_code == 202
        assert action(rig, conference_id, {"action": "start"}, client).status_code == 202
    finally:
        other.close()


def test_a_crash_leftover_guard_is_replaced_but_a_fresh_one_is_respected(rig):
    conference_id, room = running_room(rig)
    db = account_db(rig.alpha.account_id)
    guard = {"_id": recordings.guard_id(conference_id), "pvt_type": recordings.GUARD_TYPE,
             "conference_id": conference_id, "recording_id": "x", "claimed": rig.live.clock()}
    saved = rig.api.store.save(db, guard)
    fresh = action(rig, conference_id, {"action": "start"})
    assert fresh.status_code == 409 and not recording_nodes(rig, rig.sims[0], room)
    rig.api.store.save(db, {**saved, "claimed": rig.live.clock() - recordings.STALE_AFTER - 1})
    replaced = action(rig, conference_id, {"action": "start"})
    assert replaced.status_code == 202, replaced.get_json()
    held = rig.api.store.get(db, recordings.guard_id(conference_id))
    assert held["recording_id"] == replaced.get_json()["data"]["recording"]["id"]
    assert action(rig, conference_id, {"action": "stop"}).status_code == 202
    assert rig.api.store.get_or_none(db, recordings.guard_id(conference_id)) is None


def test_a_start_freeswitch_refuses_releases_the_guard(rig):
    conference_id, room = running_room(rig)
    db = account_db(rig.alpha.account_id)
    rig.live.recordings.root = "/proc/no-such-place"     # makedirs fails after the claim
    with pytest.raises(OSError):
        rig.live.recordings.start(rig.live, rig.live.running(rig.alpha.account_id, conference_id))
    assert rig.api.store.get_or_none(db, recordings.guard_id(conference_id)) is None
