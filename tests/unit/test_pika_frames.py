"""kzcore.bus.pika_tuning.publish_frames builds the same bytes pika marshals for a
basic.publish (method, content header, body frames split at frame_max)."""
import pytest
from pika import frame, spec

from kzcore.bus.pika_tuning import publish_frames


def pika_bytes(channel, exchange, routing_key, body, content_type, delivery_mode, frame_max):
    method = frame.Method(channel, spec.Basic.Publish(exchange=exchange, routing_key=routing_key))
    properties = spec.BasicProperties(content_type=content_type, delivery_mode=delivery_mode)
    parts = [method.marshal(), frame.Header(channel, len(body), properties).marshal()]
    chunk = frame_max - spec.FRAME_HEADER_SIZE - spec.FRAME_END_SIZE
    parts += [frame.Body(channel, body[i:i + chunk]).marshal() for i in range(0, len(body), chunk)]
    return b"".join(parts)


@pytest.mark.parametrize("body_size, frame_max", [(0, 131072), (1, 131072), (700, 131072),
                                                   (4096, 4096), (10000, 4096), (131072, 131072)])
def test_publish_frames_match_pikas_own_marshalling(body_size, frame_max):
    body = bytes(range(256)) * (body_size // 256) + bytes(body_size % 256)
    args = (3, "conference", "conference.event.room.call-1", body, "application/json", 2,
            frame_max)
    assert publish_frames(*args) == pika_bytes(*args)


def test_non_ascii_routing_key_is_length_prefixed_in_bytes():
    args = (1, "conference", "conference.event.salle-é.x", b"{}", "application/json", 1, 131072)
    assert publish_frames(*args) == pika_bytes(*args)
