"""callin.wire against the recorded outbound-socket bytes."""
import io

import pytest

from callin import wire
from tests.support.paths import fs_fixture


def frames(name):
    reader = io.BytesIO(fs_fixture(f"round2/{name}"))
    out = []
    while (frame := wire.read_frame(reader)) is not None:
        out.append(frame)
    return out


def test_connect_reply_is_one_header_only_frame_of_url_encoded_channel_data():
    [reply] = frames("outbound_connect_reply.esl")
    assert reply.body == b"" and reply.content_type == "command/reply"
    data = wire.connect_data(reply)
    assert data["Reply-Text"] == "+OK\n"
    assert data["Channel-Destination-Number"] == "callin_100"
    assert data["variable_current_application_data"] == "127.0.0.1:8084 async full"
    assert data["Unique-ID"] == "b1e9a376-b3cc-44d5-a9ea-381a95028867"


def test_whole_sessions_parse_frame_by_frame():
    for name in ("outbound_digits_then_conference.rx.esl", "outbound_hangup_during_pagd.rx.esl",
                 "outbound_json_digit_timeout.rx.esl"):
        parsed = frames(name)
        assert parsed[0].content_type == "command/reply"
        events = [wire.parse_event(f) for f in parsed if f.content_type.startswith("text/event")]
        assert events and all(e and e.get("Event-Name") for e in events)


def test_execute_complete_carries_digits_and_the_decoded_terminator():
    [frame] = frames("outbound_pagd_execute_complete.plain.esl")
    event = wire.parse_event(frame)
    assert event["variable_collected_digits"] == "1234"
    assert event["variable_read_terminator_used"] == "#"
    assert event["Application-UUID"] == "67ce2f44-f59d-4175-a553-82d525ebb322"
    [json_frame] = frames("outbound_pagd_execute_complete_digit_timeout.json.esl")
    assert wire.parse_event(json_frame)["variable_read_result"] == "timeout"


def test_hangup_during_prompt_shows_hangup_before_completion():
    parsed = [wire.parse_event(f) for f in frames("outbound_hangup_during_pagd.rx.esl")]
    names = [(e or {}).get("Event-Name") for e in parsed]
    hangup = names.index("CHANNEL_HANGUP")
    completion = next(i for i, e in enumerate(parsed) if e and e.get("Application") == "play_and_get_digits"
                      and e.get("Event-Name") == "CHANNEL_EXECUTE_COMPLETE")
    assert hangup < completion
    assert parsed[completion]["variable_read_result"] == "success"   # why state must be checked


def test_disconnect_notices_and_api_replies():
    [final] = frames("outbound_disconnect_notice_final.esl")
    assert final.headers["Content-Disposition"] == "disconnect"
    assert final.body.startswith(b"Disconnected, goodbye.")
    [api] = frames("outbound_api_uuid_getvar_reply.esl")
    assert api.content_type == "api/response" and api.body == b"1234"


def test_commands_encode_and_refuse_injection():
    assert wire.encode_command("sendmsg", [("call-command", "execute"), ("execute-app-name", "answer")]) \
        == b"sendmsg\ncall-command: execute\nexecute-app-name: answer\n\n"
    with pytest.raises(ValueError):
        wire.encode_command("sendmsg", [("execute-app-arg", "x\n\napi hupall")])
    with pytest.raises(ValueError):
        wire.encode_command("sendmsg", [("execute-app-arg", "x\nexecute-app-name: hangup")])
    with pytest.raises(ValueError):
        wire.encode_command("getvar a\r\nexit")


def test_truncated_frames_are_protocol_errors():
    with pytest.raises(wire.ProtocolError):
        wire.read_frame(io.BytesIO(b"Content-Type: api/response\nContent-Length: 10\n\nabc"))
    with pytest.raises(wire.ProtocolError):
        wire.read_frame(io.BytesIO(b"Content-Type: command/reply\n"))
    assert wire.read_frame(io.BytesIO(b"")) is None


# --- limits (security issue 17) ------------------------------------------------------
SMALL = wire.FrameLimits(max_line=64, max_headers=4, max_header_bytes=200, max_body=100)


def read(data, limits=SMALL):
    return wire.read_frame(io.BufferedReader(io.BytesIO(data)), limits)


def test_frames_within_the_limits_read_as_before():
    frame = read(b"\n\nContent-Type: api/response\nContent-Length: 5\n\nhello")
    assert frame.headers["Content-Type"] == "api/response" and frame.body == b"hello"


@pytest.mark.parametrize("data", [
    b"A" * 65 + b"\n\n",                                        # one line too long
    b"a: 1\nb: 2\nc: 3\nd: 4\ne: 5\n\n",                         # too many headers
    b"".join(b"h%d: %s\n" % (n, b"x" * 50) for n in range(4)) + b"\n",   # too many bytes
    b"Content-Length: 101\n\n" + b"x" * 101,                    # body over the limit
    b"Content-Length: 99999999999\n\n",                        # not allocated
    b"Content-Length: -1\n\n",
    b"Content-Length: lots\n\n",
    b"Content-Type: x\n",                                       # closed inside the frame
    b"Content-Length: 10\n\nabc",                               # closed inside the body
])
def test_frames_over_a_limit_or_broken_are_protocol_errors(data):
    with pytest.raises(wire.ProtocolError):
        read(data)


def test_a_long_line_is_refused_after_reading_only_the_limit():
    stream = io.BufferedReader(io.BytesIO(b"A" * 10_000_000 + b"\n\n"))
    with pytest.raises(wire.ProtocolError):
        wire.read_frame(stream, SMALL)
    assert stream.tell() <= SMALL.max_line + 1


def test_end_of_stream_between_frames_is_none():
    assert read(b"") is None and read(b"\n\n") is None
