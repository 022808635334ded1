"""ecallmgr's composition: what it asks of the ESL pool."""
from ecallmgr import events
from ecallmgr.daemon import create_daemon
from kzcore.config import load_config


class RecordingPool:
    def __init__(self, nodes, **options):
        self.nodes, self.options = nodes, options

    def api(self, node, command, timeout=None):
        raise AssertionError("not called here")


def test_subscribes_in_json_to_the_conference_and_channel_events():
    config = load_config(None, amqp_url="amqp://guest:guest@127.0.0.1:5672/",
                         esl_nodes="fs1=127.0.0.1:8021:secret")
    daemon = create_daemon(config, publisher=object(), pool_factory=RecordingPool)
    options = daemon.pool.options
    assert options["event_format"] == "json"
    assert set(options["events"]) >= {"CUSTOM", "conference::maintenance", "CHANNEL_CREATE",
                                      "CHANNEL_HANGUP_COMPLETE"}
    assert options["on_event"] == daemon.stream.on_event
    assert [node.name for node in daemon.pool.nodes] == ["fs1"]
    assert events.EVENT_FORMAT == "json"
