"""Which files the simulated switch can play (fssim/file_open.py, fssim/http_cache.py),
asked over ESL: the round-4 rules (http_cache fetched when played, bare http refused
without mod_httapi, missing files refused) and the ones no fixture shows, each said so."""
import gevent
import pytest

from tests.support.round4 import MediaServer, wav_bytes
from tests.support.sim import EslTestClient


@pytest.fixture
def media():
    server = MediaServer()
    hits = []
    application = server.server.application

    def counting(environ, start_response):
        hits.append(environ["PATH_INFO"])
        return application(environ, start_response)
    server.server.application = counting
    server.hits = hits
    yield server
    server.stop()


@pytest.fixture
def room(fssim_factory):
    def make(**kwargs):
        sim = fssim_factory(time_scale=0.05, **kwargs)
        member = sim.join("room1", "1001", "Alice")
        gevent.sleep(0.05)
        return sim, member, EslTestClient(sim.host, sim.port)
    return make


def test_http_cache_is_fetched_once_and_plays_for_its_length(room, media, events_on):
    sim, member, client = room()
    watch = events_on(sim)
    url = f"http_cache://http://{media.address}/t.wav"
    assert client.api(f"conference room1 play {url}") == f"+OK (play) Playing file {url}\n"
    done = watch.wait_event(lambda e: e.get("Action") == "play-file-done"
                            and e.get("File") == url, timeout=5)
    assert done["milliseconds"] == "2000"          # the 2 s WAV, as it played
    assert client.api(f"conference room1 play {url} {member.id}").startswith("+OK (play)")
    assert client.api(f"conference room1 play_status {member.id}") == \
        f"+OK 0/0 http://{media.address}/t.wav\n"
    assert media.hits == ["/t.wav"]                 # cached by URL after the first fetch


def test_unreachable_or_missing_urls_are_not_found(room, media, events_on):
    sim, member, client = room()
    watch = events_on(sim)
    for url in (f"http_cache://http://{media.address}/nosuch.wav",   # 404
                "http_cache://http://127.0.0.1:1/missing.wav"):       # nothing listening
        assert client.api(f"conference room1 play {url}") == \
            f"-ERR (play) File: {url} not found.\n"
        failed = watch.wait_event(lambda e: e.get("Action") == "play-file")
        assert (failed["File"], failed["Error"]) == (url, "File could not be played")
        assert client.api(f"conference room1 play {url} {member.id}") == \
            f"-ERR (play) File: {url} not found.\n"


def test_bare_http_needs_mod_httapi(room, media):
    url = f"http://{media.address}/t.wav"
    _, _, without = room()
    assert without.api(f"conference room1 play {url}") == f"-ERR (play) File: {url} not found.\n"
    assert media.hits == []                         # not even fetched
    _, _, with_httapi = room(httapi=True)            # not shown by any fixture
    assert with_httapi.api(f"conference room1 play {url}") == f"+OK (play) Playing file {url}\n"
    assert media.hits == ["/t.wav"]


def test_local_files_and_streams(room, tmp_path):
    _, member, client = room()
    wav = tmp_path / "hello.wav"
    wav.write_bytes(wav_bytes(0.5))
    assert client.api(f"conference room1 play {wav}") == f"+OK (play) Playing file {wav}\n"
    for missing in (str(tmp_path / "nosuch.wav"), str(tmp_path),  # a directory is no file
                    "local_stream://nosuch", "shout://example.com/a.mp3"):
        assert client.api(f"conference room1 play {missing}") == \
            f"-ERR (play) File: {missing} not found.\n"
    assert client.api(f"conference room1 hold {member.id} local_stream://moh") == \
        f"+OK hold {member.id}\n"
    assert client.api(f"conference room1 stop all {member.id}") == "+OK Stopped 1 files.\n"


def test_fetch_gives_up_after_the_timeout(fssim_factory):
    import socket
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)                                 # accepts, never answers
    sim = fssim_factory(time_scale=0.05, http_timeout=0.3)
    sim.join("room1", "1001", "Alice")
    url = f"http_cache://http://127.0.0.1:{silent.getsockname()[1]}/slow.wav"
    started = gevent.get_hub().loop.now()
    assert sim.api(f"conference room1 play {url}") == f"-ERR (play) File: {url} not found.\n"
    assert gevent.get_hub().loop.now() - started < 2.0
    silent.close()
