"""The ESL frame parser over every recorded byte stream."""
import random

import pytest

from kzcore.esl import frames
from tests.support.paths import FS_FIXTURES, fs_fixture

ALL_ESL = sorted(str(p.relative_to(FS_FIXTURES)) for p in FS_FIXTURES.rglob("*.esl"))


def test_there_are_fixtures_from_every_round():
    assert len(ALL_ESL) > 300
    assert any(n.startswith("round2/") for n in ALL_ESL) and any(n.startswith("round3/") for n in ALL_ESL)


def feed_in_chunks(data, rng):
    parser, result, offset = frames.FrameParser(), [], 0
    while offset < len(data):
        size = rng.choice((1, 2, 3, 7, 64, 500, 4096))
        result.extend(parser.feed(data[offset:offset + size]))
        offset += size
    return parser, result


@pytest.mark.parametrize("name", ALL_ESL)
def test_every_fixture_is_consumed_into_well_formed_frames(name):
    data = fs_fixture(name)
    parser, chunked = feed_in_chunks(data, random.Random(name))
    assert parser.idle, f"{parser.buffered} bytes left over"
    whole = frames.FrameParser().feed(data)
    # An event capture of a step during which the switch emitted nothing is empty (round 4, 5).
    assert chunked == whole and (whole or (not data and name.endswith(".events.json.esl")))
    assert sum(len(f.body) for f in whole) == sum(frames.content_length(f.headers) for f in whole)
    if ".tx." in name:
        return
    for frame in whole:
        assert frame.content_type, frame.headers
        if frame.content_type in ("api/response", "text/event-plain", "text/event-json", "log/data"):
            assert len(frame.body) == int(frame.headers["Content-Length"])
        event = frames.parse_event(frame)
        if frame.content_type == "text/event-plain":
            assert_plain_event_consumed(frame.body, event)
        if event is not None:
            assert event["Event-Name"]


def assert_plain_event_consumed(body, event):
    """The event's own body (inner Content-Length) ends exactly where the frame ends."""
    head_end = body.find(b"\n\n")
    if "Content-Length" in event:
        assert head_end + 2 + int(event["Content-Length"]) == len(body)
        assert event["_body"].encode() == body[head_end + 2:]
    else:
        assert head_end in (-1, len(body) - 2)


def events_by_sequence(name):
    found = (frames.parse_event(f) for f in frames.FrameParser().feed(fs_fixture(name)))
    return {e["Event-Sequence"]: e for e in found if e}


@pytest.mark.parametrize("plain, json_", [
    ("room1_scenario.plain.esl", "room1_scenario.json.esl"),
    ("round2/verbose.conference.plain.esl", "round2/verbose.conference.json.esl"),
])
def test_plain_events_decode_exactly_like_json_events(plain, json_):
    """Same events over two connections: URL-decoding must give FreeSWITCH's own JSON values."""
    from_plain, from_json = events_by_sequence(plain), events_by_sequence(json_)
    common = set(from_plain) & set(from_json)
    assert len(common) == len(from_plain) == len(from_json) > 10
    for sequence in common:
        assert from_plain[sequence] == from_json[sequence]


def test_background_job_body_and_encoded_values():
    (frame,) = frames.FrameParser().feed(fs_fixture("bgapi_background_job_event_err.plain.esl"))
    event = frames.parse_event(frame)
    assert event["Job-Command-Arg"] == "nosuchroom list"
    assert event["FreeSWITCH-IPv6"] == "fd00::2"
    assert event["_body"] == "-ERR Conference nosuchroom not found\n"
    assert event["Job-UUID"] == "11111111-2222-3333-4444-000000000001"


def test_header_only_frames_and_url_encoded_outbound_reply():
    (frame,) = frames.FrameParser().feed(fs_fixture("round2/outbound_connect_reply.esl"))
    assert frame.body == b"" and frame.content_type == "command/reply"
    assert frames.parse_headers(fs_fixture("round2/outbound_connect_reply.esl"), decode=True)["Reply-Text"] == "+OK\n"


def test_command_encoding():
    assert frames.api_command("conference room1 list") == b"api conference room1 list\n\n"
    assert frames.bgapi_command("status", "u-1") == b"bgapi status\nJob-UUID: u-1\n\n"
    assert frames.event_command(["BACKGROUND_JOB", "CUSTOM", "conference::maintenance"]) == \
        b"event plain BACKGROUND_JOB CUSTOM conference::maintenance\n\n"
    for bad in ("list\n\napi hupall", "x\ry", "x\0y"):
        with pytest.raises(ValueError):
            frames.api_command(bad)


def test_a_large_body_in_small_reads_is_collected_then_split_once():
    """A multi-megabyte reply (a big json_list) arriving in small reads: nothing is
    returned until it is complete, `buffered` counts what waits, and the frame after
    it in the same read comes out too."""
    body = (b'{"member":"x"},' * 200000)[:2_500_000]
    reply = b"Content-Type: api/response\nContent-Length: %d\n\n" % len(body) + body
    after = b"Content-Type: command/reply\nReply-Text: +OK\n\n"
    data = reply + after
    head = len(reply) - len(body)
    parser, out = frames.FrameParser(), []
    for offset in range(0, len(data), 1024):
        got = parser.feed(data[offset:offset + 1024])
        if not got:      # the header block is parsed at once; the body waits, counted
            assert parser.buffered == min(offset + 1024, len(data)) - head and not parser.idle
        out += got
    assert [f.content_type for f in out] == ["api/response", "command/reply"]
    assert out[0].body == body and out[1].headers["Reply-Text"] == "+OK"
    assert parser.idle and parser.buffered == 0
