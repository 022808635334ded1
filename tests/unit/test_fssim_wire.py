"""fssim's pure encoders, checked against recorded bytes."""
import json

import pytest

from fssim import cjson, wire
from kzcore.esl.frames import FrameParser
from tests.support.paths import fs_fixture


def test_url_encoding_matches_recorded_values():
    assert wire.url_encode("fd00::2") == "fd00%3A%3A2"
    assert wire.url_encode("Sat, 21 Nov 2026 11:49:42 GMT") == \
        "Sat,%2021%20Nov%202026%2011%3A49%3A42%20GMT"
    assert wire.url_encode("tone_stream://%(400,600,440);loops=-1") == \
        "tone_stream%3A//%25(400,600,440)%3Bloops%3D-1"
    assert wire.url_encode('"Alice" <1001>') == "%22Alice%22%20%3C1001%3E"
    assert wire.url_encode("room1@default") == "room1%40default"


def test_plain_event_with_body_matches_recorded_frame():
    recorded = fs_fixture("bgapi_background_job_event_err.plain.esl")
    frame = FrameParser().feed(recorded)[0]
    head, _, body = frame.body.decode().partition("\n\n")
    from urllib.parse import unquote
    headers = [(n, unquote(v)) for n, _, v in (l.partition(": ") for l in head.split("\n"))
               if n != "Content-Length"]
    assert wire.event_frame(headers, body) == recorded


def test_json_event_keeps_duplicates_and_order():
    text = wire.event_json_text([("A", "1"), ("Energy-Level", "300"), ("Energy-Level", "300"),
                                 ("variable_DP_MATCH", ["conf_room1", "room1"])], body="x\n")
    assert text == ('{"A":"1","Energy-Level":"300","Energy-Level":"300",'
                    '"variable_DP_MATCH":["conf_room1","room1"],'
                    '"Content-Length":"2","_body":"x\\n"}')
    assert json.loads(text)["_body"] == "x\n"


def test_plain_array_variable_as_recorded():
    text = wire.event_plain_text([("variable_DP_MATCH", ["conf_room1", "room1"])])
    assert text == "variable_DP_MATCH: ARRAY%3A%3Aconf_room1%7C%3Aroom1\n\n"


def test_cjson_formats_like_freeswitch():
    value = [[("name", "room1"), ("n", 3), ("ok", True), ("variables", []),
              ("members", [[("id", 1)], [("id", 2)]])]]
    assert cjson.dumps([]) == "[]"
    assert cjson.dumps(value, compact=True) == \
        '[{"name":"room1","n":3,"ok":true,"variables":{},"members":[{"id":1},{"id":2}]}]'
    assert cjson.dumps(value) == (
        '[{\n\t\t"name":\t"room1",\n\t\t"n":\t3,\n\t\t"ok":\ttrue,\n\t\t"variables":\t{\n'
        '\t\t},\n\t\t"members":\t[{\n\t\t\t\t"id":\t1\n\t\t\t}, {\n\t\t\t\t"id":\t2\n'
        '\t\t\t}]\n\t}]')


def test_command_reader_splits_blocks_and_bodies():
    reader = wire.CommandReader()
    assert reader.feed(b"api status\n\nbgapi x\nJob-UUID: u1\n\nsendmsg\nContent-Len") == [
        ("api status", [], b""), ("bgapi x", [("Job-UUID", "u1")], b"")]
    assert reader.feed(b"gth: 2\n\nhi") == [("sendmsg", [("Content-Length", "2")], b"hi")]


def test_disconnect_notice_bytes():
    data = fs_fixture("auth_wrong_password.rx.esl")
    assert data.endswith(wire.disconnect_notice())


def test_command_reader_accepts_crlf():
    assert wire.CommandReader().feed(b"api version\r\n\r\n") == [("api version", [], b"")]


@pytest.mark.parametrize("fmt", ["json", "plain"])
def test_event_with_a_reused_tail_encodes_like_the_whole_event(fmt):
    """Talk bursts reuse one member block (cached by identity): same bytes as uncached,
    on every reuse, and a different tuple with equal content is not confused with it."""
    head = [("Event-Name", "CUSTOM"), ("Event-Sequence", "5")]
    tail = (("Conference-Name", "a b%c\"d"), ("Arr", ["x", "y"]), ("Action", "start-talking"))
    whole = wire.event_frame(head + list(tail), None, fmt)
    assert wire.event_frame_with_tail(head, tail, fmt) == whole
    assert wire.event_frame_with_tail(head, tail, fmt) == whole
    other = tail[:2] + (("Action", "stop-talking"),)
    assert wire.event_frame_with_tail(head, other, fmt) == wire.event_frame(head + list(other), None, fmt)


def test_json_strings_are_escaped_exactly_like_json_dumps():
    """The fast path for strings that need no escaping gives json.dumps' (and cJSON's) text."""
    import random
    rnd = random.Random(7)
    samples = ["", "abc", 'a"b', "a\\b", "tab\there", "nl\n", "\x00", "\x1f", "\x7f", "é✓😀",
               "\u2028", "a/b", "%20+"]
    samples += ["".join(chr(rnd.choice([rnd.randrange(0, 128), rnd.randrange(128, 0x3000)]))
                        for _ in range(rnd.randrange(0, 8))) for _ in range(5000)]
    for value in samples:
        assert wire._dumps(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))
