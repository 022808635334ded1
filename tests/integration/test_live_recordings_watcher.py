"""The dial watcher's event connection: filters applied (and checked) by the ESL
client on every connection, and FreeSWITCH's recorded stop-recording event read
into recording facts, over TCP against a server replaying recorded frames."""
import pytest

from crossbar.live import dial_watch
from crossbar.live.dial_watch import DialWatcher
from kzcore.config import EslNode
from kzcore.esl.pool import EslPool
from tests.support import esl_script_server
from tests.support.esl_script_server import EslScriptServer
from tests.support.paths import fs_fixture

pytestmark = pytest.mark.timeout(30)
REFUSED = "filter Action stop-recording"


@pytest.fixture
def server(monkeypatch):
    script = EslScriptServer().start()
    script.refusing = True
    original = esl_script_server._Connection._command

    def command(connection, line, headers):
        if line == REFUSED and connection.server.refusing:
            connection.server.filters.append(line)
            connection.write(b"Content-Type: command/reply\nReply-Text: -ERR invalid filter\n\n")
            return True
        return original(connection, line, headers)
    monkeypatch.setattr(esl_script_server._Connection, "_command", command)
    yield script
    script.stop()


@pytest.fixture
def watcher(server):
    nodes = [EslNode("fs-a", "127.0.0.1", server.port, "ClueCon")]
    made = DialWatcher(lambda **subscription: EslPool(nodes, timeout=1.0, **subscription))
    yield made
    made.close()


def test_a_refused_filter_leaves_the_node_not_ready_and_is_retried(server, watcher):
    assert not watcher.ready("fs-a", 0.6)
    assert server.filters.count(REFUSED) >= 2                 # reconnected and tried again
    server.refusing = False
    assert watcher.ready("fs-a", 5.0)
    expected = [f"filter {header} {value}" for header, value in dial_watch.FILTERS]
    assert server.filters[-len(expected):] == expected        # all of them, on the good connection


def test_the_recorded_stop_recording_event_becomes_recording_facts(server, watcher):
    server.refusing = False
    assert watcher.ready("fs-a", 5.0)
    path = "/opt/switch/rec/room1_round2.wav"
    assert watcher.stopped_recording("fs-a", "room1", path) is None
    server.push(fs_fixture("round2/stop_recording.plain.esl"))
    facts = watcher.wait_stopped_recording("fs-a", "room1", path, 3.0)
    assert facts == {"milliseconds": 3020, "size": 48464, "samples": 24160, "samplerate": 8000}
    assert watcher.wait_stopped_recording("fs-b", "room1", path, 0.1) is None  # per node


def test_a_recorded_conference_create_reaches_the_room_cache_hook_and_watching_tells(server,
                                                                                      watcher):
    """The room cache (crossbar.live.room_cache) trusts its hints only while every
    node is watched, and drops a room on its conference-create/-destroy."""
    changed = []
    watcher.on_room_changed(lambda node, name: changed.append((node, name)))
    assert not watcher.watching(["fs-a"])                     # not started
    assert not watcher.ready("fs-a", 0.6)                     # a filter refused: not watched
    assert not watcher.watching(["fs-a"])
    server.refusing = False
    assert watcher.ready("fs-a", 5.0)
    assert watcher.watching(["fs-a"]) and not watcher.watching(["fs-a", "fs-b"])
    assert "filter Action conference-create" in server.filters
    server.push(fs_fixture("round2/conference_create.default_profile.plain.esl"))
    watcher.wait(3.0)
    assert changed == [("fs-a", "room1")]
